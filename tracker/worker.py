"""The Celery worker entry point: ``celery -A tracker.worker:celery_app worker``.

Dash registers each background callback as a Celery task when its page module is imported,
so the worker must build the same Dash app as the web processes (with the same
``TRACKER_REDIS_URL`` and ``TRACKER_DATABASE_URL``) before Celery looks for tasks.
"""

from __future__ import annotations

from tracker.jobs import celery_app_of
from tracker.webapp import create_app

dash_app = create_app(seed_demo=False)
celery_app = celery_app_of(dash_app)
