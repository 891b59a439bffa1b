"""Each signed-in user's own notification settings: their address and a mode per kind."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session

from tracker.access import Principal
from tracker.data.importers.rows import EMAIL_ADDRESS
from tracker.models import DeliveryMode, NotificationKind, NotificationPreference, User
from tracker.refusals import Refused
from tracker.services.audit import record_audit
from tracker.services.notify.outbox import CHOOSABLE_KINDS, address_of, preferences_of


@dataclass(frozen=True)
class MySettings:
    """What the Notifications page shows a user."""

    email: str
    modes: dict[NotificationKind, DeliveryMode]


def _own_user(session: Session, principal: Principal) -> User:
    user = session.get(User, principal.user_id) if principal.user_id is not None else None
    if user is None:
        raise Refused("Only a signed-in account has notification settings.")
    return user


def my_notification_settings(session: Session, *, principal: Principal) -> MySettings:
    """The signed-in user's address (theirs, else single sign-on's) and mode for each kind."""
    user = _own_user(session, principal)
    assert user.id is not None
    return MySettings(email=address_of(session, user) or "", modes=preferences_of(session, user.id))


def save_notification_settings(
    session: Session, *, principal: Principal, email: str, modes: Mapping[str, str]
) -> MySettings:
    """Save the signed-in user's own address and modes (nobody edits another's); audited."""
    user = _own_user(session, principal)
    assert user.id is not None
    email = (email or "").strip()
    problems = []
    if email and (len(email) > 255 or not EMAIL_ADDRESS.match(email)):
        problems.append(f"{email[:60]!r} is not an e-mail address.")
    chosen: dict[NotificationKind, DeliveryMode] = {}
    for kind in CHOOSABLE_KINDS:
        value = modes.get(kind.value, "")
        try:
            chosen[kind] = DeliveryMode(value)
        except ValueError:
            problems.append(f"Choose off, immediately or daily digest for {kind.value}.")
    if problems:
        raise Refused(problems)
    old = preferences_of(session, user.id)
    for chosen_kind, mode in chosen.items():
        row = session.get(NotificationPreference, (user.id, chosen_kind.value))
        if row is None:
            row = NotificationPreference(user_id=user.id, kind=chosen_kind.value, mode=mode.value)
        row.mode = mode.value
        session.add(row)
    old_email, user.email = user.email, email or None
    session.add(user)
    record_audit(
        session,
        principal,
        "notification_settings",
        entity="app_user",
        entity_id=user.id,
        old={"email": old_email, **{k.value: m.value for k, m in old.items()}},
        new={"email": user.email, **{k.value: m.value for k, m in chosen.items()}},
    )
    session.flush()
    return MySettings(email=user.email or "", modes=chosen)
