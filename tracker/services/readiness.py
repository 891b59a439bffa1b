"""The learner readiness register's writes: record a learner's checks, or clear them.

The learner's HEI keeps its learners' readiness, administrators may keep anyone's, and
coordinators read it only (``access.may_edit_readiness``). A record is keyed by the learner's
reference, the same key the ``readiness`` import file uses, and its values obey that
importer's rules. See ``services.registers`` for the locking and refusals every register
write shares; a learner has at most one record, so a save made without having seen the
stored one (``version`` None) is refused as stale rather than overwriting it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tracker.access import Principal, may_edit_readiness, require_readiness_editor
from tracker.clock import utcnow
from tracker.measures.readiness import CHECK_COLUMNS
from tracker.models import LearnerReadiness
from tracker.services import registers
from tracker.services.registers import StaleEdit

DATE_COLUMNS = tuple(CHECK_COLUMNS.values())


@dataclass(frozen=True)
class ReadinessInput:
    """One learner's checks as typed in the form: None where a check is not done."""

    learner_ref: str
    dbs_valid_until: date | None = None
    occupational_health_valid_until: date | None = None
    mandatory_training_valid_until: date | None = None
    note: str | None = None


def readiness_row(readiness: ReadinessInput) -> dict[str, str]:
    """The record as a row of the readiness import file, so the importer's rules check it."""
    row = {"learner_ref": readiness.learner_ref.strip()}
    for column in DATE_COLUMNS:
        day = getattr(readiness, column)
        row[column] = "" if day is None else day.isoformat()
    row["note"] = (readiness.note or "").strip()
    return row


def _snapshot(record: LearnerReadiness) -> dict[str, Any]:
    days = {c: getattr(record, c) for c in DATE_COLUMNS}
    shown = {c: None if d is None else d.isoformat() for c, d in days.items()}
    return {**shown, "note": record.note}


def _stored(session: Session, learner_id: int | None) -> LearnerReadiness | None:
    return session.exec(
        select(LearnerReadiness).where(LearnerReadiness.learner_id == learner_id)
    ).first()


def _values(row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {
        c: date.fromisoformat(row[c]) if row[c] else None for c in DATE_COLUMNS
    }
    return {**values, "note": row["note"] or None, "updated_at": utcnow()}


def _write(
    session: Session, existing: LearnerReadiness | None, version: int | None, values: dict[str, Any]
) -> LearnerReadiness:
    """Add the learner's record or change it at ``version``. A first record added meanwhile
    by someone else breaks the unique learner: a stale edit (the caller's transaction is
    rolled back, as for every refusal)."""
    try:
        record: LearnerReadiness = registers.add_or_update(
            session, LearnerReadiness, existing, version, values
        )
    except IntegrityError:
        raise StaleEdit([registers.STALE]) from None
    return record


def save_readiness(
    session: Session,
    *,
    principal: Principal,
    readiness: ReadinessInput,
    version: int | None = None,
) -> LearnerReadiness:
    """Record a learner's checks (``version`` None: the user saw no record yet) or change
    them at the ``version`` the user opened. An empty date means the check is not done."""
    require_readiness_editor(principal)
    row = readiness_row(readiness)
    registers.validate_rows(session, principal, "readiness", [row])
    learner = registers.keepable_learner(session, principal, row["learner_ref"], may_edit_readiness)
    assert learner.id is not None
    existing = _stored(session, learner.id)
    if existing is None and version is not None:
        raise registers.no_longer_exists("readiness record")  # cleared since it was opened
    old = None if existing is None else _snapshot(existing)
    target = _write(session, existing, version, {**_values(row), "learner_id": learner.id})
    registers.record_saved(
        session,
        principal,
        "save_learner_readiness",
        entity="learner_readiness",
        entity_id=row["learner_ref"],
        old=old,
        new=_snapshot(target),
    )
    return target


def delete_readiness(
    session: Session, *, principal: Principal, learner_ref: str, version: int
) -> None:
    """Clear a learner's record entered by mistake: the learner is then not ready until the
    checks are recorded again."""
    require_readiness_editor(principal)
    learner = registers.keepable_learner(session, principal, learner_ref, may_edit_readiness)
    existing = _stored(session, learner.id)
    if existing is None:
        raise registers.no_longer_exists("readiness record")
    registers.require_current(version, existing.version)
    old = _snapshot(existing)
    registers.delete_recorded(
        session,
        principal,
        existing,
        "delete_learner_readiness",
        entity="learner_readiness",
        entity_id=learner_ref,
        old=old,
    )
