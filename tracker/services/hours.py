"""Practice hours writes: an HEI records or corrects one week's or shift's hours of its own
learner, or deletes a record entered by mistake.

The learner's HEI keeps its learners' hours, administrators anyone's, coordinators read them
only (``access.may_edit_hours``). A record is keyed by learner, day and period, the key of the
``practice-hours`` import, and its values obey that importer's rules (``registers.
validate_rows``). Locking and refusals are ``services.registers``'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tracker.access import Principal, may_edit_hours, require_hours_editor
from tracker.clock import utcnow
from tracker.models import PracticeHours
from tracker.services import registers
from tracker.services.registers import StaleEdit

FIELDS = (
    "hours",
    "births",
    "absence_hours",
    "absence_reason",
    "status",
    "signed_off_by",
    "note",
)


@dataclass(frozen=True)
class HoursInput:
    """One record as typed in the form (empty strings and None for what is not given)."""

    learner_ref: str
    worked_on: date
    period: str = "week"
    hours: float = 0
    births: int = 0
    absence_hours: float = 0
    absence_reason: str | None = None
    sign_off: str = "pending"
    signed_off_by: str | None = None
    note: str | None = None


def hours_row(record: HoursInput) -> dict[str, str]:
    """The record as a row of the practice-hours import file, so the importer checks it."""

    def text(value: object) -> str:
        return "" if value is None else str(value).strip()

    return {
        "learner_ref": record.learner_ref.strip(),
        "worked_on": record.worked_on.isoformat(),
        "period": record.period,
        "hours": text(record.hours),
        "births": text(record.births),
        "absence_hours": text(record.absence_hours),
        "absence_reason": text(record.absence_reason),
        "sign_off": record.sign_off,
        "signed_off_by": text(record.signed_off_by),
        "note": text(record.note),
    }


def _snapshot(record: PracticeHours) -> dict[str, Any]:
    return {
        "worked_on": record.worked_on.isoformat(),
        "period": record.period,
        **{f: getattr(record, f) for f in FIELDS},
    }


def _stored(session: Session, learner_id: int, day: date, period: str) -> PracticeHours | None:
    return session.exec(
        select(PracticeHours).where(
            PracticeHours.learner_id == learner_id,
            PracticeHours.worked_on == day,
            PracticeHours.period == period,
        )
    ).first()


def _values(row: dict[str, str]) -> dict[str, Any]:
    return {
        "hours": float(row["hours"] or 0),
        "births": int(float(row["births"] or 0)),
        "absence_hours": float(row["absence_hours"] or 0),
        "absence_reason": row["absence_reason"].lower().replace(" ", "_") or None,
        "status": row["sign_off"].lower().replace(" ", "_") or "pending",
        "signed_off_by": row["signed_off_by"] or None,
        "note": row["note"] or None,
        "updated_at": utcnow(),
    }


def save_hours(
    session: Session, *, principal: Principal, record: HoursInput, version: int | None = None
) -> PracticeHours:
    """Record a learner's week or shift (``version`` None: no record of it seen yet) or
    correct it at the ``version`` the user opened; audited."""
    require_hours_editor(principal)
    row = hours_row(record)
    registers.validate_rows(session, principal, "practice-hours", [row])
    learner = registers.keepable_learner(session, principal, row["learner_ref"], may_edit_hours)
    assert learner.id is not None
    existing = _stored(session, learner.id, record.worked_on, record.period)
    if existing is None and version is not None:
        raise registers.no_longer_exists("practice hours record")
    old = None if existing is None else _snapshot(existing)
    create = {"learner_id": learner.id, "worked_on": record.worked_on, "period": record.period}
    try:
        target: PracticeHours = registers.add_or_update(
            session, PracticeHours, existing, version, {**_values(row), **create}
        )
    except IntegrityError:
        raise StaleEdit([registers.STALE]) from None
    registers.record_saved(
        session,
        principal,
        "save_practice_hours",
        entity="practice_hours",
        entity_id=f"{row['learner_ref']}/{row['worked_on']}/{record.period}",
        old=old,
        new=_snapshot(target),
    )
    return target


def delete_hours(
    session: Session,
    *,
    principal: Principal,
    learner_ref: str,
    worked_on: date,
    period: str,
    version: int,
) -> None:
    """Delete a record entered by mistake (its hours then stop counting); audited."""
    require_hours_editor(principal)
    learner = registers.keepable_learner(session, principal, learner_ref, may_edit_hours)
    assert learner.id is not None
    existing = _stored(session, learner.id, worked_on, period)
    if existing is None:
        raise registers.no_longer_exists("practice hours record")
    registers.require_current(version, existing.version)
    registers.delete_recorded(
        session,
        principal,
        existing,
        "delete_practice_hours",
        entity="practice_hours",
        entity_id=f"{learner_ref}/{worked_on.isoformat()}/{period}",
        old=_snapshot(existing),
    )
