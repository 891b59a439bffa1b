"""Sign-in throttling by (username, client address), with delays that grow after failures.

A per-account lock-out lets anyone lock anyone out. Here failures from one address only slow
down that address's attempts at that username: after a few free attempts each further failure
doubles the wait, up to a cap, and a success from that address forgets its failures. The
record is in the database so that every web worker agrees on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from tracker.models import SignInThrottle


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures are free, the first wait after them, the cap, and when to forget."""

    free_attempts: int = 3
    first_wait_seconds: float = 2.0
    max_wait_seconds: float = 900.0
    forget_after: timedelta = timedelta(days=1)

    def wait_after(self, failures: int) -> timedelta:
        """The wait after ``failures`` failures in a row: none, then doubling, capped."""
        if failures < self.free_attempts:
            return timedelta(0)
        doublings = min(failures - self.free_attempts, 32)
        seconds = min(self.first_wait_seconds * 2**doublings, self.max_wait_seconds)
        return timedelta(seconds=seconds)


DEFAULT_THROTTLE = ThrottlePolicy()


def _as_utc(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def throttle_wait_until(session: Session, *, username: str, client: str) -> datetime | None:
    """Until when this (username, address) must wait before its next attempt, if at all."""
    row = session.get(SignInThrottle, (username, client))
    return _as_utc(row.wait_until) if row is not None else None


def record_failure(
    session: Session, *, username: str, client: str, now: datetime, policy: ThrottlePolicy
) -> int:
    """Count one failure for (username, address) and set its wait; returns the failures.

    One upsert, so two workers counting failures of the same pair at once cannot collide.
    Rows idle for ``policy.forget_after`` are dropped first, so the table stays small however
    many usernames strangers try.
    """
    session.execute(
        delete(SignInThrottle).where(
            col(SignInThrottle.last_failure_at) < now - policy.forget_after
        )
    )
    table = SignInThrottle.metadata.tables[SignInThrottle.__tablename__]
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(
        username=username, client=client, failures=1, last_failure_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["username", "client"],
        set_={"failures": table.c.failures + 1, "last_failure_at": now},
    )
    failures: int = session.execute(statement.returning(table.c.failures)).scalar_one()
    wait = policy.wait_after(failures)
    if wait:
        row = session.get(SignInThrottle, (username, client), populate_existing=True)
        if row is not None:
            row.wait_until = now + wait
            session.add(row)
    return failures


def forget_failures(session: Session, *, username: str, client: str) -> None:
    """A successful sign-in from this address clears its record."""
    session.execute(
        delete(SignInThrottle).where(
            col(SignInThrottle.username) == username, col(SignInThrottle.client) == client
        )
    )
