"""Solving a queued allocation run as a background job, and closing runs whose job died.

``execute_run`` takes an engine because it runs as a background job (possibly in a Celery
worker, where there is no web request): it marks the run running in a first short
transaction, solves with no transaction open, and writes every result in one final
transaction. A job killed mid-way therefore leaves no placements behind, only a run row still
marked "running"; ``services.runs.cancel_run`` (the page's cancel button) or
``fail_stale_runs`` closes such rows. While it solves, the job writes ``heartbeat_at`` every
few seconds from a side thread, so a run whose worker was killed is recognised within
``TRACKER_JOB_STALE_SECONDS`` (default 120), not hours.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, select

from tracker import optimise
from tracker.access import Principal
from tracker.clock import utcnow
from tracker.db import session_scope
from tracker.models import (
    AllocationRun,
    Placement,
    PlacementStatus,
    RunStatus,
)
from tracker.optimise.audit_filter import allocate_with_audits
from tracker.services.allocation import run_or_refuse
from tracker.services.audit import record_audit
from tracker.snapshots import (
    frame_records,
    snapshot_audits,
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


class Heartbeat:
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

    def __enter__(self) -> Heartbeat:
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
        run = run_or_refuse(session, run_id)
        if claimed.rowcount != 1:
            return run.status
        inputs, policy_data, parent_id = dict(run.inputs), dict(run.policy), run.parent_run_id
    with session_scope(engine) as session:  # a job starting is a good moment to close dead ones
        fail_stale_runs(session)
    beat = min(30.0, job_stale_after().total_seconds() / 4)
    with Heartbeat(engine, run_id, beat):
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
            audits=snapshot_audits(inputs),
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
    rows = _proposed_rows(run_id, result, inputs["ids"], pins)
    figures = _run_figures(result, parent_id)
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


def _proposed_rows(
    run_id: int,
    result: optimise.AllocationResult,
    ids: Mapping[str, Mapping[str, int]],
    pins: Sequence[optimise.Pin],
) -> list[Placement]:
    """The plan as proposed placement rows (database ids from the snapshot's id maps); a
    plan made on dates (the programme calendars) keeps each placement's first and last day."""
    pinned = {(p.request_id, p.setting_id, p.block) for p in pins}
    dated = "start_date" in result.placements.columns
    rows = [
        Placement(
            run_id=run_id,
            request_id=ids["requests"][str(r.request_id)],
            setting_id=ids["settings"][str(r.setting_id)],
            block_id=ids["blocks"][str(r.block)],
            learners=int(r.learners),
            status=PlacementStatus.PROPOSED.value,
            pinned=bool(r.pinned) or (str(r.request_id), str(r.setting_id), str(r.block)) in pinned,
            start_date=date.fromisoformat(str(r.start_date)) if dated else None,
            end_date=date.fromisoformat(str(r.end_date)) if dated else None,
        )
        for r in result.placements.itertuples(index=False)
        if int(r.learners) > 0
    ]
    return rows


def _run_figures(result: optimise.AllocationResult, parent_id: int | None) -> dict[str, Any]:
    """What the run review shows of a finished solve, as JSON."""
    return {
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
        # the fairness explanation: each level's proven gap (None: not proven, no bound) and
        # who each round of the fairness levels held where, and by which full places
        "gaps": {k: _gap(float(v)) for k, v in result.gaps.items()},
        "held": [h.to_dict() for h in result.held],
    }


def _gap(value: float) -> float | None:
    """A level's proven gap as JSON: None when nothing was proven (an infinite gap)."""
    return round(value, 6) if math.isfinite(value) else None


def _allocate(
    settings: pd.DataFrame,
    capacity: pd.DataFrame,
    demand: pd.DataFrame,
    policy: optimise.Policy,
    *,
    pins: Sequence[optimise.Pin],
    previous: pd.DataFrame | None,
    progress: Progress | None,
    audits: tuple[pd.DataFrame, Mapping[str, tuple[date, date]]] | None = None,
) -> optimise.AllocationResult:
    """Call the engine once: pins are hard, and the previous plan only steers what is left.

    With the snapshot's audits (None for snapshots made without them: no audit rule) a
    setting's places go only to programmes its approved, in-date audit covers in the block.
    """
    if audits is None:
        return optimise.allocate(
            settings, capacity, demand, policy, pins=pins, previous=previous, progress=progress
        )
    frame, dates = audits
    return allocate_with_audits(
        settings,
        capacity,
        demand,
        frame,
        dates,
        policy,
        pins=pins,
        previous=previous,
        progress=progress,
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
        run = run_or_refuse(session, run_id, lock=True)
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
