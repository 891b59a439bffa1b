"""Allocation use cases: run, adjust, re-run, what-if, assign, approve and close placements.

Each function is one transaction with its audit rows, except ``execute_run``, which takes an
engine because it runs as a background job (possibly in a Celery worker, where there is no
web request): it marks the run running in a first short transaction, solves with no
transaction open, and writes every result in one final transaction. A job killed mid-way
therefore leaves no placements behind, only a run row still marked "running";
``cancel_run`` (the page's cancel button) or ``fail_stale_runs`` closes such rows. While it
solves, the job writes ``heartbeat_at`` every few seconds from a side thread, so a run whose
worker was killed is recognised within ``TRACKER_JOB_STALE_SECONDS`` (default 120), not hours.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, select

from tracker import optimise
from tracker.access import STAFF, Principal, require_role
from tracker.clock import utcnow
from tracker.db import session_scope
from tracker.models import (
    AllocationRun,
    Learner,
    LearnerEvent,
    Placement,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    PlacementStatus,
    RunStatus,
)
from tracker.refusals import Refused
from tracker.services.allocation_inputs import build_snapshot, live_frames
from tracker.services.audit import record_audit
from tracker.snapshots import (
    CapacityChange,
    describe_changes,
    fingerprint,
    frame_records,
    snapshot_frames,
)

Progress = Callable[[float, str], None]

#: A run still "queued" after this long was never picked up (no worker, queue flushed). Queued
#: runs have no heartbeat and may wait legitimately behind other jobs, hence the long limit.
STALE_AFTER = timedelta(hours=2)
#: Default for ``TRACKER_JOB_STALE_SECONDS``: a running job silent this long has lost its worker.
DEFAULT_STALE_SECONDS = 120
STALE_ERROR = "The worker running this job stopped; nothing was saved — run it again."
NEVER_STARTED_ERROR = "No worker started this job in time; nothing was saved — run it again."

log = logging.getLogger(__name__)

_EDITABLE = frozenset({RunStatus.SUCCEEDED.value})
_ACTIVE_LEARNER_EVENTS = frozenset({"started", "returned", "transferred_in"})


class AllocationRefused(Refused):
    """The action breaks a rule or the state of the run; the message says which, for users."""


def job_stale_after() -> timedelta:
    """How long a running job may go without a heartbeat (``TRACKER_JOB_STALE_SECONDS``).

    Read from the environment at each use, so web processes and workers configured alike agree,
    and a test can set it low for one subprocess. Bad or tiny values fall back to safe ones: a
    limit under a few heartbeats would fail healthy jobs.
    """
    raw = os.environ.get("TRACKER_JOB_STALE_SECONDS", "").strip()
    try:
        seconds = float(raw) if raw else DEFAULT_STALE_SECONDS
    except ValueError:
        seconds = DEFAULT_STALE_SECONDS
    return timedelta(seconds=max(seconds, 2.0))


class _Heartbeat:
    """Stamp ``heartbeat_at`` on a running run from a daemon thread while the job solves.

    The solve itself cannot report (HiGHS and CBC block for long stretches), and a killed worker
    cannot say it died, so liveness is shown by a beat written several times per stale limit.
    Each beat is its own short transaction and only touches a run still "running"; a failed beat
    (database busy) is logged and retried at the next one rather than failing the job.
    """

    def __init__(self, engine: Engine, run_id: int, interval: float) -> None:
        self._engine, self._run_id, self._interval = engine, run_id, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"run-{run_id}-heartbeat", daemon=True
        )

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _beat(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                with self._engine.begin() as conn:
                    conn.execute(
                        update(AllocationRun)
                        .where(
                            col(AllocationRun.id) == self._run_id,
                            col(AllocationRun.status) == RunStatus.RUNNING.value,
                        )
                        .values(heartbeat_at=utcnow())
                    )
            except Exception:  # a missed beat is tolerated; several in a row make it stale
                log.warning("heartbeat of run %s not written", self._run_id, exc_info=True)


def _staff(principal: Principal, action: str) -> None:
    require_role(principal, STAFF, action)


def _run(session: Session, run_id: int, *, lock: bool = False) -> AllocationRun:
    query = select(AllocationRun).where(AllocationRun.id == run_id)
    if lock:
        query = query.with_for_update()
    run = session.exec(query).first()
    if run is None:
        raise AllocationRefused(f"Run {run_id} does not exist.")
    return run


def _policy(data: Mapping[str, Any] | None) -> optimise.Policy:
    try:
        return optimise.Policy.from_dict(dict(data or {}))
    except optimise.InputError as exc:
        raise AllocationRefused(
            "The policy is not valid: " + "; ".join(str(p) for p in exc.problems)
        ) from exc


# --- runs -------------------------------------------------------------------------------------


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
) -> int:
    """Queue a run on a snapshot of the registers in scope; ``execute_run`` solves it.

    Splitting the two lets the web page resolve the user and write the run row in an ordinary
    request, then hand only the id to a background job that may run in another process.
    """
    _staff(principal, "run allocations")
    if not blocks:
        raise AllocationRefused("Choose at least one placement block.")
    checked = _policy(policy)
    changes = [
        c if isinstance(c, CapacityChange) else CapacityChange.from_dict(c)
        for c in capacity_overrides or ()
    ]
    fail_stale_runs(session, principal=principal)
    inputs = build_snapshot(session, blocks=blocks, programmes=programmes, capacity_changes=changes)
    if not inputs["demand"]:
        raise AllocationRefused(
            "There are no submitted requests for the chosen blocks and programmes."
        )
    run = AllocationRun(
        name=name.strip()[:200] or _default_name(blocks, changes),
        status=RunStatus.QUEUED.value,
        created_at=utcnow(),
        created_by=principal.username,
        parent_run_id=parent_run_id,
        is_scenario=bool(changes),
        scope={"blocks": sorted(blocks), "programmes": sorted(programmes)},
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


def _default_name(blocks: Sequence[str], changes: Sequence[CapacityChange]) -> str:
    base = "Blocks " + ", ".join(sorted(blocks))
    return base + (" (what-if)" if changes else "")


def execute_run(engine: Engine, run_id: int, *, progress: Progress | None = None) -> str:
    """Solve a queued run and store its plan; returns the final status.

    Input errors are stored on the run (status failed, the row-level problems in
    ``figures["problems"]``) rather than raised, because nobody is waiting on the job's
    exception: the page reads the run row.
    """
    with session_scope(engine) as session:
        # Claim the run with one conditional UPDATE, so that a job delivered twice (a Celery
        # redelivery after a lost worker: tasks are acknowledged late) or started twice solves
        # and stores it once, on SQLite too. The redelivered copy finds the run "running" (or
        # already failed as stale) and returns its status without touching it.
        started = utcnow()
        claimed = session.connection().execute(
            update(AllocationRun)
            .where(
                col(AllocationRun.id) == run_id, col(AllocationRun.status) == RunStatus.QUEUED.value
            )
            .values(status=RunStatus.RUNNING.value, started_at=started, heartbeat_at=started)
        )
        run = _run(session, run_id)
        if claimed.rowcount != 1:
            return run.status
        inputs, policy_data, parent_id = dict(run.inputs), dict(run.policy), run.parent_run_id
    with session_scope(engine) as session:  # a job starting is a good moment to close dead ones
        fail_stale_runs(session)
    beat = min(30.0, job_stale_after().total_seconds() / 4)
    with _Heartbeat(engine, run_id, beat):
        return _solve_and_store(engine, run_id, inputs, policy_data, parent_id, progress=progress)


def _solve_and_store(
    engine: Engine,
    run_id: int,
    inputs: dict[str, Any],
    policy_data: dict[str, Any],
    parent_id: int | None,
    *,
    progress: Progress | None,
) -> str:
    """The claimed part of ``execute_run``: solve with no transaction open, then ``_finish``."""
    settings, capacity, demand = snapshot_frames(inputs)
    pins = [optimise.Pin(**p) for p in inputs.get("pins", [])]
    previous = pd.DataFrame(inputs["previous"]) if inputs.get("previous") else None
    figures: dict[str, Any]
    try:
        result = _allocate(
            settings,
            capacity,
            demand,
            optimise.Policy.from_dict(policy_data),
            pins=pins,
            previous=previous,
            progress=progress,
        )
    except optimise.InputError as exc:
        figures = {"problems": [str(p) for p in exc.problems]}
        return _finish(
            engine,
            run_id,
            RunStatus.FAILED,
            figures=figures,
            error=f"{len(exc.problems)} problem(s) in the input",
            rows=[],
        )
    except Exception as exc:  # any solver crash must close the run, not leave it hanging
        return _finish(
            engine,
            run_id,
            RunStatus.FAILED,
            figures={},
            error=f"{type(exc).__name__}: {exc}",
            rows=[],
        )
    if progress:
        progress(1.0, "storing the plan")
    ids = inputs["ids"]
    pinned = {(p.request_id, p.setting_id, p.block) for p in pins}
    rows = [
        Placement(
            run_id=run_id,
            request_id=ids["requests"][str(r.request_id)],
            setting_id=ids["settings"][str(r.setting_id)],
            block_id=ids["blocks"][str(r.block)],
            learners=int(r.learners),
            status=PlacementStatus.PROPOSED.value,
            pinned=bool(r.pinned) or (str(r.request_id), str(r.setting_id), str(r.block)) in pinned,
        )
        for r in result.placements.itertuples(index=False)
        if int(r.learners) > 0
    ]
    figures = {
        "status": result.status,
        "levels": result.levels.to_dict(),
        "hei_fill": frame_records(result.hei_fill),
        "sector_utilisation": frame_records(result.sector_utilisation),
        "unmet": frame_records(result.unmet),
        "bottlenecks": frame_records(result.bottlenecks.head(100)),
        "timings": {k: round(float(v), 4) for k, v in result.timings.items()},
        "messages": list(result.messages),
        "solver": result.solver,
        "parent_run_id": parent_id,
    }
    status = RunStatus.FAILED if result.status == "failed" else RunStatus.SUCCEEDED
    return _finish(
        engine,
        run_id,
        status,
        figures=figures,
        rows=rows,
        solver=result.solver,
        seconds=result.seconds,
        error="; ".join(result.messages) if status is RunStatus.FAILED else None,
    )


def _allocate(
    settings: pd.DataFrame,
    capacity: pd.DataFrame,
    demand: pd.DataFrame,
    policy: optimise.Policy,
    *,
    pins: Sequence[optimise.Pin],
    previous: pd.DataFrame | None,
    progress: Progress | None,
) -> optimise.AllocationResult:
    """Call the engine once: pins are hard, and the previous plan only steers what is left."""
    return optimise.allocate(
        settings, capacity, demand, policy, pins=pins, previous=previous, progress=progress
    )


def _finish(
    engine: Engine,
    run_id: int,
    status: RunStatus,
    *,
    figures: dict[str, Any],
    rows: list[Placement],
    error: str | None = None,
    solver: str | None = None,
    seconds: float | None = None,
) -> str:
    """Write the outcome in one transaction, unless the run was cancelled meanwhile."""
    with session_scope(engine) as session:
        run = _run(session, run_id, lock=True)
        if run.status != RunStatus.RUNNING.value:
            return run.status  # cancelled (or closed as stale) while solving: keep it that way
        session.add_all(rows)
        run.status = status.value
        run.figures = figures
        run.error = error
        run.solver = None if solver is None else solver[:100]
        run.seconds = seconds
        run.finished_at = utcnow()
        record_audit(
            session,
            None,
            "allocation.run.finish",
            entity="allocation_run",
            entity_id=run_id,
            new={"status": status.value, "placements": len(rows), "by": run.created_by},
        )
        return status.value


def cancel_run(session: Session, *, principal: Principal, run_id: int) -> None:
    """Mark a queued or running run cancelled; the job's final write then leaves it alone."""
    _staff(principal, "cancel allocation runs")
    run = _run(session, run_id, lock=True)
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


