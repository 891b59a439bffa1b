"""The practice staff and academic assessors registers: rules, refusals, access, audit rows,
and the register as stage 2's staff file."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.services.test_allocation_services import build_system
from tracker.access import AccessDenied, Principal
from tracker.data.importers import ImportRejected, read_table
from tracker.db import session_scope
from tracker.models import AcademicAssessor, AuditLog, PracticeStaff, Role
from tracker.optimise.practice_tables import read_staff
from tracker.queries.capacity import capacity_register
from tracker.queries.staff import (
    academic_assessors_register,
    assign_staff,
    fields_without_assessor,
    named_staff_counts,
    practice_staff_register,
    staff_not_prepared,
    with_named_staff,
)
from tracker.services.imports import apply_import
from tracker.services.registers import SaveRefused, StaleEdit
from tracker.services.staff import (
    AssessorInput,
    StaffInput,
    delete_academic_assessor,
    delete_practice_staff,
    save_academic_assessor,
    save_practice_staff,
)

COORDINATOR = Principal("coord", Role.COORDINATOR)
COLLABORATIVE = Principal("ics", Role.COLLABORATIVE)
TODAY = date(2026, 12, 1)

SUPERVISOR = StaffInput(
    "T1-PS-0001", "T1", ["S1"], ["practice_supervisor"], "nursing", prepared_on=date(2025, 1, 6)
)
ASSESSOR = StaffInput(
    "T1-PA-0002",
    "T1",
    ["S1", "S4"],
    ["practice_assessor"],
    "nursing",
    field="Adult nursing",
    max_learners=3,
)


@pytest.fixture
def system(engine: Engine) -> tuple[Engine, Principal, Principal]:
    """build_system's settings (T1: S1, S4; C1: S2, S3) and its two HEIs' users."""
    with Session(engine) as session:
        built = build_system(session)
    return engine, built.h1, built.h2


def _save(
    engine: Engine, person: StaffInput, principal: Principal = COORDINATOR, **kw: object
) -> int:
    with session_scope(engine) as session:
        saved = save_practice_staff(session, principal=principal, person=person, **kw)  # type: ignore[arg-type]
        assert saved.id is not None
        return saved.id


@pytest.fixture
def staffed(system: tuple[Engine, Principal, Principal]) -> Engine:
    """The system with a supervisor at S1 and an adult nursing assessor at S1 and S4."""
    engine = system[0]
    _save(engine, SUPERVISOR)
    _save(engine, ASSESSOR)
    return engine


def _register(
    engine: Engine, principal: Principal = COORDINATOR, **filters: object
) -> pd.DataFrame:
    with Session(engine) as session:
        return practice_staff_register(session, principal=principal, today=TODAY, **filters)  # type: ignore[arg-type]


def test_staff_are_saved_with_their_settings_and_filtered_by_role_field_and_preparation(
    staffed: Engine,
) -> None:
    engine = staffed
    frame = _register(engine).set_index("staff_ref")
    assert frame.at["T1-PA-0002", "settings"] == "S1;S4"
    assert frame.at["T1-PA-0002", "field"] == "adult nursing"  # the register's spelling
    assert frame.at["T1-PS-0001", "max_learners"] == 1  # the default
    assert list(_register(engine, setting=["S4"])["staff_ref"]) == ["T1-PA-0002"]
    assert list(_register(engine, role=["practice_supervisor"])["staff_ref"]) == ["T1-PS-0001"]
    assert list(_register(engine, field=["adult nursing"])["staff_ref"]) == ["T1-PA-0002"]
    assert list(_register(engine, prepared=["not_prepared"])["staff_ref"]) == ["T1-PA-0002"]
    with Session(engine) as session:
        missing = staff_not_prepared(session, principal=COORDINATOR, today=TODAY)
    assert list(missing["staff_ref"]) == ["T1-PA-0002"]


def test_the_register_is_stage_twos_staff_file(staffed: Engine) -> None:
    engine = staffed
    with Session(engine) as session:
        frame = assign_staff(session, principal=COORDINATOR)
    problems: list[object] = []
    people = {p.staff_id: p for p in read_staff(frame.astype(str), problems)}  # type: ignore[arg-type]
    assert problems == []
    assert people["T1-PA-0002"].can("practice_assessor", "S4")
    assert people["T1-PA-0002"].max_learners == 3
    assert people["T1-PS-0001"].prepared_on == date(2025, 1, 6)


def test_values_obey_the_importers_rules_and_a_reference_is_one_person(
    system: tuple[Engine, Principal, Principal],
) -> None:
    engine, _, _ = system
    bad = StaffInput("X", "T1", ["S2", "NOPE"], ["matron"], "dentistry", max_learners=50)
    with pytest.raises(SaveRefused) as refused:
        _save(engine, bad)
    problems = " | ".join(refused.value.problems)
    for column in ("setting_id", "roles", "profession_group", "max_learners"):
        assert column in problems
    with pytest.raises(SaveRefused, match="field"):
        _save(engine, StaffInput("X", "T1", ["S1"], ["practice_assessor"], "nursing"))
    _save(engine, SUPERVISOR)
    with pytest.raises(SaveRefused, match="already on the register"):
        _save(engine, SUPERVISOR)


def test_edits_are_locked_and_audited_with_what_changed(
    system: tuple[Engine, Principal, Principal],
) -> None:
    engine, _, _ = system
    staff_id = _save(engine, SUPERVISOR)
    moved = StaffInput(
        "T1-PS-0001",
        "T1",
        ["S1", "S4"],
        ["practice_supervisor"],
        "nursing",
        prepared_on=date(2025, 1, 6),
    )
    _save(engine, moved, staff_id=staff_id, version=1)
    with pytest.raises(StaleEdit):
        _save(engine, moved, staff_id=staff_id, version=1)  # someone saved since
    with Session(engine) as session:
        rows = session.exec(select(AuditLog).order_by(AuditLog.id)).all()
        assert [r.action for r in rows] == ["save_practice_staff"] * 2
        assert rows[1].entity_id == "T1/T1-PS-0001"
        assert (rows[1].old, rows[1].new) == ({"setting_id": "S1"}, {"setting_id": "S1;S4"})
    with session_scope(engine) as session:
        delete_practice_staff(session, principal=COORDINATOR, staff_id=staff_id, version=2)
    with Session(engine) as session:
        assert session.exec(select(PracticeStaff)).all() == []


def test_heis_read_practice_staff_but_may_not_change_them_and_the_collaborative_role_not_at_all(
    system: tuple[Engine, Principal, Principal],
) -> None:
    engine, h1, _ = system
    staff_id = _save(engine, SUPERVISOR)
    with pytest.raises(AccessDenied):
        _save(engine, ASSESSOR, principal=h1)
    with session_scope(engine) as session, pytest.raises(AccessDenied):
        delete_practice_staff(session, principal=h1, staff_id=staff_id, version=1)
    assert list(_register(engine, h1)["staff_ref"]) == ["T1-PS-0001"]
    with pytest.raises(AccessDenied):
        _register(engine, COLLABORATIVE)


def test_an_import_with_one_bad_row_writes_nothing(
    system: tuple[Engine, Principal, Principal],
) -> None:
    engine, _, _ = system
    content = (
        "staff_id,organisation,setting_id,roles,profession_group,field\n"
        "T1-PS-0001,T1,S1,practice_supervisor,nursing,\n"
        "T1-PA-0002,T1,S1;S4,practice_assessor,nursing,adult nursing\n"
        "C1-PA-0003,C1,S1,practice_assessor,nursing,adult nursing\n"  # S1 is T1's
    )
    frame = read_table("practice-staff.csv", content.encode())
    with session_scope(engine) as session, pytest.raises(ImportRejected) as rejected:
        apply_import(session, COORDINATOR, "practice-staff", frame)
    assert [(p.row, p.column) for p in rejected.value.report.problems] == [(4, "setting_id")]
    assert _register(engine).empty


def test_heis_keep_only_their_own_academic_assessors(
    system: tuple[Engine, Principal, Principal],
) -> None:
    engine, h1, h2 = system
    with session_scope(engine) as session:
        mine = save_academic_assessor(
            session, principal=h1, assessor=AssessorInput("H1", "H1-AA-01", ["NUR"])
        )
        assessor_id = mine.id
    with session_scope(engine) as session, pytest.raises(SaveRefused, match="own HEI"):
        save_academic_assessor(session, principal=h2, assessor=AssessorInput("H1", "H1-AA-02"))
    with session_scope(engine) as session, pytest.raises(SaveRefused, match="no longer exists"):
        assert assessor_id is not None
        delete_academic_assessor(session, principal=h2, assessor_id=assessor_id, version=1)
    with Session(engine) as session:
        assert list(academic_assessors_register(session, principal=h2)["staff_ref"]) == []
        assert list(academic_assessors_register(session, principal=COORDINATOR)["hei"]) == ["H1"]
        with pytest.raises(AccessDenied):
            academic_assessors_register(session, principal=COLLABORATIVE)
    with session_scope(engine) as session:
        assert assessor_id is not None
        save_academic_assessor(
            session,
            principal=h1,
            assessor=AssessorInput("H1", "H1-AA-01", ["*"], active=False),
            assessor_id=assessor_id,
            version=1,
        )
    with Session(engine) as session:
        stored = session.exec(select(AcademicAssessor)).one()
        assert (stored.programmes, stored.active, stored.version) == ("*", False, 2)


def test_settings_with_named_staff_but_no_assessor_in_a_field_they_offer(
    system: tuple[Engine, Principal, Principal],
) -> None:
    engine, _, _ = system
    _save(engine, SUPERVISOR)  # S1 offers adult nursing places and names only a supervisor
    with Session(engine) as session:
        missing = fields_without_assessor(session, principal=COORDINATOR)
    assert missing.to_dict("records") == [{"setting_id": "S1", "field": "adult nursing"}]
    _save(engine, ASSESSOR)  # an adult nursing assessor at S1 and S4
    with Session(engine) as session:
        assert fields_without_assessor(session, principal=COORDINATOR).empty


def test_capacity_rows_show_their_named_staff_or_unnamed(
    staffed: Engine,
) -> None:
    engine = staffed
    with Session(engine) as session:
        frame = capacity_register(session, principal=COORDINATOR)
        shown = with_named_staff(frame, named_staff_counts(session, principal=COORDINATOR))
    named = dict(zip(shown["setting_id"], shown["named_staff"], strict=True))
    assert named == {
        "S1": "1 supervisor, 1 assessor",
        "S2": "unnamed",
        "S3": "unnamed",
        "S4": "1 assessor",
    }
    assert list(shown["places"]) == list(frame["places"])  # numeric capacity unchanged
