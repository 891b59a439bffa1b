"""Background job managers for long callbacks (allocation runs).

Disk cache on one machine by default; Celery on Redis when TRACKER_REDIS_URL is set, so that
several web workers share one job queue.
"""

from __future__ import annotations

from typing import Any

from tracker.config import Settings


def make_background_manager(settings: Settings) -> Any:
    if settings.redis_url:
        from celery import Celery
        from dash import CeleryManager

        celery_app = Celery(__name__, broker=settings.redis_url, backend=settings.redis_url)
        return CeleryManager(celery_app)
    import diskcache
    from dash import DiskcacheManager

    cache = diskcache.Cache(str(settings.data_dir / "jobs"))
    return DiskcacheManager(cache)
