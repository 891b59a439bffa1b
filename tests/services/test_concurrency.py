"""Two coordinators at once: no edit is lost silently, no plan is corrupted (both databases).

Each test starts its writers together on a barrier in separate threads with their own
sessions, as two gunicorn workers would. In-memory SQLite shares one connection between
threads, so on SQLite the same data goes into a temporary file database instead, where
SQLite's own locking applies as it does in a deployment.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.services.test_allocation_services import COORDINATOR as COORD
from tests.services.test_allocation_services import build_system
from tracker.db import make_engine, session_scope, upgrade
from tracker.models import AllocationRun, AuditLog, Placement, SupervisionCapacity
from tracker.services.allocation import AllocationRefused
from tracker.services.capacity import save_capacity_rows
from tracker.services.placements import approve_run
from tracker.services.registers import SaveRefused
from tracker.services.run_jobs import execute_run
from tracker.services.runs import create_run


@pytest.fixture
def shared(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """An engine whose connections are really separate (a file when on SQLite)."""
    if engine.dialect.name != "sqlite":
        yield engine
        return
    file_engine = make_engine(f"sqlite:///{tmp_path / 'concurrency.db'}")
    upgrade(file_engine)
    yield file_engine
    file_engine.dispose()


def _together(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions at the same moment; returns each one's result or exception."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = actions[i]()
        except Exception as exc:  # collected: the test asserts on it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_coordinators_saving_the_same_capacity_row(shared: Engine) -> None:
    with Session(shared) as session:
        build_system(session)
        row = session.exec(select(SupervisionCapacity).order_by(SupervisionCapacity.id)).first()
        assert row is not None and row.id is not None
        row_id, version = row.id, row.version

    def save(supervisors: int) -> Callable[[], int]:
        def action() -> int:
            with session_scope(shared) as session:
                return save_capacity_rows(
                    session,
                    principal=COORD,
                    rows=[
                        {
                            "id": row_id,
                            "version": version,
                            "practice_supervisors": supervisors,
                            "learners_per_supervisor": 1,
                        }
                    ],
                )

        return action

    results = _together(save(5), save(9))
    won = [r for r in results if r == 1]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1 and len(refused) == 1, results
    # The loser is told (a refusal or, on SQLite, the database's write conflict); never lost.
    assert isinstance(refused[0], SaveRefused) or "lock" in str(refused[0]).lower()
    winner = 5 if results[0] == 1 else 9
    with Session(shared) as session:
        saved = session.get(SupervisionCapacity, row_id)
        assert saved is not None
        assert (saved.practice_supervisors, saved.version) == (winner, version + 1)
        audits = session.exec(select(AuditLog).where(AuditLog.action == "save_capacity")).all()
        assert len(audits) == 1


def _queued_runs(engine: Engine, count: int) -> list[int]:
    with Session(engine) as session:
        build_system(session)
    ids = []
    for _ in range(count):
        with session_scope(engine) as session:
            ids.append(
                create_run(
                    session, principal=COORD, blocks=["2026-B1"], programmes=["NUR"], policy={}
                )
            )
    return ids


def _placed(engine: Engine, run_id: int) -> tuple[str, int, list[tuple[int, int, int]]]:
    with Session(engine) as session:
        run = session.get(AllocationRun, run_id)
        assert run is not None
        rows = session.exec(select(Placement).where(Placement.run_id == run_id)).all()
        plan = sorted((p.request_id, p.setting_id, p.learners) for p in rows)
        return run.status, int(run.figures["levels"]["placed"]), plan


def test_two_allocation_runs_at_once_are_stored_whole_and_apart(shared: Engine) -> None:
    first, second = _queued_runs(shared, 2)
    results = _together(lambda: execute_run(shared, first), lambda: execute_run(shared, second))
    assert results == ["succeeded", "succeeded"], results
    status_a, placed_a, plan_a = _placed(shared, first)
    status_b, placed_b, plan_b = _placed(shared, second)
    assert status_a == status_b == "succeeded"
    # Each run holds exactly its own plan: its rows add up to its figures, and the same
    # inputs give the same plan, so neither run's rows leaked into the other.
    assert sum(n for *_k, n in plan_a) == placed_a == 7
    assert sum(n for *_k, n in plan_b) == placed_b == 7
    assert plan_a == plan_b


def test_executing_the_same_run_twice_at_once_stores_it_once(shared: Engine) -> None:
    (run_id,) = _queued_runs(shared, 1)
    results = _together(lambda: execute_run(shared, run_id), lambda: execute_run(shared, run_id))
    assert "succeeded" in results, results
    _status, placed, plan = _placed(shared, run_id)
    assert sum(n for *_k, n in plan) == placed == 7


def test_approving_two_overlapping_runs_at_once_publishes_one(shared: Engine) -> None:
    first, second = _queued_runs(shared, 2)
    for run_id in (first, second):
        assert execute_run(shared, run_id) == "succeeded"

    def approve(run_id: int) -> Callable[[], int]:
        def action() -> int:
            with session_scope(shared) as session:
                return approve_run(session, principal=COORD, run_id=run_id)

        return action

    results = _together(approve(first), approve(second))
    assert sum(isinstance(r, int) for r in results) == 1, results
    loser = next(r for r in results if isinstance(r, Exception))
    assert isinstance(loser, AllocationRefused) or "lock" in str(loser).lower(), loser
    with Session(shared) as session:
        approved = session.exec(
            select(AllocationRun).where(AllocationRun.status == "approved")
        ).all()
        assert len(approved) == 1
        confirmed = session.exec(select(Placement).where(Placement.status == "confirmed")).all()
        assert {p.run_id for p in confirmed} == {approved[0].id}
