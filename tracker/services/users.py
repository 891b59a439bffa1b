"""User accounts: create, authenticate (throttled), sign out, manage, and the demo accounts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.access import Principal, require_role
from tracker.clock import utcnow
from tracker.models import Organisation, OrgKind, Role, User
from tracker.refusals import Refused
from tracker.services.audit import record_audit
from tracker.services.sign_in_throttle import (
    DEFAULT_THROTTLE,
    ThrottlePolicy,
    forget_failures,
    record_failure,
    throttle_wait_until,
)
from tracker.vocabulary import ROLES

MIN_PASSWORD_LENGTH = 10

#: The password "hash" of accounts that sign in only with the organisation's provider: no
#: password ever matches it (it is not a hash Werkzeug can check).
NO_PASSWORD = "!sso-only"

# A hash to check against whenever the account cannot sign in (unknown, deactivated, waiting),
# so that every refusal takes the time of one real check and none can be told apart.
_DUMMY_HASH = generate_password_hash("not-a-real-password")

#: The one answer to every refused sign-in, whatever the reason.
SIGN_IN_REFUSED = (
    "Unknown username or wrong password. After repeated failures, wait a few minutes before "
    "trying again."
)


class UserError(Refused):
    """A user-management request that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in; ``generation`` goes into the session (see ``end_sessions``)."""

    principal: Principal | None
    message: str
    generation: int = 0


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
        organisation_id=user.organisation_id,
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
    organisation_code: str | None = None,
) -> User:
    """Add a user; HEI users must name their HEI and placement provider users their
    organisation, other roles neither."""
    role = Role(role)
    username = username.strip()
    if not username:
        raise UserError("A username is required.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    if session.exec(select(User).where(User.username == username)).first():
        raise UserError(f"A user called {username!r} already exists.")
    hei_id = hei_binding(session, role, hei_code)
    organisation_id = organisation_binding(session, role, organisation_code)
    if actor is not None:
        require_role(actor, {Role.ADMIN}, "manage users")
    return add_user(
        session,
        username=username,
        password_hash=generate_password_hash(password),
        role=role,
        hei_code=hei_code,
        hei_id=hei_id,
        is_demo=is_demo,
        actor=actor,
        organisation_id=organisation_id,
    )


def organisation_binding(session: Session, role: Role, code: str | None) -> int | None:
    """The organisation a placement provider account belongs to (one that runs settings, not
    an HEI): its users see that organisation's settings only. Other roles name none."""
    if role is Role.PROVIDER:
        if not code:
            raise UserError("A placement provider user must belong to a provider organisation.")
        found = session.exec(select(Organisation).where(Organisation.code == code)).first()
        if found is None or found.kind == OrgKind.HEI.value:
            raise UserError(f"{code!r} is not the code of a provider organisation.")
        return found.id
    if code:
        raise UserError("Only placement provider users belong to a provider organisation.")
    return None


def hei_binding(session: Session, role: Role, hei_code: str | None) -> int | None:
    """The HEI an account of this role is bound to: HEI users name one, others none."""
    if role is Role.HEI:
        if not hei_code:
            raise UserError("An HEI user must be bound to an HEI (give its organisation code).")
        hei = session.exec(select(Organisation).where(Organisation.code == hei_code)).first()
        if hei is None or hei.kind != OrgKind.HEI.value:
            raise UserError(f"{hei_code!r} is not the code of an HEI in the register.")
        return hei.id
    if hei_code:
        raise UserError("Only users with the hei role are bound to an HEI.")
    return None


def add_user(
    session: Session,
    *,
    username: str,
    password_hash: str,
    role: Role,
    hei_code: str | None,
    hei_id: int | None,
    is_demo: bool = False,
    actor: Principal | None = None,
    detail: str | None = None,
    organisation_id: int | None = None,
) -> User:
    """Write a checked account and its ``user.create`` audit row (``create_user``, single
    sign-on approvals and claims grants all come here). A placement provider account with
    no organisation is refused here, whichever way it came."""
    if (role is Role.PROVIDER) != (organisation_id is not None):
        raise UserError("A placement provider user must belong to a provider organisation.")
    user = User(
        username=username,
        password_hash=password_hash,
        role=role.value,
        hei_id=hei_id,
        organisation_id=organisation_id,
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
        new={
            "username": username,
            "role": role.value,
            "hei": hei_code if hei_id else None,
            **({"organisation_id": organisation_id} if organisation_id else {}),
        },
        detail=detail,
    )
    return user


