"""What every register write shares: the refusal, the importers' checks and optimistic locking.

Each write works inside the caller's transaction (``session_scope``) and either writes every
change with its audit rows or raises having written nothing the caller will commit. Values are
checked by the importers' own planners (``tracker.data.importers.validate``), so a register
typed into the app and one loaded from a file obey exactly the same rules.

Edits carry the ``version`` the user saw. The write is a conditional UPDATE on that version, so
a save based on a stale copy is refused even when two saves race, never silently overwritten.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import update
from sqlmodel import Session, select

from tracker.access import AccessDenied, Principal, may_edit_registers
from tracker.data.importers import validate
from tracker.models import Cohort, Learner
from tracker.refusals import Refused
from tracker.services.audit import record_audit

STALE = "changed by someone else since you opened it — reload"


class SaveRefused(Refused):
    """Nothing was saved; ``problems`` lists every reason, each safe to show the user."""


class StaleEdit(SaveRefused):
    """The record changed since the user loaded it."""


def no_longer_exists(what: str) -> SaveRefused:
    """The refusal for an edit of a record deleted since the user opened it."""
    return SaveRefused([f"this {what} no longer exists — reload"])


def require_current(seen: int | None, stored: int) -> None:
    """Refuse an edit made on an older copy than the stored record (the user must reload).

    ``conditional_update`` checks the same inside the UPDATE; this serves writes that refuse
    before writing anything (a delete, a changed key).
    """
    if seen is None or seen != stored:
        raise StaleEdit([STALE])


def changed_only(
    old: Mapping[str, Any], new: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The old and new values of the fields an edit changed, for its audit row (an audit row
    listing every unchanged field would hide what the edit did)."""
    changed = [k for k in new if old.get(k) != new[k]]
    return {k: old.get(k) for k in changed}, {k: new[k] for k in changed}


def record_saved(
    session: Session,
    principal: Principal,
    action: str,
    *,
    entity: str,
    entity_id: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
) -> None:
    """The audit row of a save: the whole record when it was added (``old`` None), only the
    fields an edit changed otherwise (``changed_only``)."""
    before, after = (None, dict(new)) if old is None else changed_only(old, new)
    record_audit(
        session, principal, action, entity=entity, entity_id=entity_id, old=before, new=after
    )


def delete_recorded(
    session: Session,
    principal: Principal,
    record: Any,
    action: str,
    *,
    entity: str,
    entity_id: str,
    old: Mapping[str, Any],
) -> None:
    """Delete a register row and write its audit row: what it held (``old``), under the key
    users know it by, so a deletion made by mistake can be typed in again."""
    session.delete(record)
    record_audit(session, principal, action, entity=entity, entity_id=entity_id, old=dict(old))
    session.flush()


def require_staff(principal: Principal, action: str) -> None:
    if not may_edit_registers(principal):
        raise AccessDenied(f"Your role ({principal.role.value}) may not {action}.")


def validate_rows(
    session: Session,
    principal: Principal,
    kind: str,
    rows: list[dict[str, Any]],
    labels: Sequence[str] | None = None,
) -> None:
    """Run the importer's checks on rows shaped like its file; refuse with every problem."""
    frame = pd.DataFrame(rows).fillna("").astype(str)
    report = validate(session, principal, kind, frame)
    if report.ok:
        return
    problems = []
    for p in report.problems:
        where = labels[p.row - 2] + ", " if labels and 0 <= p.row - 2 < len(labels) else ""
        shown = f" (value {p.value!r})" if p.value else ""
        problems.append(f"{where}{p.column}: {p.message}{shown}")
    raise SaveRefused(problems)


def conditional_update(
    session: Session, model: Any, row_id: int, version: int, values: Mapping[str, Any]
) -> None:
    """UPDATE ... WHERE version = the version the user saw; no row hit means a stale edit."""
    statement = (
        update(model)
        .where(model.id == row_id, model.version == version)
        .values(**values, version=version + 1)
        .execution_options(synchronize_session="fetch")
    )
    result = session.exec(statement)
    if result.rowcount != 1:
        raise StaleEdit([STALE])


def add_or_update(
    session: Session,
    model: Any,
    existing: Any | None,
    version: int | None,
    values: Mapping[str, Any],
) -> Any:
    """Add ``model(**values)``, or update ``existing`` at the ``version`` the user saw (a
    conditional UPDATE, refused as stale when someone saved since) and read it back."""
    if existing is None:
        target = model(**values)
        session.add(target)
        session.flush()
        return target
    if version is None:
        raise StaleEdit([STALE])
    conditional_update(session, model, existing.id, version, values)
    session.refresh(existing)
    return existing


def keepable_learner(
    session: Session,
    principal: Principal,
    ref: str,
    may_keep: Callable[[Principal, int | None], bool],
) -> Learner:
    """The learner whose records (readiness, practice hours) this user may keep, by
    reference; another HEI's learner is refused exactly as one that exists nowhere."""
    found = session.exec(
        select(Learner, Cohort.hei_id).join(Cohort).where(Learner.learner_ref == ref)
    ).first()
    if found is None or not may_keep(principal, found[1]):
        where = " in your HEI's records" if principal.is_hei else ""
        raise SaveRefused([f"learner_ref: no learner with this reference{where}"])
    learner: Learner = found[0]
    return learner
