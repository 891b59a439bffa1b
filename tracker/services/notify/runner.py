"""One pass of the mail sender: the daily work, then every message due.

The Celery beat task and ``python -m tracker send-mail`` both run this, so a deployment
with Celery and one without send the same messages the same way.
"""

from __future__ import annotations

from sqlalchemy import Engine

from tracker.clock import today
from tracker.db import session_scope
from tracker.services.notify.digest import gather_digests
from tracker.services.notify.sender import RetryPolicy, SendReport, SmtpConfig, send_due


def mail_pass(engine: Engine, smtp: SmtpConfig, *, policy: RetryPolicy | None = None) -> SendReport:
    """Queue today's digests, then send what is due. Each step is its own transaction."""
    day = today()
    with session_scope(engine) as session:
        gather_digests(session, day=day)
    return send_due(engine, smtp, policy=policy)
