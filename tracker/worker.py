"""The Celery worker entry point: ``celery -A tracker.worker:celery_app worker``.

Dash registers each background callback as a Celery task when its page module is imported,
so the worker must build the same Dash app as the web processes (with the same
``TRACKER_REDIS_URL`` and ``TRACKER_DATABASE_URL``) before Celery looks for tasks.

It also carries the mail sender as a periodic task: run Celery beat beside the worker
(``celery -A tracker.worker:celery_app beat``, or ``worker --beat`` for one process) and it
sends the e-mail outbox every ``MAIL_EVERY_SECONDS``. Two passes at once are safe: each
message is claimed by one conditional UPDATE.

When the worker is ready it fails the runs left "running" by a worker that died (no heartbeat
for ``TRACKER_JOB_STALE_SECONDS``), so users see them failed rather than running forever.
"""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import worker_ready

from tracker.jobs import MAIL_EVERY_SECONDS, celery_app_of, close_stale_runs, send_mail_now
from tracker.webapp import create_app

dash_app = create_app(seed_demo=False)
celery_app = celery_app_of(dash_app)


@celery_app.task(name="tracker.send_mail", ignore_result=True)
def send_mail() -> int:
    """The beat's mail pass (see ``tracker.jobs.send_mail_now``)."""
    return send_mail_now()


celery_app.conf.beat_schedule = {
    "send-mail": {"task": "tracker.send_mail", "schedule": MAIL_EVERY_SECONDS},
}


@worker_ready.connect
def _close_stale_runs(**_kwargs: Any) -> None:
    """Close dead runs at start; a database hiccup here must not stop the worker serving."""
    try:
        closed = close_stale_runs()
    except Exception:
        logging.getLogger(__name__).exception("could not close stale allocation runs")
        return
    if closed:
        logging.getLogger(__name__).warning("closed %d stale allocation run(s)", closed)
