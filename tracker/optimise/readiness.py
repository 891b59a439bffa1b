"""Learner readiness: DBS check, occupational-health clearance and mandatory training must
all be in date through the placement's last day; ``ready_until`` is the earliest of the three
(empty: not ready, whatever the dates)."""

from __future__ import annotations

from datetime import date

CHECKS = "DBS check, occupational-health clearance and mandatory training"


def readiness_problem(ready_until: date | None, end: date | None) -> tuple[str, str] | None:
    """None when the learner may start; otherwise ``("not_ready", reason naming the date)``."""
    if ready_until is None:
        return (
            "not_ready",
            f"not ready for placement: no date is recorded until which the {CHECKS} are "
            "all in date",
        )
    if end is not None and ready_until < end:
        return (
            "not_ready",
            f"not ready for placement: {CHECKS} are in date only until "
            f"{ready_until.isoformat()}, before the placement ends on {end.isoformat()}",
        )
    return None