def fail_stale_runs(
    session: Session,
    *,
    principal: Principal | None = None,
    older_than: timedelta | None = None,
    queued_for: timedelta = STALE_AFTER,
    now: datetime | None = None,
) -> int:
    """Close runs whose job died without finishing (a killed worker cannot say so itself).

    A running run is dead when its last heartbeat (or its start) is older than ``older_than``
    (default ``TRACKER_JOB_STALE_SECONDS``); a queued run when nobody claimed it within
    ``queued_for``. Each run is failed by one conditional UPDATE that re-checks the status and
    the age, so a job finishing at the same moment either stores its whole plan first (and the
    run stays succeeded) or finds the run failed and stores nothing: never a failed run with
    placements. The job's final write keeps no rows for a run no longer "running".
    """
    now = now or utcnow()
    running_cutoff = now - (older_than if older_than is not None else job_stale_after())
    queued_cutoff = now - queued_for
    last_sign = func.coalesce(
        col(AllocationRun.heartbeat_at),
        col(AllocationRun.started_at),
        col(AllocationRun.created_at),
    )
    running_dead = (col(AllocationRun.status) == RunStatus.RUNNING.value) & (
        last_sign < running_cutoff
    )
    queued_dead = (col(AllocationRun.status) == RunStatus.QUEUED.value) & (
        col(AllocationRun.created_at) < queued_cutoff
    )
    candidates = session.exec(
        select(AllocationRun.id, AllocationRun.status).where(running_dead | queued_dead)
    ).all()
    count = 0
    for run_id, status in candidates:
        dead = running_dead if status == RunStatus.RUNNING.value else queued_dead
        closed = session.connection().execute(
            update(AllocationRun)
            .where(col(AllocationRun.id) == run_id, dead)
            .values(
                status=RunStatus.FAILED.value,
                finished_at=utcnow(),
                error=STALE_ERROR if status == RunStatus.RUNNING.value else NEVER_STARTED_ERROR,
            )
        )
        if closed.rowcount == 1:
            record_audit(
                session,
                principal,
                "allocation.run.stale",
                entity="allocation_run",
                entity_id=run_id,
                old={"status": status},
                new={"status": RunStatus.FAILED.value},
            )
            count += 1
    return count


