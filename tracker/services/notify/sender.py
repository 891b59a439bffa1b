"""Send the outbox over SMTP: claim one due message at a time, send it, mark it sent.

Delivery is at least once, and as close to exactly once as SMTP allows:

- A message is claimed by one conditional UPDATE (queued -> sending, its attempt count as
  the version), like ``execute_run`` claims a run, so two senders never send the same row.
- A sender killed mid-send leaves its row "sending". Only after ``stale_after`` (longer than
  any SMTP conversation's timeout) may another sender claim it again, so a slow but living
  sender is never overtaken.
- Every message carries a Message-ID derived from its idempotency key, the same on each
  attempt, so a copy can be recognised (and is dropped by servers and clients that do).

What SMTP cannot give: if a sender dies after the server accepted the message (its reply to
the end of DATA) but before the row was marked sent, the re-send after the stale timeout is
a second delivery of the same message (same Message-ID). A sender killed before the server
accepted the DATA leaves nothing delivered, and the re-send delivers it once
(``tests/services/test_notify_smtp.py`` kills one there).

A message that cannot be written (a line break in its subject or address would add headers:
the email package refuses it) fails at once and is never sent.

A refusal the server calls temporary (4xx, a dropped connection, a timeout) retries with
exponential backoff up to ``max_attempts``; a permanent one (5xx) fails the message at once
with the server's words, which administrators see in the outbox.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import Engine, and_, or_, update
from sqlmodel import col, select

from tracker.clock import utcnow
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import OutboxMessage, OutboxStatus

DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send: built from the settings by :func:`smtp_config`."""

    host: str
    port: int
    sender: str
    tls: str = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_seconds: float = 30.0


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: waits double from ``first_wait`` up to ``longest_wait``."""

    max_attempts: int = 8
    first_wait: timedelta = timedelta(minutes=1)
    longest_wait: timedelta = timedelta(hours=6)
    #: How long a row may stay "sending" before its sender is presumed dead.
    stale_after: timedelta = timedelta(minutes=10)

    def wait_after(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt: 1, 2, 4, ... times the first."""
        wait: timedelta = self.first_wait * (2 ** max(0, attempts - 1))
        return min(self.longest_wait, wait)


@dataclass
class SendReport:
    """What one pass of :func:`send_due` did (for the command's output and the tests)."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


@dataclass(frozen=True)
class _Claim:
    id: int
    attempts: int
    address: str
    subject: str
    body: str
    key: str


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """The deployment's SMTP server, or ``None`` when e-mail is not configured (no host)."""
    if not settings.smtp_host:
        return None
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port or DEFAULT_PORTS[settings.smtp_tls],
        sender=settings.smtp_from,
        tls=settings.smtp_tls,
        username=settings.smtp_username,
        password=settings.smtp_password,
    )


def retry_policy(settings: Settings) -> RetryPolicy:
    """The retry limits configured for this deployment."""
    return RetryPolicy(
        max_attempts=settings.smtp_max_attempts,
        first_wait=timedelta(seconds=settings.smtp_retry_seconds),
        stale_after=timedelta(seconds=settings.smtp_stale_seconds),
    )


def message_id(key: str, sender: str) -> str:
    """A stable Message-ID for an idempotency key: the same on every attempt."""
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def send_due(
    engine: Engine,
    smtp: SmtpConfig,
    *,
    policy: RetryPolicy | None = None,
    limit: int | None = None,
) -> SendReport:
    """Send every message due now (at most ``limit``), one claim and one SMTP session each."""
    policy = policy or RetryPolicy()
    report = SendReport()
    while limit is None or report.sent + report.retried + report.failed < limit:
        claim = _claim_next(engine, policy)
        if claim is None:
            break
        try:
            _deliver(smtp, claim)
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            final = _record_failure(engine, claim, exc, policy)
            if final:
                report.failed += 1
            else:
                report.retried += 1
            continue
        _mark(engine, claim, status=OutboxStatus.SENT, sent_at=utcnow(), last_error=None)
        report.sent += 1
    return report


def _claim_next(engine: Engine, policy: RetryPolicy) -> _Claim | None:
    """Claim the next due row (queued and due, or "sending" past the stale timeout)."""
    while True:
        now = utcnow()
        with session_scope(engine) as session:
            due = or_(
                and_(
                    col(OutboxMessage.status) == OutboxStatus.QUEUED.value,
                    col(OutboxMessage.next_attempt_at) <= now,
                ),
                and_(
                    col(OutboxMessage.status) == OutboxStatus.SENDING.value,
                    col(OutboxMessage.claimed_at) < now - policy.stale_after,
                ),
            )
            row = session.exec(
                select(OutboxMessage)
                .where(due)
                .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
                .limit(1)
            ).first()
            if row is None or row.id is None:
                return None
            seen = and_(
                col(OutboxMessage.id) == row.id,
                col(OutboxMessage.status) == row.status,
                col(OutboxMessage.attempts) == row.attempts,
            )
            if row.attempts >= policy.max_attempts:  # died mid-send on its last attempt
                session.connection().execute(
                    update(OutboxMessage)
                    .where(seen)
                    .values(
                        status=OutboxStatus.FAILED.value,
                        last_error="The sender stopped during its last attempt; "
                        "it may or may not have been delivered.",
                    )
                )
                continue
            claimed = session.connection().execute(
                update(OutboxMessage)
                .where(seen)
                .values(
                    status=OutboxStatus.SENDING.value,
                    claimed_at=now,
                    attempts=row.attempts + 1,
                )
            )
            if claimed.rowcount != 1:  # another sender took it first: look again
                continue
            return _Claim(
                id=row.id,
                attempts=row.attempts + 1,
                address=row.address,
                subject=row.subject,
                body=row.body,
                key=row.idempotency_key,
            )


def _deliver(smtp: SmtpConfig, claim: _Claim) -> None:
    """One SMTP session for one message: TLS as configured, sign in if a username is set."""
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = claim.address
    message["Subject"] = claim.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(claim.key, smtp.sender)
    message.set_content(claim.body)
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if smtp.tls == "ssl":
        client = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context
        )
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
    with client:
        if smtp.tls == "starttls":
            client.starttls(context=context)
        if smtp.username:
            client.login(smtp.username, smtp.password or "")
        client.send_message(message)


def _permanent(exc: BaseException) -> bool:
    """A 5xx reply, or a message that cannot be written (a line break in a header, which
    would let a value add headers): the same message fails again, so retrying is pointless."""
    if isinstance(exc, ValueError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        words = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {words}"
    return f"{type(exc).__name__}: {exc}"


def _record_failure(engine: Engine, claim: _Claim, exc: BaseException, policy: RetryPolicy) -> bool:
    """Queue the message again after its backoff, or fail it; True when it is failed."""
    final = _permanent(exc) or claim.attempts >= policy.max_attempts
    now = utcnow()
    _mark(
        engine,
        claim,
        status=OutboxStatus.FAILED if final else OutboxStatus.QUEUED,
        next_attempt_at=now + policy.wait_after(claim.attempts),
        last_error=_describe(exc)[:1000],
    )
    return final


def _mark(
    engine: Engine, claim: _Claim, *, status: OutboxStatus, **values: datetime | str | None
) -> None:
    """Record the outcome of this sender's own claim (a later claim of the row wins)."""
    with session_scope(engine) as session:
        session.connection().execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == claim.id,
                col(OutboxMessage.status) == OutboxStatus.SENDING.value,
                col(OutboxMessage.attempts) == claim.attempts,
            )
            .values(status=status.value, **values)
        )
