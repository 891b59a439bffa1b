"""The educational audits register: its rules, refusals, access, statuses and audit trail."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.services.test_allocation_services import build_system
from tracker.access import AccessDenied, Principal
from tracker.db import session_scope
from tracker.models import (
    AuditLog,
    EducationalAudit,
    Role,
)
from tracker.queries.audits import audit_status, audits_due, audits_register
from tracker.services.audits import AuditInput, default_expiry, delete_audit, save_audit
from tracker.services.registers import SaveRefused, StaleEdit

COORDINATOR = Principal("coord", Role.COORDINATOR)
HEI = Principal("hei", Role.HEI, hei_id=1, hei_code="H1")
COLLABORATIVE = Principal("ics", Role.COLLABORATIVE)
TODAY = date(2026, 12, 1)


@pytest.fixture
def engine_with_settings(engine: Engine) -> Engine:
    """Settings S1 to S4 of trust T1 and care homes C1, programme NUR (adult nursing)."""
    with Session(engine) as session:
        build_system(session)
    return engine


def _save(
    engine: Engine, audit: AuditInput, principal: Principal = COORDINATOR, **kw: object
) -> int:
    with session_scope(engine) as session:
        saved = save_audit(session, principal=principal, audit=audit, **kw)  # type: ignore[arg-type]
        assert saved.id is not None
        return saved.id


def _register(engine: Engine, principal: Principal = COORDINATOR, **filters: object):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return audits_register(session, principal=principal, today=TODAY, **filters)  # type: ignore[arg-type]


def test_an_audit_without_an_expiry_date_lasts_the_reaudit_interval(
    engine_with_settings: Engine,
) -> None:
    engine = engine_with_settings
    _save(engine, AuditInput("S1", date(2025, 1, 31), "approved"))
    _save(engine, AuditInput("S2", date(2025, 1, 31), "approved"), interval_months=13)
    frame = _register(engine).set_index("setting_id")
    assert frame.at["S1", "expires_on"] == date(2027, 1, 31)
    assert frame.at["S2", "expires_on"] == date(2026, 2, 28)  # the last day of a short month
    assert default_expiry(date(2024, 2, 29), 24) == date(2026, 2, 28)


def test_values_obey_the_importers_rules_and_every_problem_is_named(
    engine_with_settings: Engine,
) -> None:
    engine = engine_with_settings
    with pytest.raises(SaveRefused) as refused:
        _save(
            engine,
            AuditInput(
                "NOPE",
                date(2025, 1, 1),
                "approved_with_actions",
                programmes=["XYZ"],
                expires_on=date(2024, 1, 1),
            ),
        )
    problems = " | ".join(refused.value.problems)
    for column in ("setting_id", "programmes", "expires_on", "action_plan"):
        assert column in problems
    with pytest.raises(SaveRefused, match="outcome"):
        _save(engine, AuditInput("S1", date(2025, 1, 1), "probably fine"))


def test_one_audit_per_setting_and_day(engine_with_settings: Engine) -> None:
    engine = engine_with_settings
    _save(engine, AuditInput("S1", date(2025, 1, 1), "approved"))
    with pytest.raises(SaveRefused, match="already has an audit on that day"):
        _save(engine, AuditInput("S1", date(2025, 1, 1), "not_approved"))


def test_edits_are_locked_and_audited_with_what_changed(engine_with_settings: Engine) -> None:
    engine = engine_with_settings
    audit = AuditInput("S1", date(2025, 1, 1), "approved", programmes=["NUR"])
    audit_id = _save(engine, audit)
    renewed = AuditInput("S1", date(2025, 1, 1), "approved", programmes=["adult nursing"])
    _save(engine, renewed, audit_id=audit_id, version=1)
    with pytest.raises(StaleEdit):
        _save(engine, renewed, audit_id=audit_id, version=1)
    with Session(engine) as session:
        rows = session.exec(select(AuditLog).order_by(AuditLog.id)).all()
        assert [r.action for r in rows] == ["save_educational_audit"] * 2
        assert rows[1].entity_id == "S1@2025-01-01"
        assert rows[1].old == {"programmes": "NUR"}
        assert rows[1].new == {"programmes": "adult nursing"}
    with session_scope(engine) as session, pytest.raises(StaleEdit):
        delete_audit(session, principal=COORDINATOR, audit_id=audit_id, version=1)
    with session_scope(engine) as session:
        delete_audit(session, principal=COORDINATOR, audit_id=audit_id, version=2)
    with Session(engine) as session:
        assert session.exec(select(EducationalAudit)).all() == []
        assert session.exec(select(AuditLog.action).order_by(AuditLog.id)).all()[-1] == (
            "delete_educational_audit"
        )
    with session_scope(engine) as session, pytest.raises(SaveRefused, match="no longer exists"):
        delete_audit(session, principal=COORDINATOR, audit_id=audit_id, version=2)


def test_staff_edit_heis_read_only_and_the_collaborative_role_not_at_all(
    engine_with_settings: Engine,
) -> None:
    engine = engine_with_settings
    _save(engine, AuditInput("S1", date(2025, 1, 1), "approved"))
    with pytest.raises(AccessDenied):
        _save(engine, AuditInput("S2", date(2025, 1, 1), "approved"), principal=HEI)
    assert list(_register(engine, HEI)["setting_id"]) == ["S1"]
    with pytest.raises(AccessDenied):
        _register(engine, COLLABORATIVE)
    with session_scope(engine) as session, pytest.raises(AccessDenied):
        delete_audit(session, principal=HEI, audit_id=1, version=1)


def test_statuses_and_filters_on_a_given_day(engine_with_settings: Engine) -> None:
    engine = engine_with_settings
    _save(engine, AuditInput("S1", date(2023, 1, 10), "approved", expires_on=date(2025, 1, 10)))
    _save(engine, AuditInput("S1", date(2025, 1, 10), "approved", expires_on=date(2027, 6, 1)))
    _save(engine, AuditInput("S2", date(2024, 12, 1), "approved", expires_on=date(2026, 11, 30)))
    _save(
        engine,
        AuditInput(
            "S3",
            date(2025, 3, 1),
            "approved_with_actions",
            expires_on=date(2027, 2, 1),
            action_plan="Update the induction pack",
            action_due_on=date(2025, 6, 1),
        ),
    )
    frame = _register(engine)
    statuses = list(
        zip(frame["setting_id"], frame["audited_on"], frame["audit_status"], strict=True)
    )
    assert statuses == [
        ("S1", date(2025, 1, 10), "in_date"),
        ("S1", date(2023, 1, 10), "superseded"),
        ("S2", date(2024, 12, 1), "overdue"),
        ("S3", date(2025, 3, 1), "due"),
    ]
    assert list(_register(engine, status=["overdue"])["setting_id"]) == ["S2"]
    assert list(_register(engine, setting=["S3"])["audit_status"]) == ["due"]
    assert list(_register(engine, organisation=["C1"])["setting_id"]) == ["S2", "S3"]
    with Session(engine) as session:
        due = audits_due(session, principal=COORDINATOR, today=TODAY)
    assert list(due["setting_id"]) == ["S2", "S3"]  # most urgent first


def test_a_refused_latest_audit_is_not_approved_whatever_its_dates() -> None:
    assert audit_status("not_approved", date(2030, 1, 1), latest=True, today=TODAY) == (
        "not_approved"
    )
    assert audit_status("approved", date(2027, 3, 1), latest=True, today=TODAY) == "due"
    assert audit_status("approved", date(2027, 3, 2), latest=True, today=TODAY) == "in_date"