# --- adjusting a plan ---------------------------------------------------------------------------


def _editable_placement(session: Session, placement_id: int) -> tuple[Placement, AllocationRun]:
    placement = session.get(Placement, placement_id)
    if placement is None or placement.run_id is None:
        raise AllocationRefused(f"Placement {placement_id} does not exist.")
    run = _run(session, placement.run_id, lock=True)
    if run.status not in _EDITABLE:
        raise AllocationRefused(
            f"Run {run.id} is {run.status}: only a finished, not yet approved plan can be adjusted."
        )
    if placement.learner_id is not None:
        raise AllocationRefused("Adjust the plan by request, then assign named learners again.")
    return placement, run


def pin_placement(
    session: Session, *, principal: Principal, placement_id: int, pinned: bool = True
) -> None:
    """Fix (or free) a placement so that a re-run keeps it exactly where it is."""
    _staff(principal, "pin placements")
    placement, run = _editable_placement(session, placement_id)
    if placement.pinned == pinned:
        return
    placement.pinned = pinned
    placement.updated_at = utcnow()
    record_audit(
        session,
        principal,
        "allocation.placement.pin" if pinned else "allocation.placement.unpin",
        entity="placement",
        entity_id=placement_id,
        old={"pinned": not pinned},
        new={"pinned": pinned, "run_id": run.id},
    )