def _refuse(session: Session, user: User | None, username: str, action: str) -> SignInResult:
    if user is None:
        record_audit(session, None, action, entity="user", detail=username)
    else:
        record_audit(session, None, action, entity="user", entity_id=user.id)
    return SignInResult(None, SIGN_IN_REFUSED)


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    demo_mode: bool,
    client: str = "",
    throttle: ThrottlePolicy = DEFAULT_THROTTLE,
) -> SignInResult:
    """Check a password, throttled by (username, client address), revealing nothing else.

    Unknown usernames, wrong passwords, deactivated accounts and a (username, address) still
    waiting after repeated failures all get the same message after the same work: exactly one
    password hash check, against a dummy hash whenever the account cannot sign in, so a
    deactivated or throttled account never confirms its password. The caller commits whatever
    the outcome, so failures and the audit row are kept even for refused sign-ins.
    """
    username = username.strip()[:64]
    client = client[:64]
    now = utcnow()
    user = session.exec(select(User).where(User.username == username)).first()
    waiting = throttle_wait_until(session, username=username, client=client)
    usable = (
        user is not None
        and user.active
        and user.password_hash != NO_PASSWORD
        and not (waiting and waiting > now)
    )
    checked = check_password_hash(user.password_hash if usable and user else _DUMMY_HASH, password)
    if user is None or not usable or not checked:
        # Attempts while waiting count too, so hammering only makes the wait grow.
        record_failure(session, username=username, client=client, now=now, policy=throttle)
        action = "signin.throttled" if waiting and waiting > now else "signin.failed"
        return _refuse(session, user, username, action)
    if user.is_demo and not demo_mode:
        # The demo passwords are public: saying so confirms nothing an outsider lacks.
        return SignInResult(None, "Demo accounts are disabled outside demo mode.")
    forget_failures(session, username=username, client=client)
    user.last_login_at = now
    session.add(user)
    principal = principal_for(session, user)
    record_audit(session, principal, "signin", entity="user", entity_id=user.id)
    return SignInResult(principal, "Signed in.", user.session_generation)


def end_sessions(session: Session, user: User) -> None:
    """End every session of this user, on every device (see ``SignInResult.generation``)."""
    session.execute(
        update(User)
        .where(col(User.id) == user.id)
        .values(session_generation=col(User.session_generation) + 1)
    )
    session.refresh(user)


def sign_out(session: Session, principal: Principal) -> None:
    """Sign a user out everywhere: a copy of the session cookie no longer works either."""
    user = session.get(User, principal.user_id) if principal.user_id is not None else None
    if user is not None:
        end_sessions(session, user)
    record_audit(session, principal, "signout", entity="user", entity_id=principal.user_id)


def set_password(session: Session, *, username: str, password: str, actor: Principal) -> None:
    """Reset a password; the user's sessions end, so whoever knew the old one is signed out."""
    require_role(actor, {Role.ADMIN}, "reset passwords")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise UserError(f"No user called {username!r}.")
    user.password_hash = generate_password_hash(password)
    session.add(user)
    session.flush()
    end_sessions(session, user)
    record_audit(session, actor, "user.password_reset", entity="user", entity_id=user.id)


def set_active(session: Session, *, username: str, active: bool, actor: Principal) -> None:
    """Deactivate or reactivate a user; deactivating ends the user's sessions at once."""
    require_role(actor, {Role.ADMIN}, "deactivate users")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise UserError(f"No user called {username!r}.")
    if actor.username == username and not active:
        raise UserError("You cannot deactivate your own account.")
    old = {"active": user.active}
    user.active = active
    session.add(user)
    session.flush()
    if not active:
        end_sessions(session, user)
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
    organisation_code: str | None = None


#: The demo's placement provider accounts: an acute trust, a GP practice and a care home
#: provider of the demo system (tracker/data/demo_providers.py), one organisation each.
DEMO_PROVIDERS = (
    ("provider", "RTRUST1"),
    ("provider-gp", "GPP001"),
    ("provider-care", "CHP01"),
)


def demo_accounts(first_hei_code: str) -> list[DemoAccount]:
    """One account per role (the placement provider role once per a few organisations);
    the passwords are public, so they only work in demo mode."""
    return [
        DemoAccount("admin", "demo-admin-pass", Role.ADMIN),
        DemoAccount("coordinator", "demo-coordinator-pass", Role.COORDINATOR),
        DemoAccount("collaborative", "demo-collaborative-pass", Role.COLLABORATIVE),
        DemoAccount("hei", "demo-hei-pass", Role.HEI, first_hei_code),
        *(
            DemoAccount(name, f"demo-{name}-pass", Role.PROVIDER, organisation_code=code)
            for name, code in DEMO_PROVIDERS
        ),
    ]


def demo_account_lines(first_hei_code: str) -> list[str]:
    """The demo accounts as a small table with headings, for the console: the role's
    human label, the user name to type, the public password and the HEI an account sees."""
    labels = dict(ROLES)
    rows = [("Role", "User name", "Password", "Sees")]
    rows += [
        (
            labels.get(account.role.value, account.role.value),
            account.username,
            account.password,
            _sees(account),
        )
        for account in demo_accounts(first_hei_code)
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _sees(account: DemoAccount) -> str:
    """Whose data a demo account sees, in the console's words."""
    if account.hei_code:
        return f"HEI {account.hei_code}"
    if account.organisation_code:
        return f"organisation {account.organisation_code}'s settings"
    return "every HEI"


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
    """Create the demo accounts (skipping any that exist), bound to the first HEI by code;
    a provider account only where its organisation is in the register. Returns those that
    exist now."""
    made = []
    for account in demo_accounts(first_hei_code(session)):
        code = account.organisation_code
        if code and not session.exec(select(Organisation).where(Organisation.code == code)).first():
            continue
        exists = session.exec(select(User).where(User.username == account.username)).first()
        if exists is None:
            create_user(
                session,
                username=account.username,
                password=account.password,
                role=account.role,
                hei_code=account.hei_code,
                organisation_code=code,
                is_demo=True,
            )
        made.append(account)
    return made
