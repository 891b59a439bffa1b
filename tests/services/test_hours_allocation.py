"""The allocator in the app gives priority to learners behind on practice hours: stage 2
fills a request with them before the cohort's other learners.

The system is the allocation services' (tests/services/test_allocation_services.py): H1's
cohort has five learners on the programme and request R1 asks for four, so without hours the
first four by reference (H1-L0..H1-L3) are named.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.services.test_allocation_services import COORDINATOR, _run, build_system
from tracker.db import session_scope
from tracker.models import Learner, Placement, PracticeHours, PracticeRequirement, Programme
from tracker.services.named_learners import assign_named_learners


def _named(engine: Engine, run_id: int) -> set[str]:
    with session_scope(engine) as session:
        assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
    with Session(engine) as session:
        refs = session.exec(
            select(Learner.learner_ref)
            .join(Placement, col(Placement.learner_id) == Learner.id)
            .where(Placement.run_id == run_id)
        ).all()
    return {r for r in refs if r.startswith("H1-")}


@pytest.fixture
def system(engine: Engine) -> Engine:
    with Session(engine) as session:
        build_system(session)
    return engine


def record_hours_except(engine: Engine, behind_ref: str) -> None:
    """A requirement for NUR (2,300 hours, margin 150) and 20 weeks from 2025-09-29 for every
    learner but ``behind_ref``: measured on 2026-02-15 (the latest week's last day) 280 hours
    are expected, so 750 done is on track and none is behind."""
    with Session(engine) as session:
        nursing = session.exec(select(Programme).where(Programme.code == "NUR")).one()
        session.add(PracticeRequirement(programme_id=nursing.id, required=2300, behind_margin=150))
        for learner in session.exec(select(Learner)).all():
            if learner.learner_ref == behind_ref:
                continue
            for week in range(20):
                day = date(2025, 9, 29) + timedelta(weeks=week)
                session.add(PracticeHours(learner_id=learner.id, worked_on=day, hours=37.5))
        session.commit()


def test_a_learner_behind_on_hours_fills_the_request_first(system: Engine) -> None:
    run_id = _run(system, max_km=None)
    assert _named(system, run_id) == {"H1-L0", "H1-L1", "H1-L2", "H1-L3"}
    record_hours_except(system, "H1-L4")
    named = _named(system, _run(system, max_km=None))
    assert "H1-L4" in named and len(named) == 4