class _Keys:
    """Database ids -> the allocator ids of one run's snapshot (register codes, where a
    setting offering places to several profession groups has one id per group)."""

    def __init__(self, inputs: Mapping[str, Any]) -> None:
        ids = inputs["ids"]
        self.requests = {db: key for key, db in ids["requests"].items()}
        self.blocks = {db: key for key, db in ids["blocks"].items()}
        self._settings: dict[int, list[str]] = {}
        for key, db in ids["settings"].items():
            self._settings.setdefault(db, []).append(key)
        self._hosts = {
            str(r["setting_id"]): set(str(r.get("programmes") or "").split(";"))
            for r in inputs.get("settings", [])
        }
        self._programme = {
            str(r["request_id"]): str(r["programme"]) for r in inputs.get("demand", [])
        }

    def setting(self, setting_id: int, request: str) -> str | None:
        """The setting's allocator id for this request's programme; None if not in the run."""
        keys = self._settings.get(setting_id, [])
        if len(keys) <= 1:
            return keys[0] if keys else None
        programme = self._programme.get(request)
        return next((k for k in keys if programme in self._hosts.get(k, set())), keys[0])


def _plan_as_pins(session: Session, run: AllocationRun) -> list[tuple[Placement, optimise.Pin]]:
    keys = _Keys(run.inputs)
    rows = session.exec(
        select(Placement).where(Placement.run_id == run.id, col(Placement.learner_id).is_(None))
    ).all()
    out = []
    for p in rows:
        if p.request_id is None:
            continue
        request = keys.requests[p.request_id]
        setting = keys.setting(p.setting_id, request)
        if setting is None:
            continue
        out.append((p, optimise.Pin(request, setting, keys.blocks[p.block_id], p.learners)))
    return out


