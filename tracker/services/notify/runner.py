"""One pass of the mail sender: the daily work, then every message due.

The Celery beat task and ``python -m tracker send-mail`` both run this, so a deployment
with Celery and one without send the same messages the same way.
"""

from __future__ import annotations

from sqlalchemy import Engine

from tracker.clock import today
from tracker.db import session_scope
from tracker.services.notify.daily import queue_daily_reminders
from tracker.services.notify.digest import gather_digests
from tracker.services.notify.sender import RetryPolicy, SendReport, SmtpConfig, send_due


def mail_pass(engine: Engine, smtp: SmtpConfig, *, policy: RetryPolicy | None = None) -> SendReport:
    """Queue today's reminders and digests, then send what is due.

    The reminders and the digests are one transaction (a digest gathers the reminders held
    for it); sending is one per message.
    """
    day = today()
    with session_scope(engine) as session:
        queue_daily_reminders(session, day=day)
        gather_digests(session, day=day)
    return send_due(engine, smtp, policy=policy)
