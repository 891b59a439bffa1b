"""People and accountability: users, single sign-on identities, sign-in throttling and the
audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.models.vocabulary import Role, non_negative, one_of


class User(SQLModel, table=True):
    """A person who signs in. HEI users are bound to exactly one HEI, placement provider users
    to exactly one provider organisation."""

    __tablename__ = "app_user"
    __table_args__ = (
        one_of("role", Role),
        CheckConstraint(
            "(role = 'hei' AND hei_id IS NOT NULL) OR (role <> 'hei' AND hei_id IS NULL)",
            name="hei_binding",
        ),
        CheckConstraint(
            "(role = 'provider' AND organisation_id IS NOT NULL) "
            "OR (role <> 'provider' AND organisation_id IS NULL)",
            name="provider_binding",
        ),
        *non_negative("session_generation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16)
    hei_id: int | None = Field(default=None, foreign_key="organisation.id")
    #: Where notifications go (set by the user on the Notifications page); a single sign-on
    #: account without one uses the address the provider last sent.
    email: str | None = Field(default=None, max_length=255)
    organisation_id: int | None = Field(
        default=None,
        foreign_key="organisation.id",
        description="A placement provider user's organisation: whose settings they see",
    )
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


class SsoIdentity(SQLModel, table=True):
    """A person known to the organisation's OpenID Connect provider (issuer and subject).

    The first sign-in creates the row and nothing else: ``user_id`` stays empty (the account
    is pending) until an administrator approves it with a role and HEI, or a configured claims
    mapping grants them. E-mail, name and groups are the latest the provider sent, kept so an
    administrator can see who is asking and why a mapping did or did not apply.
    """

    __tablename__ = "sso_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    issuer: str = Field(max_length=255)
    subject: str = Field(max_length=255)
    email: str | None = Field(default=None, max_length=255)
    name: str | None = Field(default=None, max_length=128)
    groups: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    user_id: int | None = Field(default=None, foreign_key="app_user.id", unique=True)
    first_seen_at: datetime
    last_seen_at: datetime
    granted_by: str | None = Field(
        default=None, max_length=255, description="Who or which claims rule granted access"
    )


class SsoLoginState(SQLModel, table=True):
    """One sign-in with the provider in progress: its state, nonce and PKCE verifier.

    Kept on the server (not only in the cookie) and deleted when the provider's answer comes
    back, so a replayed answer finds no state even with a copy of the old cookie.
    """

    __tablename__ = "sso_login_state"

    key: str = Field(max_length=128, primary_key=True)
    value: str = Field(max_length=4000)
    expires_at: datetime = Field(index=True)


class ApiToken(SQLModel, table=True):
    """One HEI system's key to the JSON API: only the SHA-256 of its secret is kept.

    The secret is random (256 bits), so a plain hash is enough (no salt or slow hash: nobody
    can guess one); it is shown once at creation. ``scope`` read may pull placements and
    requests, write may also push imports. A revoked token stays, for the audit trail.
    """

    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint("scope IN ('read', 'write')", name="scope_known"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    hei_id: int = Field(foreign_key="organisation.id", index=True)
    scope: str = Field(max_length=8)
    label: str = Field(default="", max_length=120)
    created_by: str = Field(max_length=64)
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
