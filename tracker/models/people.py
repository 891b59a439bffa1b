"""People and accountability: users, sign-in throttling and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column
from sqlmodel import Field, SQLModel

from tracker.models.vocabulary import Role, non_negative, one_of


class User(SQLModel, table=True):
    """A person who signs in. HEI users are bound to exactly one HEI."""

    __tablename__ = "app_user"
    __table_args__ = (
        one_of("role", Role),
        CheckConstraint(
            "(role = 'hei' AND hei_id IS NOT NULL) OR (role <> 'hei' AND hei_id IS NULL)",
            name="hei_binding",
        ),
        *non_negative("session_generation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16)
    hei_id: int | None = Field(default=None, foreign_key="organisation.id")
    active: bool = True
    is_demo: bool = Field(default=False, description="Demo account: signs in only in demo mode")
    session_generation: int = Field(
        default=0, description="Written into each session at sign-in; raising it ends them all"
    )
    created_at: datetime | None = None
    last_login_at: datetime | None = None


class SignInThrottle(SQLModel, table=True):
    """Recent failed sign-ins of one username from one client address, and how long it waits.

    Keyed by both, so failures from one address never slow down the account's owner at
    another; kept in the database so that every web worker agrees.
    """

    __tablename__ = "sign_in_throttle"
    __table_args__ = (*non_negative("failures"),)

    username: str = Field(max_length=64, primary_key=True)
    client: str = Field(max_length=64, primary_key=True)
    failures: int = 0
    last_failure_at: datetime = Field(index=True)
    wait_until: datetime | None = None


class AuditLog(SQLModel, table=True):
    """Append-only record of who did what, when, with old and new values."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    username: str | None = Field(default=None, max_length=64, index=True)
    action: str = Field(max_length=64, index=True)
    entity: str | None = Field(default=None, max_length=64)
    entity_id: str | None = Field(default=None, max_length=64)
    old: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    new: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    detail: str | None = None
