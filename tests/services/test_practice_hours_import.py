"""Practice hours and requirements imports: every row checked, all or nothing, an HEI only its
own learners, and the audit trail.

The examples give UNI-A learners A23-0001, A23-0002 and A23-0003 and UNI-B learner B24-0001.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.data.test_importers import csv, hei_user, load_examples, rejected, run, where
from tracker.access import AccessDenied, Principal
from tracker.models import AuditLog, PracticeHours, PracticeRequirement, Role

COORDINATOR = Principal("coord", Role.COORDINATOR)
HEADER = (
    "learner_ref,worked_on,period,hours,births,absence_hours,absence_reason,sign_off,"
    "signed_off_by,note\n"
)


@pytest.fixture
def learners(engine: Engine) -> Engine:
    load_examples(engine, upto="learner-events")
    return engine


def _hours(engine: Engine) -> list[PracticeHours]:
    with Session(engine) as session:
        return list(session.exec(select(PracticeHours)).all())


def test_an_hei_imports_its_own_learners_hours_and_a_reimport_changes_nothing(
    learners: Engine,
) -> None:
    uni_a = hei_user(learners, "UNI-A")
    rows = (
        HEADER
        + "A23-0001,2024-01-08,week,37.5,,,,signed_off,PS-0101,\n"
        + "A23-0001,2024-01-15,,30,,7.5,Sickness,signed off,PS-0101,\n"
        + "A23-0002,2024-01-09,shift,12.5,,,,,,"
    )
    report = run(learners, "practice-hours", csv(rows), uni_a)
    assert (report.added, report.changed) == (3, 0)
    stored = {(h.worked_on.isoformat(), h.period): h for h in _hours(learners)}
    absent = stored[("2024-01-15", "week")]
    assert (absent.hours, absent.absence_hours, absent.absence_reason) == (30, 7.5, "sickness")
    assert stored[("2024-01-09", "shift")].status == "pending"
    assert absent.updated_at is not None and absent.updated_at.tzinfo is not None
    again = run(learners, "practice-hours", csv(rows), uni_a)
    assert again.unchanged == 3
    corrected = run(
        learners, "practice-hours", csv(HEADER + "A23-0002,2024-01-09,shift,11,,,,queried,,"), uni_a
    )
    assert corrected.changed == 1
    assert {h.version for h in _hours(learners) if h.period == "shift"} == {2}
    with Session(learners) as session:
        audit = session.exec(select(AuditLog).where(AuditLog.action == "import")).all()
    assert [a.entity for a in audit][-3:] == ["practice-hours"] * 3


def test_one_bad_row_rejects_the_file_and_each_problem_names_its_row(learners: Engine) -> None:
    uni_a = hei_user(learners, "UNI-A")
    report = rejected(
        learners,
        "practice-hours",
        csv(
            HEADER
            + "A23-0001,2024-01-08,week,37.5,,,,signed_off,PS-0101,\n"  # fine on its own
            + "B24-0001,2024-01-08,week,37.5,,,,,,\n"  # UNI-B's learner
            + "A23-0001,2024-01-15,week,30,,7.5,,,,\n"  # absent hours with no reason
            + "A23-0002,2024-01-15,week,37.5,,,,signed_off,,\n"  # signed off by no one
            + "A23-0002,2024-01-16,shift,25,,,,,,\n"  # more than a shift holds
            + "A23-0002,2024-01-22,week,20,,,holiday,,,\n"  # a reason with no absence
            + "A23-0001,2024-01-08,week,30,,,,,,"  # the first row again
        ),
        uni_a,
    )
    assert where(report) == {
        (3, "learner_ref"),
        (4, "absence_reason"),
        (5, "signed_off_by"),
        (6, "hours"),
        (7, "absence_reason"),
        (8, "worked_on"),
    }
    assert "in your HEI's records" in next(p.message for p in report.problems if p.row == 3)
    assert _hours(learners) == []


def test_coordinators_may_not_import_hours_but_keep_the_requirements(learners: Engine) -> None:
    with pytest.raises(AccessDenied):
        run(learners, "practice-hours", csv(HEADER), COORDINATOR)
    with pytest.raises(AccessDenied):
        run(learners, "practice-requirements", csv("programme,required\n"), hei_user(learners))
    header = "programme,unit,required,year_split,behind_margin\n"
    report = run(
        learners,
        "practice-requirements",
        csv(header + "BSC-ADULT,hours,2300,700;800;800,150\nBSC-PHYSIO,,1000,,"),
        COORDINATOR,
    )
    assert report.added == 2
    with Session(learners) as session:
        stored = {(r.unit, r.required): r for r in session.exec(select(PracticeRequirement))}
    assert stored[("hours", 2300)].year_split == "700;800;800"
    assert stored[("hours", 1000)].behind_margin == 0
    bad = rejected(
        learners,
        "practice-requirements",
        csv(
            header
            + "BSC-ADULT,hours,2300,700;800,150\n"  # adds up to 1500
            + "BSC-PHYSIO,hours,1000,250;250;250;250,\n"  # four years of a three-year programme
            + "NO-SUCH,hours,1000,,\n"
            + "BSC-ADULT,furlongs,10,,\n"
            + "BSC-ADULT,hours,2300,,"  # BSC-ADULT hours again
        ),
        COORDINATOR,
    )
    assert where(bad) == {
        (2, "year_split"),
        (3, "year_split"),
        (4, "programme"),
        (5, "unit"),
        (6, "unit"),
    }
