"""User accounts: create, authenticate (with lock-out), manage, and the demo accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.access import Principal, require_role
from tracker.clock import utcnow
from tracker.models import Organisation, OrgKind, Role, User
from tracker.refusals import Refused
from tracker.services.audit import record_audit

MIN_PASSWORD_LENGTH = 10

# A hash to check against when the username is unknown, so that a wrong username and a wrong
# password take the same time and cannot be told apart.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class UserError(Refused):
    """A user-management request that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class SignInResult:
    principal: Principal | None
    message: str


def principal_for(session: Session, user: User) -> Principal:
    hei_code = None
    if user.hei_id is not None:
        hei = session.get(Organisation, user.hei_id)
        hei_code = hei.code if hei else None
    return Principal(
        username=user.username,
        role=Role(user.role),
        user_id=user.id,
        hei_id=user.hei_id,
        hei_code=hei_code,
    )


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role | str,
    hei_code: str | None = None,
    is_demo: bool = False,
    actor: Principal | None = None,
) -> User:
    """Add a user; HEI users must name their HEI, other roles must not."""
    role = Role(role)
    username = username.strip()
    if not username:
        raise UserError("A username is required.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    if session.exec(select(User).where(User.username == username)).first():
        raise UserError(f"A user called {username!r} already exists.")
    hei_id = None
    if role is Role.HEI:
        if not hei_code:
            raise UserError("An HEI user must be bound to an HEI (give its organisation code).")
        hei = session.exec(select(Organisation).where(Organisation.code == hei_code)).first()
        if hei is None or hei.kind != OrgKind.HEI.value:
            raise UserError(f"{hei_code!r} is not the code of an HEI in the register.")
        hei_id = hei.id
    elif hei_code:
        raise UserError("Only users with the hei role are bound to an HEI.")
    if actor is not None:
        require_role(actor, {Role.ADMIN}, "manage users")
    user = User(
        username=username,
        password_hash=generate_password_hash(password),
        role=role.value,
        hei_id=hei_id,
        is_demo=is_demo,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    record_audit(
        session,
        actor,
        "user.create",
        entity="user",
        entity_id=user.id,
        new={"username": username, "role": role.value, "hei": hei_code},
    )
    return user


def _as_utc(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    demo_mode: bool,
    max_failed: int = 5,
    lockout_minutes: int = 15,
) -> SignInResult:
    """Check a password; lock the account for a while after repeated failures.

    The caller commits the session whatever the outcome, so failure counts and the audit row
    are kept even for refused sign-ins.
    """
    refused = SignInResult(None, "Unknown username or wrong password.")
    user = session.exec(select(User).where(User.username == username.strip())).first()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        record_audit(session, None, "signin.failed", entity="user", detail=username[:64])
        return refused
    now = utcnow()
    locked_until = _as_utc(user.locked_until)
    if locked_until and locked_until > now:
        record_audit(session, None, "signin.locked", entity="user", entity_id=user.id)
        minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
        return SignInResult(None, f"Too many failed attempts: try again in {minutes} minutes.")
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= max_failed:
            user.locked_until = now + timedelta(minutes=lockout_minutes)
            user.failed_logins = 0
        session.add(user)
        record_audit(session, None, "signin.failed", entity="user", entity_id=user.id)
        return refused
    if not user.active:
        return SignInResult(None, "This account has been deactivated.")
    if user.is_demo and not demo_mode:
        return SignInResult(None, "Demo accounts are disabled outside demo mode.")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(user)
    principal = principal_for(session, user)
    record_audit(session, principal, "signin", entity="user", entity_id=user.id)
    return SignInResult(principal, "Signed in.")


def set_password(session: Session, *, username: str, password: str, actor: Principal) -> None:
    require_role(actor, {Role.ADMIN}, "reset passwords")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise UserError(f"No user called {username!r}.")
    user.password_hash = generate_password_hash(password)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    record_audit(session, actor, "user.password_reset", entity="user", entity_id=user.id)


def set_active(session: Session, *, username: str, active: bool, actor: Principal) -> None:
    require_role(actor, {Role.ADMIN}, "deactivate users")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise UserError(f"No user called {username!r}.")
    if actor.username == username and not active:
        raise UserError("You cannot deactivate your own account.")
    old = {"active": user.active}
    user.active = active
    session.add(user)
    record_audit(
        session,
        actor,
        "user.update",
        entity="user",
        entity_id=user.id,
        old=old,
        new={"active": active},
    )


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    hei_code: str | None = None


def demo_accounts(first_hei_code: str) -> list[DemoAccount]:
    """One account per role; the passwords are public, so they only work in demo mode."""
    return [
        DemoAccount("admin", "demo-admin-pass", Role.ADMIN),
        DemoAccount("coordinator", "demo-coordinator-pass", Role.COORDINATOR),
        DemoAccount("collaborative", "demo-collaborative-pass", Role.COLLABORATIVE),
        DemoAccount("hei", "demo-hei-pass", Role.HEI, first_hei_code),
    ]


def first_hei_code(session: Session) -> str:
    """The HEI the demo ``hei`` account is bound to: the first by code, so it is stable."""
    hei = session.exec(
        select(Organisation)
        .where(Organisation.kind == OrgKind.HEI.value)
        .order_by(Organisation.code)
    ).first()
    if hei is None:
        raise UserError("Load organisations (at least one HEI) before creating demo accounts.")
    return hei.code


def create_demo_accounts(session: Session) -> list[DemoAccount]:
    """Create the demo accounts (skipping any that exist), bound to the first HEI by code."""
    accounts = demo_accounts(first_hei_code(session))
    for account in accounts:
        exists = session.exec(select(User).where(User.username == account.username)).first()
        if exists is None:
            create_user(
                session,
                username=account.username,
                password=account.password,
                role=account.role,
                hei_code=account.hei_code,
                is_demo=True,
            )
    return accounts
