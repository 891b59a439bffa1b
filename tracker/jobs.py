"""Background job managers for long callbacks (allocation runs).

Disk cache on one machine by default; Celery on Redis when TRACKER_REDIS_URL is set, so that
several web workers share one job queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy import Engine

from tracker.config import Settings, load_settings

#: Acknowledge a job only when it has finished, and put it back on the queue when the worker
#: process running it dies, so a killed worker loses no job. This is safe because
#: ``execute_run`` claims its run with one conditional UPDATE: a redelivered copy of a job that
#: had started finds the run no longer queued and returns without solving it again. One job
#: prefetched at a time, so a worker never holds (and on death delays) jobs it is not running.
CELERY_RELIABILITY: Mapping[str, Any] = MappingProxyType(
    {
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
    }
)


def make_background_manager(settings: Settings) -> Any:
    if settings.redis_url:
        from celery import Celery
        from dash import CeleryManager

        celery_app = Celery(__name__, broker=settings.redis_url, backend=settings.redis_url)
        celery_app.conf.update(dict(CELERY_RELIABILITY))
        return CeleryManager(celery_app)
    import diskcache
    from dash import DiskcacheManager

    cache = diskcache.Cache(str(settings.data_dir / "jobs"))
    return DiskcacheManager(cache)


def job_engine() -> Engine:
    """A fresh engine for a background job, on the database of the app that queued it.

    Jobs run in a forked process (disk cache) or a Celery worker, never inside a web request,
    so they cannot use the request's engine: a forked copy of a connection pool must not be
    shared with the parent. The app of this process (the worker builds one on import) says
    which database; outside an app the environment does. Dispose of it when the job ends.
    """
    from tracker.db import make_engine

    try:
        import dash

        from tracker.auth import ENGINE_KEY

        url = dash.get_app().server.extensions[ENGINE_KEY].url.render_as_string(hide_password=False)
    except Exception:  # no app in this process: a command or a bare worker
        url = load_settings().database_url
    return make_engine(url)


def close_stale_runs() -> int:
    """Fail runs whose worker died (``fail_stale_runs``); returns how many were closed.

    Called when a worker starts: after a crash or redeploy the runs the old worker was solving
    are otherwise only closed the next time somebody starts a run.
    """
    from tracker.db import session_scope
    from tracker.services.run_jobs import fail_stale_runs

    engine = job_engine()
    try:
        with session_scope(engine) as session:
            return fail_stale_runs(session)
    finally:
        engine.dispose()


def celery_app_of(dash_app: Any) -> Any:
    """The Celery application behind a Dash app's background manager (for the worker)."""
    manager = dash_app._background_manager
    handle = getattr(manager, "handle", None)
    from celery import Celery

    if not isinstance(handle, Celery):
        raise RuntimeError(
            "TRACKER_REDIS_URL is not set: background jobs run in the web "
            "process (disk cache), there is no Celery worker to start."
        )
    return handle


#: How often Celery beat runs the mail sender (seconds); each pass sends everything due.
MAIL_EVERY_SECONDS = 30.0


def send_mail_now() -> int:
    """One pass of the mail sender on this process's database; returns how many were sent.

    The Celery beat task runs it; with no SMTP host configured it does nothing (messages stay
    queued, and the outbox page says e-mail is not configured).
    """
    from tracker.services.notify.runner import mail_pass
    from tracker.services.notify.sender import retry_policy, smtp_config

    settings = load_settings()
    smtp = smtp_config(settings)
    if smtp is None:
        return 0
    engine = job_engine()
    try:
        return mail_pass(engine, smtp, policy=retry_policy(settings)).sent
    finally:
        engine.dispose()
