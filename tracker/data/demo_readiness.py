"""The demo's learner readiness: the checks of every learner in training on DEMO_AS_OF.

Most learners are in date well beyond the 2026/27 blocks: an enhanced DBS check and
occupational health clearance from enrolment, mandatory training renewed every year. A few
need attention: every 25th learner's mandatory training lapses within 60 days of the demo's
date, every 40th has no DBS check recorded, every 60th no occupational health clearance, and
every 97th no checks recorded at all (no row). Dates come from the learner's position, not
the seeded generator, so adding readiness changed no other demo row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tracker.data.demo_people import LearnerPlan

#: Statuses of a learner still in training (an interruption is a pause, not an end).
IN_TRAINING = frozenset({"active", "interrupted"})


def _days(as_of: date, base: int, position: int, step: int, spread: int) -> date:
    return as_of + timedelta(days=base + (position * step) % spread)


def _row(learner_id: int, position: int, as_of: date) -> dict[str, Any] | None:
    """One learner's readiness row, or None for the few with nothing recorded."""
    if position % 97 == 50:
        return None
    training = _days(as_of, 90, position, 17, 275)
    if position % 25 == 7:
        training = _days(as_of, 20, position, 1, 40)  # lapses within 60 days
    updated = datetime.combine(as_of - timedelta(days=position % 90), time(9, 0), tzinfo=UTC)
    return {
        "learner_id": learner_id,
        "dbs_valid_until": None if position % 40 == 13 else _days(as_of, 400, position, 53, 700),
        "occupational_health_valid_until": (
            None if position % 60 == 29 else _days(as_of, 300, position, 31, 600)
        ),
        "mandatory_training_valid_until": training,
        "note": "DBS check applied for; awaiting the certificate" if position % 40 == 13 else None,
        "version": 1,
        "updated_at": updated,
    }


def readiness_rows(
    learners: list[LearnerPlan], learner_ids: list[int], as_of: date
) -> list[dict[str, Any]]:
    """``LearnerReadiness`` rows for the learners in training, in learner order."""
    in_training = [
        lid for lid, lp in zip(learner_ids, learners, strict=True) if lp.status in IN_TRAINING
    ]
    rows = (_row(lid, position, as_of) for position, lid in enumerate(in_training))
    return [row for row in rows if row is not None]
