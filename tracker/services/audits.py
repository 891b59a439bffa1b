"""The educational audits register's writes: record, edit and delete a setting's audit.

Coordinators and administrators keep the register (``services.registers.require_staff``);
HEIs read it only. An audit is keyed by its setting and date, the same key the import file
uses. See ``services.registers`` for the locking and refusals every register write shares.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from tracker.access import Principal
from tracker.models import AuditOutcome, EducationalAudit, PlacementSetting
from tracker.services import registers
from tracker.services.registers import SaveRefused

#: The re-audit interval when the deployment does not set TRACKER_AUDIT_INTERVAL_MONTHS.
DEFAULT_INTERVAL_MONTHS = 24


@dataclass(frozen=True)
class AuditInput:
    """An audit as typed in the form: codes and dates, as in the audits import file."""

    setting: str
    audited_on: date
    outcome: str
    programmes: Sequence[str] = ("*",)  # programme codes or fields, or ["*"] for all
    expires_on: date | None = None  # None: the re-audit interval after the audit
    action_plan: str | None = None
    action_due_on: date | None = None


def default_expiry(audited_on: date, months: int = DEFAULT_INTERVAL_MONTHS) -> date:
    """``months`` calendar months after the audit (the last day of a shorter month)."""
    total = audited_on.month - 1 + months
    year, month = audited_on.year + total // 12, total % 12 + 1
    return date(year, month, min(audited_on.day, calendar.monthrange(year, month)[1]))


def audit_row(audit: AuditInput, interval_months: int) -> dict[str, str]:
    """The audit as a row of the audits import file, so the importer's rules check it."""
    expires = audit.expires_on or default_expiry(audit.audited_on, interval_months)
    return {
        "setting_id": audit.setting.strip(),
        "audited_on": audit.audited_on.isoformat(),
        "outcome": audit.outcome,
        "expires_on": expires.isoformat(),
        "programmes": ";".join(p.strip() for p in audit.programmes if p and p.strip()),
        "action_plan": (audit.action_plan or "").strip(),
        "action_due_on": "" if audit.action_due_on is None else audit.action_due_on.isoformat(),
    }


def _snapshot(audit: EducationalAudit, setting_code: str) -> dict[str, Any]:
    return {
        "setting_id": setting_code,
        "audited_on": audit.audited_on.isoformat(),
        "outcome": audit.outcome,
        "expires_on": audit.expires_on.isoformat(),
        "programmes": audit.programmes,
        "action_plan": audit.action_plan,
        "action_due_on": None if audit.action_due_on is None else audit.action_due_on.isoformat(),
    }


def _stored(session: Session, audit_id: int) -> tuple[EducationalAudit, str]:
    audit = session.get(EducationalAudit, audit_id)
    if audit is None:
        raise registers.no_longer_exists("audit")
    setting = session.get(PlacementSetting, audit.setting_id)
    return audit, setting.code if setting else "?"


def _values(session: Session, row: dict[str, str]) -> dict[str, Any]:
    setting_id = session.exec(
        select(PlacementSetting.id).where(PlacementSetting.code == row["setting_id"])
    ).one()
    return {
        "setting_id": setting_id,
        "audited_on": date.fromisoformat(row["audited_on"]),
        "outcome": AuditOutcome(row["outcome"]).value,
        "expires_on": date.fromisoformat(row["expires_on"]),
        "programmes": row["programmes"],
        "action_plan": row["action_plan"] or None,
        "action_due_on": date.fromisoformat(row["action_due_on"]) if row["action_due_on"] else None,
    }


def _refuse_duplicate(session: Session, values: dict[str, Any], audit_id: int | None) -> None:
    clash = session.exec(
        select(EducationalAudit.id).where(
            EducationalAudit.setting_id == values["setting_id"],
            EducationalAudit.audited_on == values["audited_on"],
        )
    ).first()
    if clash is not None and clash != audit_id:
        raise SaveRefused(
            ["audited_on: this setting already has an audit on that day — edit that one"]
        )


def save_audit(
    session: Session,
    *,
    principal: Principal,
    audit: AuditInput,
    audit_id: int | None = None,
    version: int | None = None,
    interval_months: int = DEFAULT_INTERVAL_MONTHS,
) -> EducationalAudit:
    """Record an audit (``audit_id`` None) or edit one at the ``version`` the user opened.

    With no expiry date the audit expires ``interval_months`` after it was carried out (the
    deployment's re-audit interval). The values obey the audits importer's rules, so an audit
    typed here and one imported from a file are checked alike.
    """
    registers.require_staff(principal, "edit educational audits")
    existing = None
    if audit_id is not None:
        existing, _ = _stored(session, audit_id)
        registers.require_current(version, existing.version)
    row = audit_row(audit, interval_months)
    registers.validate_rows(session, principal, "audits", [row])
    values = _values(session, row)
    _refuse_duplicate(session, values, audit_id)
    old = None if existing is None else _snapshot(existing, _stored(session, existing.id or 0)[1])
    target: EducationalAudit = registers.add_or_update(
        session, EducationalAudit, existing, version, values
    )
    registers.record_saved(
        session,
        principal,
        "save_educational_audit",
        entity="educational_audit",
        entity_id=f"{row['setting_id']}@{row['audited_on']}",
        old=old,
        new=_snapshot(target, row["setting_id"]),
    )
    return target


def delete_audit(session: Session, *, principal: Principal, audit_id: int, version: int) -> None:
    """Remove an audit entered by mistake (a real audit that has lapsed is kept: it is the
    setting's history, and the allocator reads only what is in date)."""
    registers.require_staff(principal, "delete educational audits")
    audit, code = _stored(session, audit_id)
    registers.require_current(version, audit.version)
    old = _snapshot(audit, code)
    registers.delete_recorded(
        session,
        principal,
        audit,
        "delete_educational_audit",
        entity="educational_audit",
        entity_id=f"{code}@{old['audited_on']}",
        old=old,
    )
