"""The append-only audit log: every write path records who did what, when, old and new."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from tracker.access import Principal
from tracker.clock import utcnow
from tracker.models import AuditLog


def record_audit(
    session: Session,
    principal: Principal | None,
    action: str,
    *,
    entity: str | None = None,
    entity_id: object | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    detail: str | None = None,
) -> AuditLog:
    """Add an audit row to the caller's transaction, so it commits or rolls back with the change."""
    row = AuditLog(
        at=utcnow(),
        username=principal.username if principal else None,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        old=old,
        new=new,
        detail=detail,
    )
    session.add(row)
    return row
