"""User accounts as a table for the admin page (never the password hashes)."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, col, select

from tracker.access import Principal, require_role
from tracker.models import Organisation, OrgKind, Role, SsoIdentity, User

USER_COLUMNS = ["username", "role", "hei", "organisation", "active", "demo", "last_sign_in"]


def list_users(session: Session, *, actor: Principal) -> list[User]:
    """Every account, by username: administrators only."""
    require_role(actor, {Role.ADMIN}, "list users")
    return list(session.exec(select(User).order_by(User.username)))


def users_frame(session: Session, *, principal: Principal) -> pd.DataFrame:
    codes = {org.id: org.code for org in session.exec(select(Organisation))}
    rows = [
        {
            "username": user.username,
            "role": user.role,
            "hei": codes.get(user.hei_id, "") if user.hei_id else "",
            "organisation": codes.get(user.organisation_id, "") if user.organisation_id else "",
            "active": user.active,
            "demo": user.is_demo,
            "last_sign_in": user.last_login_at.strftime("%Y-%m-%d %H:%M")
            if user.last_login_at
            else "",
        }
        for user in list_users(session, actor=principal)
    ]
    return pd.DataFrame(rows, columns=USER_COLUMNS)


PENDING_COLUMNS = ["id", "email", "name", "groups", "first_seen", "last_seen"]


def _moment(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else ""


def pending_sso_frame(session: Session, *, principal: Principal) -> pd.DataFrame:
    """Organisation accounts that signed in and wait for a role: administrators only."""
    require_role(principal, {Role.ADMIN}, "list accounts waiting for approval")
    query = select(SsoIdentity).where(col(SsoIdentity.user_id).is_(None))
    rows = [
        {
            "id": identity.id,
            "email": identity.email or "",
            "name": identity.name or "",
            "groups": "; ".join(identity.groups or []),
            "first_seen": _moment(identity.first_seen_at),
            "last_seen": _moment(identity.last_seen_at),
        }
        for identity in session.exec(query.order_by(col(SsoIdentity.first_seen_at)))
    ]
    return pd.DataFrame(rows, columns=PENDING_COLUMNS)


def provider_options(session: Session) -> list[dict[str, str]]:
    """Organisations a placement provider user may belong to: every one that is not an HEI."""
    query = select(Organisation).where(Organisation.kind != OrgKind.HEI.value)
    return [
        {"label": f"{org.code} · {org.name}", "value": org.code}
        for org in session.exec(query.order_by(Organisation.code))
    ]


def hei_options(session: Session) -> list[dict[str, str]]:
    query = select(Organisation).where(Organisation.kind == OrgKind.HEI.value)
    return [
        {"label": f"{org.code} · {org.name}", "value": org.code}
        for org in session.exec(query.order_by(Organisation.code))
    ]