def move_learners(
    session: Session,
    *,
    principal: Principal,
    placement_id: int,
    to_setting_id: int,
    learners: int | None = None,
) -> int:
    """Move some learners of a placement to another setting in the same block, by hand.

    The whole adjusted plan is checked with the allocator's own rules (supervisor capacity,
    programme hosted, required sector, distance limit, request size) on the run's snapshot,
    so a hand edit can never make a plan the allocator itself would refuse. The moved
    learners are pinned: a re-run close to this plan keeps the coordinator's decision.
    Returns the id of the placement that now holds them.
    """
    _staff(principal, "move learners")
    placement, run = _editable_placement(session, placement_id)
    count = placement.learners if learners is None else int(learners)
    if count <= 0 or count > placement.learners:
        raise AllocationRefused(f"Choose between 1 and {placement.learners} learners to move.")
    if to_setting_id == placement.setting_id:
        raise AllocationRefused("The learners are already at that setting.")
    keys = _Keys(run.inputs)
    assert placement.request_id is not None
    request = keys.requests[placement.request_id]
    block = keys.blocks[placement.block_id]
    to_key = keys.setting(to_setting_id, request)
    if to_key is None:
        raise AllocationRefused("That setting offers no places in this run's inputs.")
    target = session.exec(
        select(Placement).where(
            Placement.run_id == run.id,
            Placement.request_id == placement.request_id,
            Placement.setting_id == to_setting_id,
            Placement.block_id == placement.block_id,
            col(Placement.learner_id).is_(None),
        )
    ).first()
    pins = [pin for row, pin in _plan_as_pins(session, run) if row.id != placement.id]
    pins.append(optimise.Pin(request, to_key, block, count))
    if placement.learners > count:
        from_key = keys.setting(placement.setting_id, request)
        assert from_key is not None
        pins.append(optimise.Pin(request, from_key, block, placement.learners - count))
    settings, capacity, demand = snapshot_frames(run.inputs)
    try:
        optimise.validate(settings, capacity, demand, _policy(run.policy), pins=pins)
    except optimise.InputError as exc:
        reasons = [p.message for p in exc.problems if p.table == "pins"] or [
            str(p) for p in exc.problems
        ]
        raise AllocationRefused("Move refused: " + "; ".join(reasons)) from exc
    before = {"setting_id": placement.setting_id, "learners": placement.learners}
    now = utcnow()
    if target is None:
        target = Placement(
            run_id=run.id,
            request_id=placement.request_id,
            setting_id=to_setting_id,
            block_id=placement.block_id,
            learners=count,
            status=PlacementStatus.PROPOSED.value,
            pinned=True,
            updated_at=now,
        )
        session.add(target)
    else:
        target.learners += count
        target.pinned = True
        target.updated_at = now
    if count == placement.learners:
        session.delete(placement)
    else:
        placement.learners -= count
        placement.updated_at = now
    run.figures = {**run.figures, "adjusted": int(run.figures.get("adjusted", 0)) + count}
    session.flush()
    record_audit(
        session,
        principal,
        "allocation.placement.move",
        entity="placement",
        entity_id=placement_id,
        old=before,
        new={"setting_id": to_setting_id, "learners": count, "run_id": run.id},
    )
    assert target.id is not None
    return target.id


def rerun_close_to(session: Session, *, principal: Principal, run_id: int, name: str = "") -> int:
    """Queue a new run on today's registers that keeps the pins and moves as little as it can.

    The earlier plan goes in as ``previous`` with ``stay_close_to_previous`` on, so the
    allocator keeps the most learners placed and the fair share between HEIs, then moves the
    fewest learners. A what-if run keeps its capacity changes.
    """
    _staff(principal, "re-run allocations")
    parent = _run(session, run_id)
    if parent.status not in (RunStatus.SUCCEEDED.value, RunStatus.APPROVED.value):
        raise AllocationRefused(f"Run {run_id} is {parent.status}: re-run from a finished plan.")
    plan = _plan_as_pins(session, parent)
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
    run = _run(session, new_id)
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
    _staff(principal, "create what-if scenarios")
    parent = _run(session, run_id)
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
    )


