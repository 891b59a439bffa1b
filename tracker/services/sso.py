"""Single sign-on accounts: a verified ID token in, a signed-in principal (or a reason) out.

The token's signature, audience, issuer, expiry and nonce are checked before anything here
runs (``tracker.auth_sso``, with Authlib). What is decided here: a first sign-in creates an
identity and no access; access comes from an administrator's approval or from the configured
claims mapping (``sso_rules``), and each grant is audited with who or which rule gave it. An
identity is never joined to an existing local account by a matching name or e-mail, since
whoever controls a provider account could otherwise take over a local one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from tracker.access import Principal, require_role
from tracker.clock import utcnow
from tracker.models import Role, SsoIdentity, User
from tracker.services.audit import record_audit
from tracker.services.sso_rules import ClaimRule, first_match
from tracker.services.users import (
    NO_PASSWORD,
    SignInResult,
    UserError,
    add_user,
    hei_binding,
    organisation_binding,
    principal_for,
)

PENDING_MESSAGE = (
    "Your organisation's account is known to the tracker but has no access yet: an "
    "administrator must approve it and set your role. Sign in again once they have."
)
DEACTIVATED_MESSAGE = "Your tracker account is deactivated: ask an administrator."
MAX_GROUPS = 200


@dataclass(frozen=True)
class ProviderClaims:
    """What the tracker keeps of a verified ID token."""

    issuer: str
    subject: str
    email: str | None
    name: str | None
    groups: tuple[str, ...]

    @classmethod
    def from_token(cls, claims: Mapping[str, Any]) -> ProviderClaims:
        """Read the verified claims, ignoring any of the wrong type. An e-mail address the
        provider marks unverified is not kept, so it can never satisfy a domain rule."""
        email = claims.get("email")
        if not isinstance(email, str) or claims.get("email_verified") is False:
            email = None
        name = claims.get("name")
        groups = claims.get("groups")
        listed = [g for g in groups if isinstance(g, str)] if isinstance(groups, list) else []
        return cls(
            issuer=str(claims["iss"])[:255],
            subject=str(claims["sub"])[:255],
            email=email.strip().lower()[:255] if email else None,
            name=name[:128] if isinstance(name, str) else None,
            groups=tuple(g[:255] for g in listed[:MAX_GROUPS]),
        )


def _identity(session: Session, claims: ProviderClaims) -> SsoIdentity:
    """The identity of these claims, created (and audited) on its first sign-in."""
    identity = session.exec(
        select(SsoIdentity).where(
            SsoIdentity.issuer == claims.issuer, SsoIdentity.subject == claims.subject
        )
    ).first()
    now = utcnow()
    created = identity is None
    if identity is None:
        identity = SsoIdentity(
            issuer=claims.issuer, subject=claims.subject, first_seen_at=now, last_seen_at=now
        )
    identity.email = claims.email
    identity.name = claims.name
    identity.groups = list(claims.groups)
    identity.last_seen_at = now
    session.add(identity)
    session.flush()
    if created:
        record_audit(
            session,
            None,
            "sso.first_sign_in",
            entity="sso_identity",
            entity_id=identity.id,
            new={"email": claims.email, "name": claims.name},
        )
    return identity


def _username(session: Session, identity: SsoIdentity) -> str:
    """A new, unused username from the e-mail address (else the subject)."""
    base = (identity.email or f"sso-{identity.subject}")[:60]
    name, number = base, 1
    while session.exec(select(User).where(User.username == name)).first() is not None:
        number += 1
        name = f"{base}~{number}"
    return name


def _grant(
    session: Session,
    identity: SsoIdentity,
    *,
    role: Role,
    hei_code: str | None,
    actor: Principal | None,
    granted_by: str,
    organisation_code: str | None = None,
) -> User:
    """Give a pending identity its account, with the audit rows saying who granted what."""
    user = add_user(
        session,
        username=_username(session, identity),
        password_hash=NO_PASSWORD,
        role=role,
        hei_code=hei_code,
        hei_id=hei_binding(session, role, hei_code),
        actor=actor,
        detail=f"single sign-on: {granted_by}",
        organisation_id=organisation_binding(session, role, organisation_code),
    )
    identity.user_id = user.id
    identity.granted_by = granted_by[:255]
    session.add(identity)
    session.flush()
    record_audit(
        session,
        actor,
        "sso.grant",
        entity="sso_identity",
        entity_id=identity.id,
        new={
            "username": user.username,
            "role": role.value,
            "hei": hei_code,
            "organisation": organisation_code,
        },
        detail=granted_by,
    )
    return user


def _grant_by_rule(
    session: Session, identity: SsoIdentity, rules: Sequence[ClaimRule]
) -> User | None:
    rule = first_match(rules, email=identity.email, groups=identity.groups or [])
    if rule is None:
        return None
    try:
        hei_binding(session, rule.role, rule.hei_code)
        organisation_binding(session, rule.role, rule.organisation_code)
    except UserError as exc:
        # A rule naming an HEI or organisation not (or no longer) registered grants nothing.
        record_audit(
            session,
            None,
            "sso.rule_failed",
            entity="sso_identity",
            entity_id=identity.id,
            detail=f"{rule.describe()}: {exc}",
        )
        return None
    return _grant(
        session,
        identity,
        role=rule.role,
        hei_code=rule.hei_code,
        actor=None,
        granted_by=f"claims rule: {rule.describe()}",
        organisation_code=rule.organisation_code,
    )


def sso_sign_in(
    session: Session, claims: ProviderClaims, *, rules: Sequence[ClaimRule] = ()
) -> SignInResult:
    """Sign in the person behind verified claims, or say why not (pending, deactivated).

    The caller commits whatever the outcome: a pending identity is kept so administrators
    can approve it, and every outcome has its audit row.
    """
    identity = _identity(session, claims)
    user = session.get(User, identity.user_id) if identity.user_id is not None else None
    if user is None:
        user = _grant_by_rule(session, identity, rules)
    if user is None:
        record_audit(session, None, "signin.pending", entity="sso_identity", entity_id=identity.id)
        return SignInResult(None, PENDING_MESSAGE)
    if not user.active:
        record_audit(session, None, "signin.failed", entity="user", entity_id=user.id)
        return SignInResult(None, DEACTIVATED_MESSAGE)
    user.last_login_at = utcnow()
    session.add(user)
    principal = principal_for(session, user)
    record_audit(session, principal, "signin", entity="user", entity_id=user.id, detail="sso")
    return SignInResult(principal, "Signed in.", user.session_generation)


def approve_sso_account(
    session: Session,
    *,
    identity_id: int,
    role: Role | str,
    hei_code: str | None,
    actor: Principal,
    organisation_code: str | None = None,
) -> User:
    """An administrator gives a pending organisation account its role (and HEI, or for a
    placement provider user its organisation)."""
    require_role(actor, {Role.ADMIN}, "approve accounts")
    identity = session.get(SsoIdentity, identity_id)
    if identity is None:
        raise UserError("That organisation account is not waiting for approval any more.")
    if identity.user_id is not None:
        raise UserError("That organisation account already has access.")
    if role not in {r.value for r in Role}:
        raise UserError("Choose a role.")
    return _grant(
        session,
        identity,
        role=Role(role),
        hei_code=hei_code or None,
        actor=actor,
        granted_by=f"approved by {actor.username}",
        organisation_code=organisation_code or None,
    )


def refuse_sso_answer(session: Session, reason: str) -> None:
    """Audit an answer from the provider that was refused (bad token, replayed state)."""
    record_audit(session, None, "signin.failed", entity="sso_identity", detail=reason[:500])
