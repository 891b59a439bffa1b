"""Learner readiness on a given day: until when a learner may be placed, which check lapses
first, and whether the learner is ready, soon to lapse or not ready.

A learner may start a placement only while the DBS check, occupational health clearance and
mandatory training are all in date through its last day (``optimise.readiness`` applies that
to a placement). A check with no date has not been done, so "ready until" is the earliest of
the three dates, and there is none while any is missing. Pure: dates in, codes out; the
labels are ``tracker.vocabulary``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType

import pandas as pd

#: The checks, in the order people list them; ``learner_readiness`` has ``<check>_valid_until``.
CHECKS: tuple[str, ...] = ("dbs", "occupational_health", "mandatory_training")
CHECK_COLUMNS: Mapping[str, str] = MappingProxyType({c: f"{c}_valid_until" for c in CHECKS})

READY, EXPIRING, NOT_READY = "ready", "expiring", "not_ready"
#: Readiness statuses, best first: every check in date past the horizon; in date today but one
#: lapses before the horizon; a check missing or lapsed.
STATUSES: tuple[str, ...] = (READY, EXPIRING, NOT_READY)
#: How far ahead a lapsing check counts as expiring when no other horizon is chosen (the Home
#: card's window): far enough to book a renewal before the next placement block.
EXPIRY_WINDOW = timedelta(days=60)

Dates = Mapping[str, date | None]


def ready_until(dates: Dates) -> date | None:
    """The last day every check is in date; None while any check has no date."""
    values = [dates.get(c) for c in CHECKS]
    if any(v is None for v in values):
        return None
    return min(v for v in values if v is not None)


def first_to_expire(dates: Dates) -> str | None:
    """The check whose recorded date comes first (the one to renew first); ties go to the
    check listed first. None when no check has a date."""
    recorded = [(d, i, c) for i, c in enumerate(CHECKS) if (d := dates.get(c)) is not None]
    return min(recorded)[2] if recorded else None


def missing_checks(dates: Dates) -> tuple[str, ...]:
    """The checks with no date, in order: each one alone makes the learner not ready."""
    return tuple(c for c in CHECKS if dates.get(c) is None)


def readiness_status(until: date | None, *, today: date, horizon: date) -> str:
    """``READY`` when in date through ``horizon``, ``EXPIRING`` when in date on ``today`` but
    lapsing before ``horizon``, ``NOT_READY`` otherwise (a valid-until day is still in date)."""
    if until is None or until < today:
        return NOT_READY
    if until < horizon:
        return EXPIRING
    return READY


def readiness_columns(frame: pd.DataFrame, *, today: date, horizon: date) -> pd.DataFrame:
    """``frame`` (one row per learner, with the three ``<check>_valid_until`` columns, None
    where not done) with ``ready_until``, ``first_to_expire``, ``missing`` (a tuple of checks)
    and ``readiness_status`` added."""
    rows = [
        {c: row[CHECK_COLUMNS[c]] for c in CHECKS}
        for row in frame[list(CHECK_COLUMNS.values())].to_dict("records")
    ]
    dates = [{c: None if pd.isna(v) else v for c, v in row.items()} for row in rows]
    until = [ready_until(d) for d in dates]
    return frame.assign(
        ready_until=pd.Series(until, index=frame.index, dtype=object),
        first_to_expire=pd.Series(
            [first_to_expire(d) for d in dates], index=frame.index, dtype=object
        ),
        missing=pd.Series([missing_checks(d) for d in dates], index=frame.index, dtype=object),
        readiness_status=pd.Series(
            [readiness_status(u, today=today, horizon=horizon) for u in until],
            index=frame.index,
            dtype=object,
        ),
    )
