"""The one clock: timezone-aware UTC now, below every layer that stamps a row.

Audit rows, requests, imported events, runs and backups are stamped with it, so a test can
tell what "now" a write used and every layer (data, queries, services) may ask it without
importing a layer above.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(UTC)
