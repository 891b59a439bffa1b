"""Stage 2 in the app with named staff: supervisors and assessors from the practice staff
register, readiness from the readiness register, reasons for learners left unassigned."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.services.test_allocation_services import COORDINATOR, System, _run, build_system
from tests.services.test_hours_allocation import record_hours_except
from tracker.access import AccessDenied
from tracker.db import session_scope
from tracker.models import (
    Learner,
    LearnerReadiness,
    Placement,
    PlacementSetting,
    PracticeStaff,
    PracticeStaffSetting,
    UnassignedLearner,
)
from tracker.queries.placements import visible_placements
from tracker.queries.programme_dates import year_of_study
from tracker.queries.run_learners import named_learners, unassigned_learners
from tracker.services.named_learners import assign_named_learners
from tracker.services.named_readiness import readiness_reason
from tracker.services.placements import approve_run
from tracker.services.registers import SaveRefused
from tracker.services.staff import delete_practice_staff

PREPARED = date(2025, 1, 6)


@pytest.fixture
def system(engine: Engine) -> System:
    """The allocation services' system (6 places within 50 km of Leeds for 7 learners) with
    named staff at S1 (Trust One: two supervisors, two adult nursing assessors, room for 3
    learners, as S1 types) and S3 (Care Homes Ltd: one supervisor, one assessor, room for 2);
    S2 and S4 name nobody ("unnamed")."""
    with Session(engine) as session:
        built = build_system(session)
        settings = {s.code: s for s in session.exec(select(PlacementSetting)).all()}
        for code, ref, roles, name, limit in [
            ("S1", "T1-PS-1", "s", "Ward sister Amy", 2),
            ("S1", "T1-PS-2", "s", None, 2),
            ("S1", "T1-PA-1", "a", "Charge nurse Bo", 2),
            ("S1", "T1-PA-2", "a", None, 1),
            ("S3", "C1-PS-1", "s", None, 2),
            ("S3", "C1-PA-1", "a", None, 2),
        ]:
            person = PracticeStaff(
                organisation_id=settings[code].organisation_id,
                staff_ref=ref,
                display_name=name,
                profession_group="nursing",
                field="adult nursing",
                is_supervisor=roles == "s",
                is_assessor=roles == "a",
                prepared_on=PREPARED,
                max_learners=limit,
            )
            session.add(person)
            session.flush()
            session.add(PracticeStaffSetting(staff_id=person.id, setting_id=settings[code].id))
        session.commit()
    return built


def _named(session: Session, run_id: int) -> list[Placement]:
    query = select(Placement).where(
        Placement.run_id == run_id, col(Placement.learner_id).is_not(None)
    )
    return list(session.exec(query).all())


def test_learners_get_a_supervisor_and_an_assessor_in_their_field(
    engine: Engine, system: System
) -> None:
    run_id = _run(engine, max_km=50)
    with session_scope(engine) as session:
        summary = assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
    assert summary["placed"] == 6 and summary["without_place"] == 1
    with Session(engine) as session:
        named = _named(session, run_id)
        staffed = [
            p for p in named if p.setting_id in (system.settings["S1"], system.settings["S3"])
        ]
        assert staffed and summary["with_named_staff"] == len(staffed)
        for p in staffed:
            assert p.practice_supervisor_id and p.practice_assessor_id
            assert p.practice_supervisor_id != p.practice_assessor_id
            assessor = session.get(PracticeStaff, p.practice_assessor_id)
            assert assessor is not None and assessor.is_assessor
            assert assessor.field == "adult nursing"
        unnamed = [p for p in named if p.setting_id == system.settings["S2"]]
        assert all(p.practice_supervisor_id is None for p in unnamed)
        gaps = session.exec(select(UnassignedLearner)).all()
        assert len(gaps) == 1 and gaps[0].reason_code == "more_learners_than_places"
        review = named_learners(session, principal=COORDINATOR, run_id=run_id)
        at_s1 = review[review["setting"] == "S1"]
        assert set(at_s1["practice_supervisor"]) <= {"Ward sister Amy", "T1-PS-2"}
        assert set(at_s1["practice_assessor"]) <= {"Charge nurse Bo", "T1-PA-2"}
        left = unassigned_learners(session, principal=COORDINATOR, run_id=run_id)
        assert len(left) == 1 and left["reason"].iloc[0].startswith("every place")
    with session_scope(engine) as session:
        approve_run(session, principal=COORDINATOR, run_id=run_id)
    with Session(engine) as session:
        mine = visible_placements(session, principal=system.h1)
        rows = mine[mine["learner"].notna() & (mine["setting"] == "S1")]
        assert set(mine["hei"]) == {"H1"}
        coming = visible_placements(
            session, principal=COORDINATOR, setting_id=system.settings["S1"]
        )
        named_rows = coming[coming["learner"].notna()]
        assert named_rows["practice_supervisor"].notna().all()
        assert named_rows["practice_assessor"].notna().all()
        assert len(rows) <= len(named_rows)
        supervisor = session.get(PracticeStaff, staffed[0].practice_supervisor_id)
        assert supervisor is not None and supervisor.id is not None
        who, version = supervisor.id, supervisor.version
    with session_scope(engine) as session, pytest.raises(SaveRefused, match="inactive"):
        delete_practice_staff(session, principal=COORDINATOR, staff_id=who, version=version)


def test_a_dbs_check_expiring_before_the_placement_ends_leaves_the_learner_unassigned(
    engine: Engine, system: System
) -> None:
    """Block 2026-B1 ends on 2026-11-27; H1-L0's DBS check expires on 2026-10-31."""
    with session_scope(engine) as session:
        for learner in session.exec(select(Learner)).all():
            late = learner.learner_ref == "H1-L0"
            session.add(
                LearnerReadiness(
                    learner_id=learner.id,
                    dbs_valid_until=date(2026, 10, 31) if late else date(2028, 8, 31),
                    occupational_health_valid_until=date(2028, 8, 31),
                    mandatory_training_valid_until=date(2027, 8, 31),
                )
            )
    run_id = _run(engine, max_km=50)
    with session_scope(engine) as session:
        summary = assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
    assert summary["placed"] == 6
    with Session(engine) as session:
        left = unassigned_learners(session, principal=COORDINATOR, run_id=run_id)
        assert left[["learner", "reason_code"]].values.tolist() == [["H1-L0", "not_ready"]]
        assert left["reason"].iloc[0] == (
            "DBS check expires 2026-10-31, before the placement ends on 2026-11-27"
        )
        refs = set(named_learners(session, principal=COORDINATOR, run_id=run_id)["learner"])
        assert "H1-L0" not in refs


