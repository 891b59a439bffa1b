"""Signed run ids: only the server's own ``queue_run`` may start an allocation job.

The background job cannot see the signed-in user (it may run in a Celery worker), so it
trusts only run ids that a staff member's own queueing callback signed with the app's key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="tracker-allocation-run")


def run_token(secret: str, run_id: int) -> str:
    return str(_serializer(secret).dumps(run_id))


def token_run_id(secret: str, queued: Mapping[str, Any] | None) -> int | None:
    """The run id a queued-run store carries, if the server signed it; else None."""
    if not queued or "token" not in queued:
        return None
    try:
        value = _serializer(secret).loads(queued["token"])
    except BadSignature:
        return None
    return int(value) if isinstance(value, int) else None