# --- named learners ---------------------------------------------------------------------------


def _active_learners(session: Session, cohort_id: int, on: Any) -> list[Learner]:
    learners = session.exec(
        select(Learner).where(Learner.cohort_id == cohort_id).order_by(Learner.learner_ref)
    ).all()
    events = session.exec(
        select(LearnerEvent)
        .join(Learner)
        .where(Learner.cohort_id == cohort_id, LearnerEvent.event_date <= on)
        .order_by(col(LearnerEvent.event_date), col(LearnerEvent.id))
    ).all()
    last: dict[int, str] = {}
    for event in events:
        last[event.learner_id] = event.event
    return [x for x in learners if x.id not in last or last[x.id] in _ACTIVE_LEARNER_EVENTS]


def assign_named_learners(session: Session, *, principal: Principal, run_id: int) -> dict[str, int]:
    """Second stage: name the learners who fill each request's places in this plan.

    Each request is filled from its cohort's learners who are still on the programme at the
    start of the block (in learner reference order, sharing a cohort between its requests in
    that block), honouring each learner's own travel limit and preferring a sector they have
    not had yet. Earlier names of this run are replaced, so it can be repeated after edits.
    Learner records hold only a postcode district, so each learner travels from their
    request's origin (the one stage 1 measured distances from) when the limit is checked.
    """
    _staff(principal, "assign named learners")
    run = _run(session, run_id, lock=True)
    if run.status not in (RunStatus.SUCCEEDED.value, RunStatus.APPROVED.value):
        raise AllocationRefused(
            f"Run {run_id} is {run.status}: assign learners to a finished plan."
        )
    named = session.exec(
        select(Placement).where(Placement.run_id == run_id, col(Placement.learner_id).is_not(None))
    ).all()
    if any(
        p.status in (PlacementStatus.CANCELLED.value, PlacementStatus.COMPLETED.value)
        for p in named
    ):
        raise AllocationRefused(
            "Some named placements of this run are already cancelled or "
            "completed: they can no longer be reassigned."
        )
    for row in named:
        session.delete(row)
    session.flush()
    plan = session.exec(
        select(Placement).where(Placement.run_id == run_id, col(Placement.learner_id).is_(None))
    ).all()
    requests = {
        r.id: r
        for r in session.exec(
            select(PlacementRequest).where(
                col(PlacementRequest.id).in_({p.request_id for p in plan})
            )
        ).all()
    }
    blocks = {b.id: b for b in session.exec(select(PlacementBlock)).all()}
    setting_rows = {s.id: s for s in session.exec(select(PlacementSetting)).all()}
    had = _sectors_had(session, setting_rows)
    learner_rows: list[dict[str, Any]] = []
    taken: set[int] = set()
    for request in sorted(requests.values(), key=lambda r: r.code):
        pool = [
            x
            for x in _active_learners(
                session, request.cohort_id, blocks[request.block_id].start_date
            )
            if x.id not in taken
        ]
        chosen = pool[: request.learners]
        taken.update(x.id for x in chosen if x.id is not None)
        learner_rows += [
            {
                "learner_id": str(x.id),
                "request_id": str(request.id),
                "lat": request.lat,
                "lon": request.lon,
                "max_distance_km": x.max_travel_km,
                "sectors_had": ";".join(sorted(had.get(x.id or 0, set()))),
            }
            for x in chosen
        ]
    stage_one = pd.DataFrame(
        [
            {
                "request_id": str(p.request_id),
                "setting_id": str(p.setting_id),
                "block": str(p.block_id),
                "learners": p.learners,
            }
            for p in plan
        ],
        columns=["request_id", "setting_id", "block", "learners"],
    )
    settings = pd.DataFrame(
        [
            {"setting_id": str(s.id), "sector": s.sector, "lat": s.lat, "lon": s.lon}
            for s in setting_rows.values()
        ],
        columns=["setting_id", "sector", "lat", "lon"],
    )
    people = pd.DataFrame(
        learner_rows,
        columns=["learner_id", "request_id", "lat", "lon", "max_distance_km", "sectors_had"],
    )
    assigned = (
        optimise.assign_learners(stage_one, people, settings)
        if len(people)
        else pd.DataFrame(columns=["learner_id", "request_id", "setting_id", "block"])
    )
    status = (
        PlacementStatus.CONFIRMED
        if run.status == RunStatus.APPROVED.value
        else PlacementStatus.PROPOSED
    )
    now = utcnow()
    placed = 0
    for row in assigned.itertuples(index=False):
        if row.setting_id is None or pd.isna(row.setting_id):
            continue
        session.add(
            Placement(
                run_id=run_id,
                request_id=int(row.request_id),
                learner_id=int(row.learner_id),
                setting_id=int(row.setting_id),
                block_id=int(row.block),
                learners=1,
                status=status.value,
                updated_at=now,
            )
        )
        placed += 1
    summary = {"learners": len(people), "placed": placed, "without_place": len(people) - placed}
    run.figures = {**run.figures, "named": summary}
    record_audit(
        session,
        principal,
        "allocation.learners.assign",
        entity="allocation_run",
        entity_id=run_id,
        new=summary,
    )
    return summary


