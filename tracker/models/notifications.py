"""E-mail notifications: the durable outbox and each user's choice per kind of notification."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from tracker.models.vocabulary import (
    DeliveryMode,
    NotificationKind,
    OutboxStatus,
    non_negative,
    one_of,
)


class OutboxMessage(SQLModel, table=True):
    """One e-mail to one address, written in the same transaction as the event it tells of.

    The sender (``services.notify.sender``) claims due rows one at a time and marks them sent;
    the table is the queue, so a message survives any restart. ``idempotency_key`` is unique:
    an event queued twice (a retried request, a daily job run twice) writes one row, and the
    key is also the message's stable Message-ID, so a re-send after a lost worker is
    recognisable as the same message. ``user_id`` is empty for a setting's contact address,
    which is not a user.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        one_of("kind", NotificationKind),
        one_of("status", OutboxStatus),
        *non_negative("attempts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime
    kind: str = Field(max_length=32)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    address: str = Field(max_length=255)
    subject: str = Field(max_length=255)
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default=OutboxStatus.QUEUED.value, max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(index=True)
    claimed_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=1000)
    sent_at: datetime | None = None
    idempotency_key: str = Field(max_length=200, unique=True, index=True)


class NotificationPreference(SQLModel, table=True):
    """A user's choice for one kind of notification; no row means the kind's default."""

    __tablename__ = "notification_preference"
    __table_args__ = (one_of("kind", NotificationKind), one_of("mode", DeliveryMode))

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    kind: str = Field(max_length=32, primary_key=True)
    mode: str = Field(max_length=16)
