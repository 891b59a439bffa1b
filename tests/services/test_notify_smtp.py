"""The outbox sent through a real SMTP server: once each, retried with backoff, and once
also when the sender is killed mid-send and started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.commands.conftest import command_on, file_database
from tests.services.smtp_server import SmtpServer
from tracker.clock import utcnow
from tracker.db import session_scope
from tracker.models import NotificationKind, OutboxMessage, OutboxStatus
from tracker.services.notify import sender
from tracker.services.notify.outbox import Message, queue_message
from tracker.services.notify.sender import RetryPolicy, SmtpConfig, message_id, send_due

ROOT = Path(__file__).resolve().parents[2]
FROM = "placements@tracker.test"


def _smtp(server: SmtpServer) -> SmtpConfig:
    return SmtpConfig(host=server.host, port=server.port, sender=FROM, tls="none")


def queue_messages(engine: Engine, n: int) -> None:
    with session_scope(engine) as session:
        for i in range(n):
            queue_message(
                session,
                message=Message(NotificationKind.REQUEST, f"Request {i} changed", f"Body {i}."),
                address=f"person{i}@trust.test",
                key=f"request:{i}:changed",
            )


def _rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def test_each_message_arrives_once_with_its_recipient_subject_body_and_stable_id(
    engine: Engine, smtp_server: SmtpServer
) -> None:
    queue_messages(engine, 3)
    report = send_due(engine, _smtp(smtp_server))
    assert (report.sent, report.retried, report.failed) == (3, 0, 0)
    assert send_due(engine, _smtp(smtp_server)).sent == 0  # nothing is sent twice

    got = sorted(smtp_server.received, key=lambda r: r.rcpt_tos[0])
    assert [r.rcpt_tos for r in got] == [[f"person{i}@trust.test"] for i in range(3)]
    assert [r.message["Subject"] for r in got] == [f"Request {i} changed" for i in range(3)]
    assert [r.body.strip() for r in got] == [f"Body {i}." for i in range(3)]
    assert all(r.mail_from == FROM for r in got)
    assert got[0].message["Message-ID"] == message_id("request:0:changed", FROM)
    rows = _rows(engine)
    assert {r.status for r in rows} == {"sent"} and all(r.sent_at for r in rows)
    assert [r.attempts for r in rows] == [1, 1, 1]


def test_a_temporary_refusal_retries_with_backoff_then_succeeds(
    engine: Engine, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = RetryPolicy(max_attempts=5, first_wait=timedelta(minutes=2))
    queue_messages(engine, 1)
    clock = [utcnow()]
    monkeypatch.setattr(sender, "utcnow", lambda: clock[0])
    smtp_server.replies = ["451 4.3.0 try again later", "451 4.3.0 still busy"]

    first = send_due(engine, _smtp(smtp_server), policy=policy)
    assert (first.sent, first.retried) == (0, 1)
    row = _rows(engine)[0]
    assert row.status == "queued" and row.attempts == 1 and "451" in (row.last_error or "")
    assert _as_utc(row.next_attempt_at) == clock[0] + timedelta(minutes=2)
    assert send_due(engine, _smtp(smtp_server), policy=policy).retried == 0  # not due yet

    clock[0] += timedelta(minutes=2)
    assert send_due(engine, _smtp(smtp_server), policy=policy).retried == 1
    row = _rows(engine)[0]
    assert _as_utc(row.next_attempt_at) == clock[0] + timedelta(minutes=4)  # doubled

    clock[0] += timedelta(minutes=4)
    assert send_due(engine, _smtp(smtp_server), policy=policy).sent == 1
    row = _rows(engine)[0]
    assert row.status == "sent" and row.attempts == 3
    assert len(smtp_server.received) == 1


def test_a_permanent_refusal_fails_at_once_and_the_last_attempt_fails_too(
    engine: Engine, smtp_server: SmtpServer
) -> None:
    queue_messages(engine, 2)
    smtp_server.replies = ["550 5.1.1 no such mailbox", "451 busy"]
    report = send_due(engine, _smtp(smtp_server), policy=RetryPolicy(max_attempts=1))
    assert (report.sent, report.failed) == (0, 2)
    rows = _rows(engine)
    assert [r.status for r in rows] == ["failed", "failed"]
    assert "550" in (rows[0].last_error or "") and "451" in (rows[1].last_error or "")
    assert smtp_server.received == []


def test_a_header_injection_is_failed_not_sent(engine: Engine, smtp_server: SmtpServer) -> None:
    with session_scope(engine) as session:
        queue_message(
            session,
            message=Message(NotificationKind.REQUEST, "Hello\r\nBcc: all@trust.test", "b"),
            address="person@trust.test",
            key="request:evil",
        )
    report = send_due(engine, _smtp(smtp_server))
    assert (report.sent, report.failed) == (0, 1)
    assert _rows(engine)[0].status == "failed" and smtp_server.received == []


def test_a_message_rolls_back_with_its_event(engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        queue_message(
            session,
            message=Message(NotificationKind.REQUEST, "s", "b"),
            address="a@b.test",
            key="request:1:submitted",
        )
        raise RuntimeError("the event failed")
    assert _rows(engine) == []
    queue_messages(engine, 1)
    queue_messages(engine, 1)  # the same event again: one row
    assert len(_rows(engine)) == 1


def _as_utc(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _send_mail(url: str, tmp: Path, server: SmtpServer) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": url,
        "TRACKER_DATA_DIR": str(tmp),
        "TRACKER_SMTP_HOST": server.host,
        "TRACKER_SMTP_PORT": str(server.port),
        "TRACKER_SMTP_TLS": "none",
        "TRACKER_SMTP_FROM": FROM,
        "TRACKER_SMTP_STALE_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "send-mail", "--once"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_sender_killed_mid_send_and_restarted_delivers_each_message_once(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    url, engine = file_database(tmp_path)
    queue_messages(engine, 3)
    smtp_server.replies = ["250 OK", "stall"]  # the second message hangs before acceptance

    first = _send_mail(url, tmp_path, smtp_server)
    assert smtp_server.stalled.wait(60), first.communicate(timeout=5)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert [r.status for r in _rows(engine)] == ["sent", "sending", "queued"]
    smtp_server.release.set()

    time.sleep(1.5)  # past the stale timeout: the dead sender's claim may be taken over
    second = _send_mail(url, tmp_path, smtp_server)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert "sent 2" in out

    rows = _rows(engine)
    assert [r.status for r in rows] == ["sent", "sent", "sent"]
    assert [r.attempts for r in rows] == [1, 2, 1]
    delivered = sorted(r.rcpt_tos[0] for r in smtp_server.received)
    assert delivered == [f"person{i}@trust.test" for i in range(3)]  # each exactly once
    ids = {r.message["Message-ID"] for r in smtp_server.received}
    assert len(ids) == 3
    engine.dispose()


def test_send_mail_without_a_host_says_so_and_leaves_messages_queued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = file_database(tmp_path)
    queue_messages(engine, 1)
    monkeypatch.delenv("TRACKER_SMTP_HOST", raising=False)
    result = command_on("send-mail", url, tmp_path, monkeypatch)("--once")
    assert result.exit_code == 2 and "not configured" in result.output
    assert [r.status for r in _rows(engine)] == [OutboxStatus.QUEUED.value]
    engine.dispose()