def test_an_hei_user_cannot_name_learners_or_staff(engine: Engine, system: System) -> None:
    run_id = _run(engine, max_km=50)
    with session_scope(engine) as session, pytest.raises(AccessDenied):
        assign_named_learners(session, principal=system.h1, run_id=run_id)
    with Session(engine) as session:
        assert not _named(session, run_id)
    with session_scope(engine) as session:
        assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
        approve_run(session, principal=COORDINATOR, run_id=run_id)
    with Session(engine) as session:
        seen = visible_placements(session, principal=system.h2)
        assert set(seen["hei"]) == {"H2"}
        assert not seen["learner"].dropna().str.startswith("H1-").any()


def test_readiness_reasons_name_the_check() -> None:
    ends = (
        "not ready for placement: ... in date only until 2027-01-31, before the placement "
        "ends on 2027-02-26"
    )
    dates = {
        "dbs": date(2027, 1, 31),
        "occupational_health": date(2028, 1, 1),
        "mandatory_training": date(2027, 2, 1),
    }
    assert readiness_reason(dates, ends) == (
        "DBS check expires 2027-01-31 and Mandatory training expires 2027-02-01, "
        "before the placement ends on 2027-02-26"
    )
    missing = {**dates, "dbs": None}
    assert readiness_reason(missing, "not ready for placement: no date") == (
        "not ready for placement: not recorded: DBS check"
    )
    assert readiness_reason(dates, "at setting S1: ...") == "at setting S1: ..."


def test_year_of_study_counts_from_the_intake() -> None:
    from tracker.models import Cohort

    cohort = Cohort(hei_id=1, programme_id=1, intake_year=2025, intake_month=9)
    assert year_of_study(cohort, date(2026, 3, 2)) == 1
    assert year_of_study(cohort, date(2026, 9, 7)) == 2


def test_a_learner_behind_on_hours_is_named_first_with_staff(
    engine: Engine, system: System
) -> None:
    """Six places for seven learners: whoever was left out, once only they are behind on
    practice hours, they are named and someone else is left out instead."""
    first = _run(engine, max_km=50)
    with session_scope(engine) as session:
        assign_named_learners(session, principal=COORDINATOR, run_id=first)
    with Session(engine) as session:
        gap = session.exec(select(UnassignedLearner)).one()
        left_out = session.get(Learner, gap.learner_id)
        assert left_out is not None
    record_hours_except(engine, left_out.learner_ref)
    second = _run(engine, max_km=50)
    with session_scope(engine) as session:
        summary = assign_named_learners(session, principal=COORDINATOR, run_id=second)
    assert summary["placed"] == 6
    with Session(engine) as session:
        assert left_out.id in {p.learner_id for p in _named(session, second)}
        again = session.exec(
            select(UnassignedLearner).where(UnassignedLearner.run_id == second)
        ).one()
        assert again.learner_id != left_out.id
