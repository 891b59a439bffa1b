"""Allocation runs as users name them: queue a run, cancel it, re-run close to a plan, what-if.

Each function is one transaction with its audit rows. A run stores a snapshot of the registers
(``services.allocation_inputs``); the job that solves it is ``services.run_jobs``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from tracker.access import Principal
from tracker.clock import utcnow
from tracker.models import (
    AllocationRun,
    RunStatus,
)
from tracker.queries.dated_inputs import academic_year
from tracker.services.allocation import AllocationRefused, run_or_refuse, run_policy, staff_only
from tracker.services.allocation_inputs import build_snapshot
from tracker.services.audit import record_audit
from tracker.services.plans import plan_as_pins
from tracker.services.run_jobs import fail_stale_runs
from tracker.snapshots import (
    WINDOW,
    CapacityChange,
    Window,
    snapshot_window,
)


def create_run(
    session: Session,
    *,
    principal: Principal,
    blocks: Sequence[str],
    programmes: Sequence[str] = (),
    policy: Mapping[str, Any] | None = None,
    name: str = "",
    capacity_overrides: Sequence[CapacityChange | Mapping[str, Any]] | None = None,
    parent_run_id: int | None = None,
    on_calendars: bool = False,
    window: Window | None = None,
) -> int:
    """Queue a run on a snapshot of the registers in scope; ``execute_run`` solves it.

    Splitting the two lets the web page resolve the user and write the run row in an ordinary
    request, then hand only the id to a background job that may run in another process.
    ``on_calendars`` (or a ``window``) makes it a run on the programme calendars over the
    window's dates (default: the academic year of the earliest chosen block), whatever
    blocks its requests are in; otherwise it is a block run, exactly as before.
    """
    staff_only(principal, "run allocations")
    if on_calendars or window is not None:
        window = checked_window(session, window, blocks)
    elif not blocks:
        raise AllocationRefused("Choose at least one placement block.")
    checked = run_policy(policy)
    changes = [
        c if isinstance(c, CapacityChange) else CapacityChange.from_dict(c)
        for c in capacity_overrides or ()
    ]
    fail_stale_runs(session, principal=principal)
    inputs = build_snapshot(
        session, blocks=blocks, programmes=programmes, capacity_changes=changes, window=window
    )
    if not inputs["demand"]:
        raise AllocationRefused(
            "There are no submitted requests for the chosen blocks and programmes."
            if window is None
            else "There are no submitted requests of the chosen programmes whose placement "
            f"dates lie between {window[0]:%d %b %Y} and {window[1]:%d %b %Y}."
        )
    scope: dict[str, Any] = {"blocks": sorted(blocks), "programmes": sorted(programmes)}
    if window is not None:
        scope = {
            "blocks": sorted({str(r["block"]) for r in inputs["demand"]}),
            "programmes": sorted(programmes),
            "window": inputs[WINDOW],
        }
    run = AllocationRun(
        name=name.strip()[:200] or _default_name(scope, changes),
        status=RunStatus.QUEUED.value,
        created_at=utcnow(),
        created_by=principal.username,
        parent_run_id=parent_run_id,
        is_scenario=bool(changes),
        scope=scope,
        policy=checked.to_dict(),
        inputs=inputs,
    )
    session.add(run)
    session.flush()
    record_audit(
        session,
        principal,
        "allocation.run.create",
        entity="allocation_run",
        entity_id=run.id,
        new={
            "scope": run.scope,
            "policy": run.policy,
            "capacity_changes": inputs["capacity_changes"],
            "parent_run_id": parent_run_id,
        },
    )
    assert run.id is not None
    return run.id


def _default_name(scope: Mapping[str, Any], changes: Sequence[CapacityChange]) -> str:
    if "window" in scope:
        base = "Programme calendars {} to {}".format(*scope["window"])
    else:
        base = "Blocks " + ", ".join(scope["blocks"])
    return base + (" (what-if)" if changes else "")


#: The longest window a run on the programme calendars may cover.
LONGEST_WINDOW = timedelta(days=731)


def checked_window(session: Session, window: Window | None, blocks: Sequence[str]) -> Window:
    """A run's date window: as given (refused when it ends before it starts or spans more
    than two years), else the academic year (1 September to 31 August) of the earliest of
    the chosen blocks."""
    if window is None:
        year = academic_year(session, blocks)
        if year is None:
            raise AllocationRefused("Choose the window's dates, or a block to take its year.")
        return year
    start, end = window
    if end < start:
        raise AllocationRefused("The window ends before it starts.")
    if end - start > LONGEST_WINDOW:
        raise AllocationRefused("A run on the programme calendars covers two years at most.")
    return start, end


def cancel_run(session: Session, *, principal: Principal, run_id: int) -> None:
    """Mark a queued or running run cancelled; the job's final write then leaves it alone."""
    staff_only(principal, "cancel allocation runs")
    run = run_or_refuse(session, run_id, lock=True)
    if run.status not in (RunStatus.QUEUED.value, RunStatus.RUNNING.value):
        raise AllocationRefused(
            f"Run {run_id} is {run.status}: only a queued or running run can be cancelled."
        )
    old = run.status
    run.status = RunStatus.CANCELLED.value
    run.finished_at = utcnow()
    record_audit(
        session,
        principal,
        "allocation.run.cancel",
        entity="allocation_run",
        entity_id=run_id,
        old={"status": old},
        new={"status": run.status},
    )


