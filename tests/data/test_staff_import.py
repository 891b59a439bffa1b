"""The practice staff and academic assessors imports: all or nothing, every bad cell named."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.data.test_importers import csv, hei_user, load_examples, rejected, run, where
from tracker.access import AccessDenied
from tracker.models import AcademicAssessor, PracticeStaff, PracticeStaffSetting

STAFF = "staff_id,organisation,setting_id,roles,profession_group,field,prepared_on,max_learners\n"
ASSESSORS = "hei,staff_id,programmes\n"


def test_a_staff_file_with_any_bad_row_is_refused_whole_with_every_problem(
    engine: Engine,
) -> None:
    load_examples(engine, upto="practice-staff")
    report = rejected(
        engine,
        "practice-staff",
        csv(
            STAFF
            + "NEW-1,TRUST-1,T1-WARD12;T1-PHYSIO,supervisor,nursing,Adult Nursing,2025-01-01,\n"
            + "NEW-2,TRUST-1,GP1-MAIN,practice_assessor,nursing,adult nursing,2025-01-01,1\n"
            + "NEW-3,TRUST-1,T1-WARD12,practice_assessor,nursing,,2025-01-01,1\n"
            + "NEW-4,TRUST-1,T1-WARD12,matron,nursing,dentistry,2025-13-01,99\n"
            + "NEW-1,TRUST-1,T1-WARD12,practice_supervisor,nursing,,,1\n"
            + "NEW-6,UNI-A,NOWHERE,practice_supervisor,nursing,,,1"
        ),
    )
    assert where(report) == {
        (3, "setting_id"),  # GP1-MAIN is not the trust's
        (4, "field"),  # an assessor needs a field
        (5, "roles"),
        (5, "field"),
        (5, "prepared_on"),
        (5, "max_learners"),
        (6, "staff_id"),  # the same reference at the same organisation twice
        (7, "organisation"),  # an HEI
        (7, "setting_id"),
    }
    with Session(engine) as session:
        assert len(session.exec(select(PracticeStaff)).all()) == 5  # the examples only


def test_a_person_at_two_settings_is_one_record_linked_to_both(engine: Engine) -> None:
    load_examples(engine, upto="practice-staff")
    report = run(
        engine,
        "practice-staff",
        csv(STAFF + "TRUST-1-PS-0001,TRUST-1,T1-WARD12;T1-PHYSIO,supervisor,nursing,,,"),
    )
    assert (report.added, report.changed) == (0, 1)
    with Session(engine) as session:
        person = session.exec(
            select(PracticeStaff).where(PracticeStaff.staff_ref == "TRUST-1-PS-0001")
        ).one()
        links = session.exec(
            select(PracticeStaffSetting).where(PracticeStaffSetting.staff_id == person.id)
        ).all()
        assert len(links) == 2
        assert (person.version, person.max_learners, person.field) == (2, 1, None)


def test_heis_may_not_import_practice_staff(engine: Engine) -> None:
    load_examples(engine, upto="practice-staff")
    with pytest.raises(AccessDenied):
        run(engine, "practice-staff", csv(STAFF), hei_user(engine))


def test_an_hei_imports_only_its_own_academic_assessors(engine: Engine) -> None:
    load_examples(engine, upto="academic-assessors")
    uni_a = hei_user(engine, "UNI-A")
    report = rejected(
        engine,
        "academic-assessors",
        csv(ASSESSORS + "UNI-A,UNI-A-AA-0009,BSC-ADULT\nUNI-B,UNI-B-AA-0009,*\nUNI-A,X,DENTAL"),
        uni_a,
    )
    assert where(report) == {(3, "hei"), (4, "programmes")}
    done = run(engine, "academic-assessors", csv(ASSESSORS + "UNI-A,UNI-A-AA-0009,*"), uni_a)
    assert done.added == 1
    with Session(engine) as session:
        assert len(session.exec(select(AcademicAssessor)).all()) == 4
