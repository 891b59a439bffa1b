"""The mail sender as a Celery task on Redis (skipped without a test Redis): the worker
registers ``tracker.send_mail`` with its beat schedule, and a call of the task sends the
outbox through a real SMTP server."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.services.smtp_server import SmtpServer, smtp_server
from tests.services.test_notify_smtp import queue_messages
from tests.test_celery_jobs import REDIS_URL, ROOT, celery_environment, worker
from tracker.db import make_engine

pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="set TRACKER_TEST_REDIS_URL to run the Celery mail test"
)
__all__ = ["smtp_server", "worker"]  # the fixtures this module uses from others

SEND = (
    "from celery import Celery; import os;"
    "app = Celery(broker=os.environ['TRACKER_REDIS_URL']);"
    "app.send_task('tracker.send_mail')"
)
SCHEDULE = "import tracker.worker as w; print(w.celery_app.conf.beat_schedule['send-mail'])"


@pytest.fixture
def environment(tmp_path: Path, smtp_server: SmtpServer) -> dict[str, str]:
    env = celery_environment(tmp_path)
    env.update(
        {
            "TRACKER_SMTP_HOST": smtp_server.host,
            "TRACKER_SMTP_PORT": str(smtp_server.port),
            "TRACKER_SMTP_TLS": "none",
            "TRACKER_SMTP_FROM": "placements@tracker.test",
        }
    )
    return env


def test_the_celery_task_sends_the_outbox_and_beat_schedules_it(
    environment: dict[str, str], worker: subprocess.Popen[bytes], smtp_server: SmtpServer
) -> None:
    engine = make_engine(environment["TRACKER_DATABASE_URL"])
    queue_messages(engine, 1)
    engine.dispose()
    schedule = subprocess.run(
        [sys.executable, "-c", SCHEDULE],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "'task': 'tracker.send_mail'" in schedule.stdout, schedule.stderr
    subprocess.run([sys.executable, "-c", SEND], env=environment, cwd=ROOT, check=True, timeout=60)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not smtp_server.received:
        if worker.poll() is not None:
            pytest.fail(worker.communicate(timeout=10)[0].decode(errors="replace"))
        time.sleep(0.2)
    assert [r.rcpt_tos for r in smtp_server.received] == [["person0@trust.test"]]
    assert smtp_server.received[0].message["Subject"] == "Request 0 changed"
