"""The daily digest: one message per user per day gathering the notifications they held."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlmodel import Session, col, select

from tracker.models import NotificationKind, OutboxMessage, OutboxStatus
from tracker.services.notify.outbox import Message, queue_message


def gather_digests(session: Session, *, day: date) -> int:
    """Gather each user's held messages into one queued digest for ``day``; returns how many.

    A user's digest of a day is keyed ``digest:u<id>:<day>``: once it exists, messages held
    later that day wait for the next day's digest, so nobody gets two digests a day however
    often the sender runs.
    """
    held = session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.status) == OutboxStatus.HELD.value)
        .order_by(col(OutboxMessage.user_id), col(OutboxMessage.created_at), col(OutboxMessage.id))
    ).all()
    by_user: dict[int | None, list[OutboxMessage]] = defaultdict(list)
    for row in held:
        by_user[row.user_id].append(row)
    made = 0
    for user_id, rows in by_user.items():
        key = f"digest:u{user_id}:{day.isoformat()}"
        done = select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)
        if session.exec(done).first():
            continue
        parts = [f"{row.subject}\n{'-' * len(row.subject)}\n{row.body}" for row in rows]
        digest = Message(
            kind=NotificationKind.DIGEST,
            subject=f"Placement tracker: {len(rows)} notification(s) for {day:%d %B %Y}",
            body="Your daily digest of notifications.\n\n" + "\n\n".join(parts) + "\n",
        )
        queue_message(session, message=digest, address=rows[-1].address, key=key, user_id=user_id)
        for row in rows:
            row.status = OutboxStatus.GATHERED.value
            session.add(row)
        made += 1
    session.flush()
    return made