def _sectors_had(
    session: Session, settings: Mapping[int | None, PlacementSetting]
) -> dict[int, set[str]]:
    rows = session.exec(
        select(Placement).where(
            col(Placement.learner_id).is_not(None),
            col(Placement.status).in_([PlacementStatus.COMPLETED.value]),
        )
    ).all()
    out: dict[int, set[str]] = {}
    for p in rows:
        assert p.learner_id is not None
        out.setdefault(p.learner_id, set()).add(settings[p.setting_id].sector)
    return out


# --- publishing -------------------------------------------------------------------------------


def _request_ids(run: AllocationRun) -> set[int]:
    ids = run.inputs.get("ids", {}).get("requests", {})
    return {
        ids[str(r["request_id"])]
        for r in run.inputs.get("demand", [])
        if str(r["request_id"]) in ids
    }


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
    _staff(principal, "approve allocation runs")
    # Write before reading: on SQLite this takes the database's single writer lock up front,
    # so a concurrent approval waits and then reads what this one published (a SQLite
    # transaction otherwise starts at its first write, after the checks below).
    session.connection().execute(
        update(AllocationRun)
        .where(col(AllocationRun.id) == run_id)
        .values(status=AllocationRun.status)
    )
    run = _run(session, run_id, lock=True)
    if run.status != RunStatus.SUCCEEDED.value:
        raise AllocationRefused(
            f"Run {run_id} is {run.status}: only a finished run can be approved."
        )
    if run.is_scenario:
        raise AllocationRefused(
            "A what-if scenario runs on edited capacity and cannot be "
            "approved: change the capacity register, then run again."
        )
    scope = run.scope
    settings, capacity, demand = live_frames(
        session, blocks=scope.get("blocks", []), programmes=scope.get("programmes", [])
    )
    live = {"settings": settings, "capacity": capacity, "demand": demand}
    if fingerprint(live) != run.inputs.get("fingerprint"):
        changed = describe_changes(run.inputs, {k: frame_records(v) for k, v in live.items()})
        raise AllocationRefused(
            f"The registers changed since run {run_id} was made: {changed}. "
            "Re-run close to this plan, then approve the new run."
        )
    mine = _request_ids(run)
    # Lock the requests this plan covers, so that two overlapping approvals at once take
    # turns and the second sees the first (PostgreSQL; SQLite has one writer at a time).
    session.exec(
        select(PlacementRequest.id)
        .where(col(PlacementRequest.id).in_(mine))
        .order_by(col(PlacementRequest.id))
        .with_for_update()
    ).all()
    clashes = []
    for other in session.exec(
        select(AllocationRun).where(
            AllocationRun.status == RunStatus.APPROVED.value, AllocationRun.id != run_id
        )
    ).all():
        if _request_ids(other) & mine:
            clashes.append(other)
    if clashes and not supersede:
        names = ", ".join(f"run {o.id} ({o.name})" for o in clashes)
        raise AllocationRefused(
            f"Already approved for some of the same requests: {names}. "
            "Approve again choosing to supersede it."
        )
    now = utcnow()
    for other in clashes:
        old_rows = session.exec(
            select(Placement).where(
                Placement.run_id == other.id, col(Placement.request_id).in_(mine)
            )
        ).all()
        if any(p.status == PlacementStatus.COMPLETED.value for p in old_rows):
            raise AllocationRefused(
                f"Run {other.id} has completed placements for these requests "
                "and cannot be superseded."
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
    _staff(principal, "change placement status")
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