def rerun_close_to(session: Session, *, principal: Principal, run_id: int, name: str = "") -> int:
    """Queue a new run on today's registers that keeps the pins and moves as little as it can.

    The earlier plan goes in as ``previous`` with ``stay_close_to_previous`` on, so the
    allocator keeps the most learners placed and the fair share between HEIs, then moves the
    fewest learners. A what-if run keeps its capacity changes.
    """
    staff_only(principal, "re-run allocations")
    parent = run_or_refuse(session, run_id)
    if snapshot_window(parent.inputs) is not None:
        raise AllocationRefused(
            "Re-running close to a plan works on block runs only: run the programme "
            "calendars again instead."
        )
    if parent.status not in (RunStatus.SUCCEEDED.value, RunStatus.APPROVED.value):
        raise AllocationRefused(f"Run {run_id} is {parent.status}: re-run from a finished plan.")
    plan = plan_as_pins(session, parent)
    policy = {**parent.policy, "stay_close_to_previous": True}
    new_id = create_run(
        session,
        principal=principal,
        blocks=parent.scope.get("blocks", []),
        programmes=parent.scope.get("programmes", []),
        policy=policy,
        name=name or f"{parent.name} (re-run close)",
        capacity_overrides=parent.inputs.get("capacity_changes") or None,
        parent_run_id=run_id,
    )
    run = run_or_refuse(session, new_id)
    run.inputs = {
        **run.inputs,
        "pins": [dict(pin.__dict__) for row, pin in plan if row.pinned],
        "previous": [dict(pin.__dict__) for _row, pin in plan],
    }
    return new_id


def create_scenario(
    session: Session,
    *,
    principal: Principal,
    run_id: int,
    capacity_changes: Sequence[CapacityChange | Mapping[str, Any]],
    name: str = "",
) -> int:
    """Queue a what-if copy of a run with edited capacity (e.g. more care home supervisors).

    The edits live only in the new run's snapshot, so the live register, the original run and
    what other coordinators see are untouched; the scenario cannot be approved.
    """
    staff_only(principal, "create what-if scenarios")
    parent = run_or_refuse(session, run_id)
    changes = [
        c if isinstance(c, CapacityChange) else CapacityChange.from_dict(c)
        for c in capacity_changes
    ]
    if not changes:
        raise AllocationRefused("Describe at least one capacity change for the scenario.")
    previous = [CapacityChange.from_dict(c) for c in parent.inputs.get("capacity_changes", [])]
    all_changes = previous + changes
    label = "; ".join(c.describe() for c in changes)
    return create_run(
        session,
        principal=principal,
        blocks=parent.scope.get("blocks", []),
        programmes=parent.scope.get("programmes", []),
        policy=parent.policy,
        name=name or f"What-if: {label}"[:200],
        capacity_overrides=all_changes,
        parent_run_id=run_id,
        window=snapshot_window(parent.inputs),
    )
