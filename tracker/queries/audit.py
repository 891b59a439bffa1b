"""The audit log, for administrators: who did what, when, with old and new values."""

from __future__ import annotations

import json
from datetime import date, datetime, time

import pandas as pd
from sqlmodel import Session, col, select

from tracker.access import Principal, require_role
from tracker.models import AuditLog, Role

AUDIT_COLUMNS = ["at", "username", "action", "entity", "entity_id", "old", "new", "detail"]


def audit_actions(session: Session, *, principal: Principal) -> list[str]:
    require_role(principal, {Role.ADMIN}, "read the audit log")
    return sorted(set(session.exec(select(AuditLog.action).distinct())))


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
            "detail": row.detail or "",
        }
        for row in rows
    ]
    return pd.DataFrame(records, columns=AUDIT_COLUMNS)
