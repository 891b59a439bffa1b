"""Queue e-mails in the caller's transaction, to the users who chose to receive them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from tracker.clock import utcnow
from tracker.models import (
    DeliveryMode,
    NotificationKind,
    NotificationPreference,
    Organisation,
    OutboxMessage,
    OutboxStatus,
    PlacementSetting,
    Role,
    SsoIdentity,
    User,
)

#: What a user gets for a kind they never chose for: every kind as it happens. People asked
#: to be told when something needs them; each can switch a kind off or to the daily digest.
DEFAULT_MODE = DeliveryMode.IMMEDIATE
#: The kinds a user chooses for (the digest is how some arrive, not a kind of its own).
CHOOSABLE_KINDS = tuple(kind for kind in NotificationKind if kind is not NotificationKind.DIGEST)


@dataclass(frozen=True)
class Message:
    """What one event says, before it is addressed: the subject and the plain-text body."""

    kind: NotificationKind
    subject: str
    body: str


def queue_message(
    session: Session,
    *,
    message: Message,
    address: str,
    key: str,
    user_id: int | None = None,
    held: bool = False,
) -> OutboxMessage | None:
    """Add one outbox row to the caller's transaction; ``None`` if ``key`` is already queued.

    ``key`` names the event and recipient (``request:12:submitted:u3``): an event handled
    twice queues its e-mail once. The unique index on the key is the last guard if two
    transactions race (the second one's commit fails rather than queue a copy). ``held``
    rows wait for the recipient's daily digest.
    """
    key = key[:200]
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)).first():
        return None
    now = utcnow()
    row = OutboxMessage(
        created_at=now,
        kind=message.kind.value,
        user_id=user_id,
        address=address.strip(),
        subject=message.subject[:255],
        body=message.body,
        status=(OutboxStatus.HELD if held else OutboxStatus.QUEUED).value,
        attempts=0,
        next_attempt_at=now,
        idempotency_key=key,
    )
    session.add(row)
    session.flush()
    return row


def preferences_of(session: Session, user_id: int) -> dict[NotificationKind, DeliveryMode]:
    """A user's mode for every kind, the default where they chose nothing."""
    chosen = {
        row.kind: row.mode
        for row in session.exec(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    return {kind: DeliveryMode(chosen.get(kind.value, DEFAULT_MODE)) for kind in CHOOSABLE_KINDS}


def address_of(session: Session, user: User) -> str | None:
    """Where a user's e-mail goes: their own address, else the one single sign-on last sent."""
    if user.email:
        return user.email
    return session.exec(select(SsoIdentity.email).where(SsoIdentity.user_id == user.id)).first()


def notify_users(
    session: Session, users: Iterable[User], message: Message, *, key: str
) -> list[OutboxMessage]:
    """Queue ``message`` to each active user who wants its kind and has an address.

    Each recipient's row gets its own key (``<key>:u<id>``); a user who chose the daily digest
    gets a held row that the digest gathers; one who switched the kind off gets none.
    """
    queued: list[OutboxMessage] = []
    seen: set[int] = set()
    for user in users:
        if user.id is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        mode = preferences_of(session, user.id).get(message.kind, DEFAULT_MODE)
        address = address_of(session, user)
        if mode is DeliveryMode.OFF or not address:
            continue
        row = queue_message(
            session,
            message=message,
            address=address,
            key=f"{key}:u{user.id}",
            user_id=user.id,
            held=mode is DeliveryMode.DIGEST,
        )
        if row is not None:
            queued.append(row)
    return queued


def users_with_role(session: Session, *roles: str, hei_id: int | None = None) -> list[User]:
    """Active users of the given roles (of one HEI when ``hei_id`` is given), by id."""
    query = select(User).where(col(User.role).in_(roles), col(User.active).is_(True))
    if hei_id is not None:
        query = query.where(User.hei_id == hei_id)
    return list(session.exec(query.order_by(col(User.id))))


def hei_users(session: Session, hei_code: str) -> list[User]:
    """The active users of the HEI with this code (none for an unknown code)."""
    hei_id = session.exec(select(Organisation.id).where(Organisation.code == hei_code)).first()
    return [] if hei_id is None else users_with_role(session, Role.HEI.value, hei_id=hei_id)


def setting_contacts(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """Each setting's contact address, by setting code (settings without one left out)."""
    rows = session.exec(
        select(PlacementSetting.code, PlacementSetting.contact_email).where(
            col(PlacementSetting.code).in_(list(codes))
        )
    ).all()
    return {code: address for code, address in rows if address}
