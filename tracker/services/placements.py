"""Publishing a plan and closing placements: approve a run, mark placements completed or cancelled.

Each function is one transaction with its audit rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from tracker.access import Principal
from tracker.clock import utcnow
from tracker.models import (
    AllocationRun,
    Placement,
    PlacementRequest,
    PlacementStatus,
    RunStatus,
)
from tracker.services.allocation import AllocationRefused, run_or_refuse, staff_only
from tracker.services.allocation_inputs import live_inputs
from tracker.services.audit import record_audit
from tracker.services.notify.events import plan_published
from tracker.snapshots import (
    describe_changes,
    fingerprint,
    frame_records,
    run_request_ids,
    snapshot_window,
)


def _refuse_if_registers_changed(session: Session, run: AllocationRun) -> None:
    """A plan is approved only on the registers it was made from (re-run first otherwise)."""
    run_id = run.id
    scope = run.scope
    live = live_inputs(
        session,
        blocks=scope.get("blocks", []),
        programmes=scope.get("programmes", []),
        window=snapshot_window(run.inputs),
    )
    if fingerprint(live) != run.inputs.get("fingerprint"):
        changed = describe_changes(run.inputs, {k: frame_records(v) for k, v in live.items()})
        raise AllocationRefused(
            f"The registers changed since run {run_id} was made: {changed}. "
            "Re-run close to this plan, then approve the new run."
        )


def _clashing_runs(
    session: Session, run: AllocationRun, mine: set[int], *, supersede: bool
) -> list[AllocationRun]:
    """Approved runs covering some of the same requests; refused unless superseding."""
    run_id = run.id
    clashes = []
    for other in session.exec(
        select(AllocationRun).where(
            AllocationRun.status == RunStatus.APPROVED.value, AllocationRun.id != run_id
        )
    ).all():
        if run_request_ids(other.inputs) & mine:
            clashes.append(other)
    if clashes and not supersede:
        names = ", ".join(f"run {o.id} ({o.name})" for o in clashes)
        raise AllocationRefused(
            f"Already approved for some of the same requests: {names}. "
            "Approve again choosing to supersede it."
        )
    return clashes


def _supersede(
    session: Session,
    principal: Principal,
    other: AllocationRun,
    run_id: int,
    mine: set[int],
    now: datetime,
) -> None:
    """Cancel the older run's confirmed placements for these requests (none completed)."""
    old_rows = session.exec(
        select(Placement).where(Placement.run_id == other.id, col(Placement.request_id).in_(mine))
    ).all()
    if any(p.status == PlacementStatus.COMPLETED.value for p in old_rows):
        raise AllocationRefused(
            f"Run {other.id} has completed placements for these requests and cannot be superseded."
        )
    cancelled = 0
    for p in old_rows:
        if p.status == PlacementStatus.CONFIRMED.value:
            p.status = PlacementStatus.CANCELLED.value
            p.updated_at = now
            cancelled += 1
    record_audit(
        session,
        principal,
        "allocation.run.supersede",
        entity="allocation_run",
        entity_id=other.id,
        new={"superseded_by": run_id, "cancelled": cancelled},
    )


def approve_run(
    session: Session, *, principal: Principal, run_id: int, supersede: bool = False
) -> int:
    """Publish a plan: its placements become confirmed and visible to HEIs and settings.

    Refused for what-if scenarios (their capacity is not real), when the registers changed
    since the run took its snapshot (the plan may no longer fit: re-run first), and when an
    approved run already covers some of the same requests, unless ``supersede`` is set, in
    which case that run's confirmed placements for those requests are cancelled.
    Returns the number of placements confirmed.
    """
    staff_only(principal, "approve allocation runs")
    # Write before reading: on SQLite this takes the database's single writer lock up front,
    # so a concurrent approval waits and then reads what this one published (a SQLite
    # transaction otherwise starts at its first write, after the checks below).
    session.connection().execute(
        update(AllocationRun)
        .where(col(AllocationRun.id) == run_id)
        .values(status=AllocationRun.status)
    )
    run = run_or_refuse(session, run_id, lock=True)
    if run.status != RunStatus.SUCCEEDED.value:
        raise AllocationRefused(
            f"Run {run_id} is {run.status}: only a finished run can be approved."
        )
    if run.is_scenario:
        raise AllocationRefused(
            "A what-if scenario runs on edited capacity and cannot be "
            "approved: change the capacity register, then run again."
        )
    _refuse_if_registers_changed(session, run)
    mine = run_request_ids(run.inputs)
    # Lock the requests this plan covers, so that two overlapping approvals at once take
    # turns and the second sees the first (PostgreSQL; SQLite has one writer at a time).
    session.exec(
        select(PlacementRequest.id)
        .where(col(PlacementRequest.id).in_(mine))
        .order_by(col(PlacementRequest.id))
        .with_for_update()
    ).all()
    clashes = _clashing_runs(session, run, mine, supersede=supersede)
    now = utcnow()
    for other in clashes:
        _supersede(session, principal, other, run_id, mine, now)
    rows = session.exec(select(Placement).where(Placement.run_id == run_id)).all()
    for p in rows:
        p.status = PlacementStatus.CONFIRMED.value
        p.updated_at = now
    run.status = RunStatus.APPROVED.value
    run.approved_at = now
    run.approved_by = principal.username
    record_audit(
        session,
        principal,
        "allocation.run.approve",
        entity="allocation_run",
        entity_id=run_id,
        old={"status": RunStatus.SUCCEEDED.value},
        new={"status": run.status, "placements": len(rows), "superseded": [o.id for o in clashes]},
    )
    session.flush()
    plan_published(session, run_id=run_id)
    return len(rows)


def set_placement_status(
    session: Session,
    *,
    principal: Principal,
    placement_id: int,
    status: PlacementStatus | str,
    note: str | None = None,
) -> None:
    """Record that a confirmed placement was cancelled or completed.

    Changing a request-level row changes its named learners' rows too, so the learner's
    record and the next assignment (sectors already had) agree with what happened.
    """
    staff_only(principal, "change placement status")
    target = PlacementStatus(status)
    if target not in (PlacementStatus.CANCELLED, PlacementStatus.COMPLETED):
        raise AllocationRefused("A placement can only be marked cancelled or completed.")
    placement = session.get(Placement, placement_id)
    if placement is None:
        raise AllocationRefused(f"Placement {placement_id} does not exist.")
    if placement.status != PlacementStatus.CONFIRMED.value:
        raise AllocationRefused(
            f"Placement {placement_id} is {placement.status}: only a "
            "confirmed placement can be cancelled or completed."
        )
    affected: list[Placement] = [placement]
    if placement.learner_id is None:
        affected += session.exec(
            select(Placement).where(
                Placement.run_id == placement.run_id,
                Placement.request_id == placement.request_id,
                Placement.setting_id == placement.setting_id,
                Placement.block_id == placement.block_id,
                col(Placement.learner_id).is_not(None),
                Placement.status == PlacementStatus.CONFIRMED.value,
            )
        ).all()
    now = utcnow()
    for row in affected:
        row.status = target.value
        row.updated_at = now
    record_audit(
        session,
        principal,
        f"placement.{target.value}",
        entity="placement",
        entity_id=placement_id,
        old={"status": PlacementStatus.CONFIRMED.value},
        new={"status": target.value, "rows": len(affected)},
        detail=note,
    )
