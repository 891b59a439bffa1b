"""Make-up hours learners on the request register: set on a request (typed or imported, with
the requests import's rule), carried into a run's snapshot, placed first within their HEI's
share, and shown in the run's review.

The system is the allocation services' (tests/services/test_allocation_services.py) with a
second H1 request, R3 (2 learners of H1's cohort): within 50 km of Leeds 6 places serve 9
learners asked for, so H1's requests share what its fair share gives it.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.services.test_allocation_services import COORDINATOR, LEEDS, System, _run, build_system
from tracker.access import AccessDenied
from tracker.data.importers import ImportRejected
from tracker.db import session_scope
from tracker.models import AllocationRun, AuditLog, PlacementRequest
from tracker.queries.requests import requests_register
from tracker.queries.run_review import run_review
from tracker.queries.runs import run_plan
from tracker.services.imports import apply_import
from tracker.services.registers import SaveRefused
from tracker.services.requests import set_makeup_learners, submit_request


@pytest.fixture
def system(engine: Engine) -> tuple[Engine, System]:
    with Session(engine) as session:
        built = build_system(session)
        r1 = session.exec(select(PlacementRequest).where(PlacementRequest.code == "R1")).one()
        session.add(
            PlacementRequest(
                code="R3",
                cohort_id=r1.cohort_id,
                block_id=r1.block_id,
                learners=2,
                lat=LEEDS[0],
                lon=LEEDS[1],
            )
        )
        session.commit()
    return engine, built


def _request(engine: Engine, code: str) -> PlacementRequest:
    with Session(engine) as session:
        return session.exec(select(PlacementRequest).where(PlacementRequest.code == code)).one()


def _set(engine: Engine, principal: object, code: str, makeup: object) -> PlacementRequest:
    request = _request(engine, code)
    assert request.id is not None
    with session_scope(engine) as session:
        return set_makeup_learners(
            session,
            principal=principal,  # type: ignore[arg-type]
            request_id=request.id,
            version=request.version,
            makeup=makeup,
        )


def _placed(engine: Engine, run_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    with Session(engine) as session:
        review = run_review(session, principal=COORDINATOR, run_id=run_id)
    return review.by_hei.set_index("hei"), review.makeup


def _plan(engine: Engine, run_id: int) -> dict[str, int]:
    """Learners placed per request code."""
    with Session(engine) as session:
        plan = run_plan(session, principal=COORDINATOR, run_id=run_id)
    placed = plan.groupby("request")["learners"].sum()
    return {code: int(placed.get(code, 0)) for code in ("R1", "R2", "R3")}


def test_make_up_learners_are_placed_first_and_never_change_another_heis_fill(
    system: tuple[Engine, System],
) -> None:
    engine, built = system
    first = _run(engine, max_km=50)
    before, none = _placed(engine, first)
    placed = _plan(engine, first)
    assert none.empty and before["makeup_placed"].sum() == 0
    with Session(engine) as session:
        plan = session.exec(select(AllocationRun)).one().inputs["demand"]
    assert all("makeup_learners" not in row for row in plan)  # no column while none is asked
    # an H1 request the plain run left short: all its learners make up hours
    short, asked = next(
        (code, learners)
        for code, learners in (("R3", 2), ("R1", 4))
        if placed[code] < min(learners, int(before.loc["H1", "placed"]))
    )
    _set(engine, built.h1, short, asked)
    run_id = _run(engine, max_km=50)
    after, makeup = _placed(engine, run_id)
    assert _plan(engine, run_id)[short] == min(asked, int(after.loc["H1", "placed"]))
    with Session(engine) as session:
        demand = {r["request_id"]: r for r in session.get(AllocationRun, run_id).inputs["demand"]}
    assert demand[short]["makeup_learners"] == asked and demand["R2"]["makeup_learners"] == 0
    row = makeup.set_index("request").loc[short]
    assert row["makeup_learners"] == asked
    assert row["makeup_placed"] == min(asked, int(after.loc["H1", "placed"]))
    assert after.loc["H1", "makeup_placed"] == row["makeup_placed"]
    # the HEIs' fills are the fair share's, make-up learners or not
    assert after["placed"].to_dict() == before["placed"].to_dict()


def test_setting_make_up_learners_is_checked_scoped_and_audited(
    system: tuple[Engine, System],
) -> None:
    engine, built = system
    with pytest.raises(SaveRefused, match="more make-up hours learners than learners"):
        _set(engine, built.h1, "R3", 3)
    with pytest.raises(SaveRefused, match="between 0"):
        _set(engine, built.h1, "R3", -1)
    with pytest.raises(SaveRefused, match="not a whole number"):
        _set(engine, built.h1, "R3", "two")
    with pytest.raises(AccessDenied, match="own HEI"):
        _set(engine, built.h2, "R3", 1)
    assert _request(engine, "R3").makeup_learners == 0
    done = _set(engine, COORDINATOR, "R3", 2)
    assert done.makeup_learners == 2 and done.version == 2
    stale = pytest.raises(SaveRefused, match="changed by someone else")
    with stale, session_scope(engine) as session:
        set_makeup_learners(
            session, principal=built.h1, request_id=done.id or 0, version=1, makeup=1
        )
    with Session(engine) as session:
        audit = session.exec(select(AuditLog).where(AuditLog.action == "set_makeup_learners")).one()
        frame = requests_register(session, principal=built.h1)
    assert audit.old == {"makeup_learners": 0} and audit.new == {"makeup_learners": 2}
    assert frame.set_index("request_id").loc["R3", "makeup_learners"] == 2


def test_a_new_request_carries_its_make_up_learners(system: tuple[Engine, System]) -> None:
    engine, built = system
    cohort_id = _request(engine, "R1").cohort_id

    def submit(makeup: int) -> str:
        with session_scope(engine) as session:
            made = submit_request(
                session,
                principal=built.h1,
                cohort_id=cohort_id,
                block="2026-B1",
                learners=2,
                makeup_learners=makeup,
            )
            return made.code

    with pytest.raises(SaveRefused, match="more make-up hours learners"):
        submit(3)
    assert _request(engine, submit(1)).makeup_learners == 1


def _requests_file(*rows: str) -> pd.DataFrame:
    header = ["request_id", "hei", "programme", "block", "learners", "makeup_learners"]
    return pd.DataFrame([r.split(",") for r in rows], columns=header)


def test_the_requests_import_takes_make_up_learners_all_or_nothing(
    system: tuple[Engine, System],
) -> None:
    engine, built = system
    bad = _requests_file("R1,H1,NUR,2026-B1,4,2", "R3,H1,NUR,2026-B1,2,5")
    with pytest.raises(ImportRejected) as caught, session_scope(engine) as session:
        apply_import(session, built.h1, "requests", bad)
    problems = caught.value.report.problems
    assert [(p.row, p.column) for p in problems] == [(3, "makeup_learners")]
    assert _request(engine, "R1").makeup_learners == 0  # nothing written
    good = _requests_file("R1,H1,NUR,2026-B1,4,2", "R3,H1,NUR,2026-B1,2,")
    with session_scope(engine) as session:
        apply_import(session, built.h1, "requests", good)
    assert _request(engine, "R1").makeup_learners == 2
    assert _request(engine, "R3").makeup_learners == 0
    # a file without the column keeps them, so it may not cut learners below them
    cut = pd.DataFrame(
        [["R1", "H1", "NUR", "2026-B1", "1"]],
        columns=["request_id", "hei", "programme", "block", "learners"],
    )
    with pytest.raises(ImportRejected) as cutting, session_scope(engine) as session:
        apply_import(session, built.h1, "requests", cut)
    [problem] = cutting.value.report.problems
    assert problem.column == "learners" and "2 make-up hours learners" in problem.message
    assert _request(engine, "R1").learners == 4
