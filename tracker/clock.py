"""The one clock: timezone-aware UTC now, below every layer that stamps a row.

Audit rows, requests, imported events, runs and backups are stamped with it, so a test can
tell what "now" a write used and every layer (data, queries, services) may ask it without
importing a layer above.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in UTC: what the registers' statuses are judged by (an audit lapsing, a
    preparation date reached, a readiness check in date). A calendar day, not a data version:
    a status moves overnight with no edit."""
    return utcnow().date()
