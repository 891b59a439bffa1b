"""Learner readiness by hand: the earliest check, the one to renew first, and the status."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tracker.measures.readiness import (
    EXPIRING,
    NOT_READY,
    READY,
    first_to_expire,
    missing_checks,
    readiness_columns,
    readiness_status,
    ready_until,
)

TODAY, HORIZON = date(2026, 12, 1), date(2027, 1, 30)
ALL = {
    "dbs": date(2028, 9, 1),
    "occupational_health": date(2027, 1, 15),
    "mandatory_training": date(2027, 6, 30),
}


def test_ready_until_is_the_earliest_check_and_none_while_one_is_missing() -> None:
    assert ready_until(ALL) == date(2027, 1, 15)
    assert first_to_expire(ALL) == "occupational_health"
    assert ready_until({**ALL, "dbs": None}) is None
    assert first_to_expire({**ALL, "occupational_health": None}) == "mandatory_training"
    missing = ("occupational_health", "mandatory_training")
    assert missing_checks({"dbs": date(2027, 1, 1)}) == missing
    assert first_to_expire({}) is None


def test_status_on_a_day_with_a_horizon() -> None:
    assert readiness_status(date(2027, 1, 30), today=TODAY, horizon=HORIZON) == READY
    assert readiness_status(date(2027, 1, 29), today=TODAY, horizon=HORIZON) == EXPIRING
    assert readiness_status(TODAY, today=TODAY, horizon=HORIZON) == EXPIRING  # in date today
    assert readiness_status(date(2026, 11, 30), today=TODAY, horizon=HORIZON) == NOT_READY
    assert readiness_status(None, today=TODAY, horizon=HORIZON) == NOT_READY


def test_the_frame_gets_every_derived_column() -> None:
    frame = pd.DataFrame(
        [
            {f"{c}_valid_until": d for c, d in ALL.items()},
            {f"{c}_valid_until": None for c in ALL},
        ]
    )
    out = readiness_columns(frame, today=TODAY, horizon=HORIZON)
    assert list(out["ready_until"]) == [date(2027, 1, 15), None]
    assert list(out["first_to_expire"]) == ["occupational_health", None]
    assert list(out["readiness_status"]) == [EXPIRING, NOT_READY]
    assert out.at[1, "missing"] == ("dbs", "occupational_health", "mandatory_training")
