"""The fairness explanation stored with a run and read back for its review (issue 15)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.services.test_allocation_services import COORDINATOR, System, _run, system
from tracker.access import AccessDenied
from tracker.models import AllocationRun
from tracker.queries.run_explanation import run_explanation

__all__ = ["system"]  # the fixture, used by name


def test_run_stores_fills_uses_gaps_and_who_leximin_held(engine: Engine, system: System) -> None:
    # 6 places within 50 km for 7 learners: H1 asks 4, H2 3. Leximin gives H1 3 (75%) and
    # H2 3 (100%) rather than 4 and 2 (67%): H1 is held first, by the full places it reaches.
    run_id = _run(engine, max_km=50)
    with Session(engine) as session:
        run = session.get(AllocationRun, run_id)
        assert run is not None
        assert run.figures["status"] == "optimal"
        assert run.figures["gaps"]["most_learners_placed"] == 0.0
        assert run.figures["held"][0]["members"] == [["H1", 0.75]]
        expl = run_explanation(session, principal=COORDINATOR, run_id=run_id)
    assert expl is not None and expl.status == "optimal" and expl.fairness == "leximin"
    fills = expl.heis.set_index("hei")
    assert fills.loc["H1", "placed"] == 3 and fills.loc["H2", "placed"] == 3
    assert fills.loc["H1", "fill_ratio"] == 0.75 and fills.loc["H2", "fill_ratio"] == 1.0
    assert set(expl.sectors["sector"]) == {"acute", "care_home"}
    assert dict(expl.gaps)["fair_share_between_heis"] == 0.0
    first = expl.held[0]
    assert first.level == "fair_share_between_heis" and first.round == 1
    # every learner that can be placed is placed, so H1 is held by the total, and the full
    # places in reach of its unplaced learner are named as the register names them
    assert first.members == (("H1", 0.75),) and first.reason == "by_total"
    assert {p.code for p in first.places} == {"S1", "S2", "S3"}
    assert {p.name for p in first.places} == {"Setting S1", "Setting S2", "Setting S3"}
    assert {p.block for p in first.places} == {"2026-B1"}


def test_max_min_runs_say_so_and_hold_no_rounds(engine: Engine, system: System) -> None:
    run_id = _run(engine, max_km=50, policy={"fairness": "max_min"})
    with Session(engine) as session:
        expl = run_explanation(session, principal=COORDINATOR, run_id=run_id)
    assert expl is not None and expl.fairness == "max_min" and expl.held == ()
    assert expl.status == "optimal" and len(expl.heis) == 2


def test_hei_users_may_not_read_a_runs_explanation(engine: Engine, system: System) -> None:
    run_id = _run(engine, max_km=50)
    with Session(engine) as session, pytest.raises(AccessDenied):
        run_explanation(session, principal=system.h1, run_id=run_id)
