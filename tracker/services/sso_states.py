"""Sign-ins with the provider in progress, kept on the server (Authlib's cache protocol).

Authlib keeps a sign-in's state, nonce and PKCE verifier in this store and only an expiry in
the session cookie. Reading a state consumes it, in one conditional delete, so the provider's
answer is accepted once: a replayed answer, even with a copy of the old cookie, or two
answers racing on two workers, finds no state. Every worker shares the database, so a sign-in
started on one can finish on another.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, delete, select

from tracker.clock import utcnow
from tracker.models import SsoLoginState

#: Longest a sign-in may take at the provider, whatever Authlib asks for.
MAX_SECONDS = 600


class LoginStates:
    """``get`` / ``set`` / ``delete`` as Authlib's ``FrameworkIntegration`` cache calls them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def set(self, key: str, value: str, expires: int | None = None) -> None:
        now = utcnow()
        seconds = min(expires or MAX_SECONDS, MAX_SECONDS)
        with Session(self.engine) as session:
            # Abandoned sign-ins are cleared as new ones start; no background job needed.
            session.exec(delete(SsoLoginState).where(col(SsoLoginState.expires_at) < now))
            session.add(
                SsoLoginState(
                    key=key[:128], value=value, expires_at=now + timedelta(seconds=seconds)
                )
            )
            session.commit()

    def get(self, key: str) -> str | None:
        """The state's data, once: whoever deletes the row is the one who gets it."""
        with Session(self.engine) as session:
            row = session.exec(
                select(SsoLoginState).where(
                    SsoLoginState.key == key[:128], col(SsoLoginState.expires_at) > utcnow()
                )
            ).first()
            if row is None:
                return None
            value = row.value
            taken = session.exec(delete(SsoLoginState).where(col(SsoLoginState.key) == row.key))
            session.commit()
        return value if taken.rowcount == 1 else None

    def delete(self, key: str) -> None:
        with Session(self.engine) as session:
            session.exec(delete(SsoLoginState).where(col(SsoLoginState.key) == key[:128]))
            session.commit()
