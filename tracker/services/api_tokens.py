"""API tokens for HEI systems: create and revoke (administrators, audited), and resolve one.

A token is ``trk_<id>_<secret>``: the id finds the row, the random secret proves it. Only the
SHA-256 of the whole token is stored, so a copy of the database gives no working token. A
token acts as a principal of role ``hei`` bound to its HEI, so the API reads and writes through
exactly the access rules the pages use; its scope only narrows that (read: no imports).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

from tracker.access import AccessDenied, Principal, require_role
from tracker.clock import utcnow
from tracker.models import ApiToken, Organisation, OrgKind, Role
from tracker.refusals import Refused
from tracker.services.audit import record_audit

PREFIX = "trk_"
#: The refusal of every token that does not work: unknown, malformed, wrong secret, revoked.
TOKEN_REFUSED = "The API token is missing, unknown or revoked."


class TokenScope(StrEnum):
    READ = "read"
    WRITE = "write"


class TokenError(Refused):
    """A token request that cannot be carried out (unknown HEI, unknown token)."""


class TokenRefused(AccessDenied):
    """The request's token does not authenticate it (HTTP 401); one message for every case."""

    def __init__(self) -> None:
        super().__init__(TOKEN_REFUSED)


@dataclass(frozen=True)
class NewToken:
    """A created token: ``secret`` is the whole token, shown once and never stored."""

    token_id: int
    hei_code: str
    scope: TokenScope
    secret: str


@dataclass(frozen=True)
class TokenHolder:
    """Who a valid token acts as, and what it may do."""

    principal: Principal
    scope: TokenScope
    token_id: int


def token_hash(token: str) -> str:
    """What is stored for a token: the hex SHA-256 of the whole string."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _hei(session: Session, hei_code: str) -> tuple[int, str]:
    """The id and code of the HEI a token is for; refuses any other kind of organisation."""
    hei = session.exec(select(Organisation).where(Organisation.code == hei_code)).first()
    if hei is None or hei.kind != OrgKind.HEI.value or hei.id is None:
        raise TokenError(f"{hei_code!r} is not the code of an HEI in the register.")
    return hei.id, hei.code


def create_api_token(
    session: Session, *, hei_code: str, scope: TokenScope | str, actor: Principal, label: str = ""
) -> NewToken:
    """Add a token for one HEI; the returned secret is the only copy there will ever be."""
    require_role(actor, {Role.ADMIN}, "manage API tokens")
    try:
        scope = TokenScope(scope)
    except ValueError:
        raise TokenError(f"Scope {scope!r} is not one of: read, write.") from None
    hei_id, code = _hei(session, hei_code.strip())
    row = ApiToken(
        token_hash=token_hash(secrets.token_hex(16)),  # replaced once the id is known
        hei_id=hei_id,
        scope=scope.value,
        label=label.strip()[:120],
        created_by=actor.username,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    secret = f"{PREFIX}{row.id}_{secrets.token_urlsafe(32)}"
    row.token_hash = token_hash(secret)
    session.add(row)
    record_audit(
        session,
        actor,
        "api_token.create",
        entity="api_token",
        entity_id=row.id,
        new={"hei": code, "scope": scope.value, "label": row.label},
        detail=f"API token {row.id} for {code} ({scope.value})",
    )
    session.flush()
    return NewToken(token_id=row.id, hei_code=code, scope=scope, secret=secret)


def revoke_api_token(session: Session, *, token_id: int, actor: Principal) -> ApiToken:
    """Revoke a token at once (its next request gets 401); revoking twice changes nothing."""
    require_role(actor, {Role.ADMIN}, "manage API tokens")
    row = session.get(ApiToken, token_id)
    if row is None:
        raise TokenError(f"There is no API token {token_id}.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        record_audit(
            session,
            actor,
            "api_token.revoke",
            entity="api_token",
            entity_id=row.id,
            old={"revoked": False},
            new={"revoked": True},
            detail=f"API token {row.id} revoked",
        )
        session.flush()
    return row


def list_api_tokens(session: Session, *, actor: Principal) -> list[dict[str, object]]:
    """Every token without its hash: id, HEI, scope, label, who made it, when used or revoked."""
    require_role(actor, {Role.ADMIN}, "manage API tokens")
    query = (
        select(ApiToken, Organisation.code)
        .join(Organisation, col(Organisation.id) == ApiToken.hei_id)
        .order_by(col(ApiToken.id))
    )
    return [
        {
            "id": t.id,
            "hei": code,
            "scope": t.scope,
            "label": t.label,
            "created_by": t.created_by,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "revoked_at": t.revoked_at,
        }
        for t, code in session.exec(query).all()
    ]


def _token_id(token: str) -> int | None:
    if not token.startswith(PREFIX):
        return None
    number, _, rest = token[len(PREFIX) :].partition("_")
    if not rest or not number.isascii() or not number.isdigit() or len(number) > 12:
        return None
    return int(number)


def authenticate_token(session: Session, token: str) -> TokenHolder:
    """The principal a presented token acts as; raises TokenRefused for any token that fails.

    Records when the token was last used (in the caller's transaction). The hash comparison
    is constant-time, so timing tells nothing about how much of a guess was right.
    """
    token_id = _token_id(token)
    row = session.get(ApiToken, token_id) if token_id is not None else None
    if row is None or not hmac.compare_digest(row.token_hash, token_hash(token)):
        raise TokenRefused()
    if row.revoked_at is not None:
        raise TokenRefused()
    hei = session.get(Organisation, row.hei_id)
    if hei is None:
        raise TokenRefused()
    row.last_used_at = utcnow()
    session.add(row)
    principal = Principal(
        username=f"api-token-{row.id}",
        role=Role.HEI,
        hei_id=row.hei_id,
        hei_code=hei.code,
    )
    return TokenHolder(principal=principal, scope=TokenScope(row.scope), token_id=row.id or 0)
