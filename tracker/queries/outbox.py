"""The e-mail outbox as administrators read it: what was sent, what waits, what failed."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, col, func, select

from tracker.access import Principal, require_role
from tracker.models import OutboxMessage, Role

OUTBOX_COLUMNS = [
    "id",
    "queued_at",
    "notification",
    "address",
    "subject",
    "outbox_status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "sent_at",
]
#: The newest messages shown at once; the filter narrows by status to find older ones.
OUTBOX_LIMIT = 500


def outbox_frame(
    session: Session, *, principal: Principal, status: str | None = None
) -> pd.DataFrame:
    """The newest outbox messages (of one status, if given), newest first; administrators
    only, since the messages hold learners' names and people's addresses."""
    require_role(principal, [Role.ADMIN], "read the e-mail outbox")
    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(OUTBOX_LIMIT)
    if status:
        query = query.where(OutboxMessage.status == status)
    rows = [
        {
            "id": m.id,
            "queued_at": m.created_at,
            "notification": m.kind,
            "address": m.address,
            "subject": m.subject,
            "outbox_status": m.status,
            "attempts": m.attempts,
            "next_attempt_at": m.next_attempt_at if m.status == "queued" else None,
            "last_error": m.last_error or "",
            "sent_at": m.sent_at,
        }
        for m in session.exec(query)
    ]
    return pd.DataFrame(rows, columns=OUTBOX_COLUMNS)


def outbox_counts(session: Session, *, principal: Principal) -> dict[str, int]:
    """How many messages are in each status (for the page's summary line)."""
    require_role(principal, [Role.ADMIN], "read the e-mail outbox")
    query = select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))
    return {status: int(n) for status, n in session.exec(query).all()}
