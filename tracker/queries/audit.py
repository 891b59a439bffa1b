"""The audit log, for administrators: who did what, when, with old and new values."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

import pandas as pd
from sqlmodel import Session, col, select

from tracker.access import Principal, require_role
from tracker.models import AuditLog, Role
from tracker.vocabulary import AUDIT_ACTIONS, VALUE_LABELS, label, value_label

AUDIT_COLUMNS = ["at", "username", "action", "entity", "entity_id", "old", "new", "detail"]
#: The audit log as people read it: values as "Label: value" text instead of JSON.
AUDIT_SHOWN = ["at", "username", "action", "entity", "entity_id", "old_text", "new_text", "detail"]


def audit_actions(session: Session, *, principal: Principal) -> list[dict[str, str]]:
    """The actions in the log, as dropdown options in words (the value stays the code)."""
    require_role(principal, {Role.ADMIN}, "read the audit log")
    codes = sorted(set(session.exec(select(AuditLog.action).distinct())))
    return [{"label": AUDIT_ACTIONS.get(code, value_label(code)), "value": code} for code in codes]


def audit_frame(
    session: Session,
    *,
    principal: Principal,
    actions: tuple[str, ...] = (),
    username: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 5000,
) -> pd.DataFrame:
    """Newest first; old/new values as compact JSON text so they read in a table and a CSV."""
    require_role(principal, {Role.ADMIN}, "read the audit log")
    query = select(AuditLog).order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
    if actions:
        query = query.where(AuditLog.action.in_(actions))  # type: ignore[attr-defined]
    if username:
        query = query.where(AuditLog.username == username)
    if since:
        query = query.where(AuditLog.at >= datetime.combine(since, time.min))
    if until:
        query = query.where(AuditLog.at <= datetime.combine(until, time.max))
    rows = session.exec(query.limit(limit)).all()
    records = [
        {
            "at": row.at.strftime("%Y-%m-%d %H:%M:%S") if row.at else "",
            "username": row.username or "",
            "action": row.action,
            "entity": row.entity or "",
            "entity_id": row.entity_id or "",
            "old": json.dumps(row.old, default=str, sort_keys=True) if row.old else "",
            "new": json.dumps(row.new, default=str, sort_keys=True) if row.new else "",
            "old_text": _readable(row.old),
            "new_text": _readable(row.new),
            "detail": row.detail or "",
        }
        for row in rows
    ]
    return pd.DataFrame(records, columns=[*AUDIT_COLUMNS, "old_text", "new_text"])


def _readable(values: dict[str, Any] | None) -> str:
    """Old or new values as a person reads them: "Practice supervisors: 3; Sector: Care
    home", nested values too ("Scope: blocks 2026-B1, programmes none"), never JSON. The JSON
    stays in ``old``/``new`` for the download, which a machine may read."""
    if not values:
        return ""
    return "; ".join(f"{label(key)}: {_shown(value, key)}" for key, value in values.items())


#: Values that are names people chose (accounts), never codes to put into words.
_NAMES = frozenset({"user", "username", "by", "created_by"})


def _shown(value: Any, key: str = "") -> str:
    """One value in words: codes by their labels (the column's own where it has them),
    yes/no, lists joined, nested values as "label value" pairs, nothing as "none"."""
    if value is None or value == [] or value == {}:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        if key in _NAMES or not value.islower():
            return value
        return VALUE_LABELS.get(key, {}).get(value) or value_label(value)
    if isinstance(value, dict):
        return ", ".join(f"{_inner(label(k))} {_shown(v, k)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_shown(v, key) for v in value)
    return str(value)


def _inner(heading: str) -> str:
    """A heading inside a sentence: "Blocks" -> "blocks", but "HEI" stays "HEI"."""
    return heading[:1].lower() + heading[1:] if heading[1:2].islower() else heading
