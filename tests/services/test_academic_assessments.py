"""Learners' academic assessors: named by hand or for everyone who needs one, each of the
learner's HEI, active, for the programme, never the same person for consecutive parts;
HEIs keep and see only their own learners'; every naming audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.services.test_allocation_services import build_system
from tracker.access import AccessDenied, Principal
from tracker.db import session_scope
from tracker.models import AcademicAssessment, AuditLog, Role
from tracker.queries.academic_assessments import academic_assessments
from tracker.refusals import Refused
from tracker.services.academic_assessments import (
    assign_academic_assessors,
    set_academic_assessor,
)
from tracker.services.staff import AssessorInput, save_academic_assessor

COORDINATOR = Principal("coord", Role.COORDINATOR)
COLLABORATIVE = Principal("ics", Role.COLLABORATIVE)
TODAY = date(2026, 12, 1)  # the learners started on 2025-09-22: part 2 of 3


@pytest.fixture
def system(engine: Engine) -> tuple[Engine, Principal, Principal, dict[str, int]]:
    """build_system's two HEIs, H1 with assessors A1 and A2 (and inactive A3), H2 with B1."""
    with Session(engine) as session:
        built = build_system(session)
    ids = {}
    with session_scope(engine) as session:
        for hei, ref, programmes, active in [
            ("H1", "A1", ["*"], True),
            ("H1", "A2", ["NUR"], True),
            ("H1", "A3", ["*"], False),
            ("H2", "B1", ["*"], True),
        ]:
            saved = save_academic_assessor(
                session,
                principal=COORDINATOR,
                assessor=AssessorInput(
                    hei, ref, programmes, display_name=f"Dr {ref}", active=active
                ),
            )
            ids[ref] = saved.id or 0
    return engine, built.h1, built.h2, ids


def _set(engine: Engine, principal: Principal, ref: str, part: int, assessor: int) -> str:
    with session_scope(engine) as session:
        return set_academic_assessor(
            session, principal=principal, learner_ref=ref, part=part, assessor_id=assessor
        )


def test_a_different_assessor_for_the_next_part_is_named_and_shown_to_the_hei(
    system: tuple[Engine, Principal, Principal, dict[str, int]],
) -> None:
    engine, h1, h2, ids = system
    _set(engine, h1, "H1-L0", 1, ids["A1"])
    said = _set(engine, h1, "H1-L0", 2, ids["A2"])
    assert said == "Dr A2 is now H1-L0's academic assessor for part 2."
    with Session(engine) as session:
        mine = academic_assessments(session, principal=h1, today=TODAY).set_index("learner_ref")
        theirs = academic_assessments(session, principal=h2, today=TODAY)
        audits = session.exec(
            select(AuditLog).where(AuditLog.action == "academic_assessment.set")
        ).all()
    assert mine.loc["H1-L0", "part"] == 2
    assert mine.loc["H1-L0", "academic_assessor"] == "Dr A2"
    assert mine.loc["H1-L0", "previous_academic_assessor"] == "Dr A1"
    assert mine.loc["H1-L1", "academic_assessor"] == ""
    assert set(theirs["hei"]) == {"H2"}  # another HEI's learners are not shown
    assert [a.entity_id for a in audits] == ["H1-L0/part 1", "H1-L0/part 2"]


def test_the_same_assessor_for_consecutive_parts_is_refused(
    system: tuple[Engine, Principal, Principal, dict[str, int]],
) -> None:
    engine, h1, _h2, ids = system
    _set(engine, h1, "H1-L0", 1, ids["A1"])
    with pytest.raises(Refused, match="Not the same person for consecutive parts"):
        _set(engine, h1, "H1-L0", 2, ids["A1"])
    _set(engine, h1, "H1-L0", 3, ids["A1"])  # parts 1 and 3 are not consecutive
    _set(engine, h1, "H1-L1", 3, ids["A2"])  # the next part is checked too
    with pytest.raises(Refused, match="already this learner's academic assessor for part 3"):
        _set(engine, COORDINATOR, "H1-L1", 2, ids["A2"])
    with Session(engine) as session:
        parts = {(a.learner_id, a.part) for a in session.exec(select(AcademicAssessment))}
    assert len(parts) == 3 and {p for _, p in parts} == {1, 3}


def test_other_rules_and_access(
    system: tuple[Engine, Principal, Principal, dict[str, int]],
) -> None:
    engine, h1, h2, ids = system
    with pytest.raises(Refused, match="learner's own HEI"):
        _set(engine, COORDINATOR, "H1-L0", 2, ids["B1"])
    with pytest.raises(Refused, match="not active"):
        _set(engine, h1, "H1-L0", 2, ids["A3"])
    with pytest.raises(Refused, match="parts 1 to 3, not 4"):
        _set(engine, h1, "H1-L0", 4, ids["A1"])
    with pytest.raises(Refused, match="no learner with this reference"):  # another HEI's
        _set(engine, h2, "H1-L0", 2, ids["B1"])
    with pytest.raises(AccessDenied):
        _set(engine, COLLABORATIVE, "H1-L0", 2, ids["A1"])


def test_assigning_everyone_obeys_the_rule_spreads_and_says_who_is_left(
    system: tuple[Engine, Principal, Principal, dict[str, int]],
) -> None:
    engine, h1, _h2, ids = system
    _set(engine, h1, "H1-L0", 1, ids["A1"])
    with session_scope(engine) as session:
        done = assign_academic_assessors(session, principal=h1, hei="H1", today=TODAY)
    assert done["named"] == 5  # H1's five learners, part 2
    with session_scope(engine) as session, pytest.raises(Refused, match="your own HEI"):
        assign_academic_assessors(session, principal=h1, hei="H2", today=TODAY)
    with Session(engine) as session:
        rows = academic_assessments(session, principal=COORDINATOR, today=TODAY)
    h1_rows = rows[rows["hei"] == "H1"].set_index("learner_ref")
    assert h1_rows.loc["H1-L0", "academic_assessor"] == "Dr A2"  # A1 had part 1
    assert sorted(h1_rows["academic_assessor"].value_counts().tolist()) == [2, 3]
    assert set(rows.loc[rows["hei"] == "H2", "academic_assessor"]) == {""}
    # with A2 gone, a learner whose part 1 was A1's is left with the reason
    with session_scope(engine) as session:
        save_academic_assessor(
            session,
            principal=h1,
            assessor=AssessorInput("H1", "A2", ["NUR"], display_name="Dr A2", active=False),
            assessor_id=ids["A2"],
            version=1,
        )
        for row in session.exec(select(AcademicAssessment).where(AcademicAssessment.part == 2)):
            session.delete(row)
    with session_scope(engine) as session:
        done = assign_academic_assessors(session, principal=h1, hei="H1", today=TODAY)
    left = done["left"]
    assert done["named"] == 4
    assert list(left["learner"]) == ["H1-L0"]  # type: ignore[index]
    assert list(left["reason_code"]) == ["consecutive_parts"]  # type: ignore[index]
