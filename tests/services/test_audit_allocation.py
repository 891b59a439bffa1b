"""The allocator in the app obeys the educational audits register (and old snapshots do not).

The system is the allocation services' (``build_system``): 7 nursing learners in block 2026-B1
(7 Sep to 27 Nov 2026) around Leeds; within 50 km S1 has 3 places, S2 1, S3 2.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.services.test_allocation_services import COORDINATOR, System, build_system
from tracker.db import session_scope
from tracker.models import AllocationRun, EducationalAudit, Placement
from tracker.queries.run_review import run_review
from tracker.queries.runs import run_plan
from tracker.services.allocation import AllocationRefused
from tracker.services.placements import approve_run
from tracker.services.plans import move_learners
from tracker.services.run_jobs import execute_run
from tracker.services.runs import create_run

IN_DATE = (date(2025, 6, 1), date(2027, 6, 1))
EXPIRED = (date(2024, 6, 1), date(2026, 10, 31))  # lapses before the block ends


@pytest.fixture
def system(engine: Engine) -> System:
    with Session(engine) as session:
        return build_system(session)


def _audit(
    engine: Engine,
    system: System,
    code: str,
    dates: tuple[date, date],
    *,
    outcome: str = "approved",
    programmes: str = "*",
) -> None:
    with session_scope(engine) as session:
        session.add(
            EducationalAudit(
                setting_id=system.settings[code],
                audited_on=dates[0],
                expires_on=dates[1],
                outcome=outcome,
                programmes=programmes,
            )
        )


def _create(engine: Engine) -> int:
    with session_scope(engine) as session:
        return create_run(
            session,
            principal=COORDINATOR,
            blocks=["2026-B1"],
            programmes=["NUR"],
            policy={"max_distance_km": 50},
        )


def _placed_at(engine: Engine, run_id: int) -> dict[str, int]:
    with Session(engine) as session:
        plan = run_plan(session, principal=COORDINATOR, run_id=run_id)
        return plan.groupby("setting")["learners"].sum().to_dict()


def test_a_setting_with_an_expired_audit_gets_no_learners_and_the_review_says_why(
    engine: Engine, system: System
) -> None:
    _audit(engine, system, "S1", EXPIRED)
    for code in ("S2", "S3", "S4"):
        _audit(engine, system, code, IN_DATE, outcome="approved_with_actions")
    run_id = _create(engine)
    assert execute_run(engine, run_id) == "succeeded"
    placed = _placed_at(engine, run_id)
    assert "S1" not in placed and sum(placed.values()) == 3
    with Session(engine) as session:
        run = session.get(AllocationRun, run_id)
        assert run is not None and run.inputs["block_dates"] == {
            "2026-B1": ["2026-09-07", "2026-11-27"]
        }
        review = run_review(session, principal=COORDINATOR, run_id=run_id)
    assert review.unmet["learners"].sum() == 4
    assert set(review.unmet["reason_code"]) == {"audit"}
    assert all(
        r.startswith("educational audit expired / not approved for NUR at S1")
        for r in review.unmet["reason"]
    )


def test_an_in_date_audit_for_the_programme_or_its_field_lets_the_setting_take_learners(
    engine: Engine, system: System
) -> None:
    _audit(engine, system, "S1", IN_DATE, programmes="adult nursing")
    _audit(engine, system, "S2", IN_DATE, programmes="NUR")
    _audit(engine, system, "S3", IN_DATE, programmes="MID")  # approves another programme only
    run_id = _create(engine)
    assert execute_run(engine, run_id) == "succeeded"
    assert _placed_at(engine, run_id) == {"S1": 3, "S2": 1}


def test_a_setting_whose_latest_audit_was_not_approved_takes_nobody(
    engine: Engine, system: System
) -> None:
    for code in ("S1", "S2", "S3"):
        _audit(engine, system, code, IN_DATE)
    _audit(engine, system, "S3", (date(2026, 1, 10), date(2028, 1, 10)), outcome="not_approved")
    run_id = _create(engine)
    assert execute_run(engine, run_id) == "succeeded"
    assert _placed_at(engine, run_id) == {"S1": 3, "S2": 1}


def test_without_audits_in_the_register_runs_have_no_audit_rule(
    engine: Engine, system: System
) -> None:
    run_id = _create(engine)
    with Session(engine) as session:
        run = session.get(AllocationRun, run_id)
        assert run is not None and "audits" not in run.inputs
    assert execute_run(engine, run_id) == "succeeded"
    assert sum(_placed_at(engine, run_id).values()) == 6


def test_a_snapshot_made_before_audits_were_recorded_is_solved_as_it_was_made(
    engine: Engine, system: System
) -> None:
    """Runs are reproducible from their snapshot: audits recorded later do not reach it."""
    run_id = _create(engine)
    _audit(engine, system, "S1", EXPIRED)
    assert execute_run(engine, run_id) == "succeeded"
    assert _placed_at(engine, run_id).get("S1") == 3
    with session_scope(engine) as session, pytest.raises(AllocationRefused, match="audits"):
        approve_run(session, principal=COORDINATOR, run_id=run_id)  # registers changed since


def test_learners_cannot_be_moved_by_hand_to_a_setting_without_an_audit(
    engine: Engine, system: System
) -> None:
    _audit(engine, system, "S1", IN_DATE)
    _audit(engine, system, "S3", IN_DATE)
    run_id = _create(engine)
    assert execute_run(engine, run_id) == "succeeded"
    with Session(engine) as session:
        from_s1 = session.exec(
            select(Placement.id).where(
                Placement.run_id == run_id, Placement.setting_id == system.settings["S1"]
            )
        ).one()
    with session_scope(engine) as session, pytest.raises(AllocationRefused) as refusal:
        move_learners(
            session,
            principal=COORDINATOR,
            placement_id=from_s1,
            to_setting_id=system.settings["S2"],
            learners=1,
        )
    assert refusal.value.problems == [
        "Move refused: educational audit expired / not approved for NUR at Setting S2 (S2); "
        "Setting S2 (S2) breaks the rule 'programme hosted' for request R1."
    ]
