"""Learner status, year of study and on-time completion against the hand-worked pipeline."""

from __future__ import annotations

from datetime import date

import pandas as pd
from measures_helpers import AS_OF, make_events, make_learners

from tracker.measures import academic_year, learner_status, standard_end_date


def by_ref(status: pd.DataFrame) -> pd.DataFrame:
    return status.set_index("learner_ref")


def test_status_is_latest_status_event(learners: pd.DataFrame, events: pd.DataFrame) -> None:
    s = by_ref(learner_status(learners, events, as_of=AS_OF))
    assert s["status"].to_dict() == {
        "L1": "completed",
        "L2": "withdrawn",
        "L3": "completed",  # interrupted, returned, completed late
        "L4": "transferred_out",
        "L5": "interrupted",
        "L6": "withdrawn",
        "L7": "active",  # interrupted then returned
        "L8": "completed",
        "L9": "active",
        "L10": "withdrawn",
    }
    # L8 joined by transfer: not a starter of this cohort.
    assert not s.loc["L8", "started"] and s.loc["L8", "transferred_in"]
    assert s["started"].sum() == 9


def test_events_after_as_of_are_ignored(learners: pd.DataFrame, events: pd.DataFrame) -> None:
    s = by_ref(learner_status(learners, events, as_of=date(2022, 6, 1)))
    # On 2022-06-01 L3 had returned (active), L6 not yet withdrawn, L7 interrupted, L9 unknown.
    assert s.loc["L3", "status"] == "active"
    assert s.loc["L6", "status"] == "active"
    assert s.loc["L7", "status"] == "interrupted"
    assert s.loc["L9", "status"] == "not_started"
    assert pd.isna(s.loc["L9", "year_of_study"])


def test_on_time_completion_uses_start_plus_programme_length(
    learners: pd.DataFrame, events: pd.DataFrame
) -> None:
    s = by_ref(learner_status(learners, events, as_of=AS_OF))
    # 2020-09-01 + 36 months = 2023-09-01.
    assert (s.loc[[f"L{i}" for i in range(1, 9)], "due_date"] == pd.Timestamp("2023-09-01")).all()
    assert s.loc["L1", "completed_on_time"]  # 2023-08-31 <= 2023-09-01
    assert not s.loc["L3", "completed_on_time"]  # 2024-08-31: late (after a year out)
    assert not s.loc["L9", "due"]  # due 2026-09-01


def test_year_of_study_excludes_time_interrupted(
    learners: pd.DataFrame, events: pd.DataFrame
) -> None:
    s = by_ref(learner_status(learners, events, as_of=AS_OF))
    expected = {
        "L2": 1,  # 2021-03-15: no anniversary of 2020-09-01 yet
        "L3": 3,  # 365 days out: effective start 2021-09-01; 2 anniversaries by 2024-08-31
        "L4": 2,  # 2022-02-01: 1 anniversary
        # 884 days out so far (2022-05-01 to 2024-10-01): effective start 2023-02-02,
        # 1 anniversary by 2024-10-01 -> year 2, the year they interrupted in.
        "L5": 2,
        "L6": 3,  # 2022-10-20: 2 anniversaries
        "L7": 3,  # effective start 2021-09-01, 3 anniversaries -> 4, capped at final year 3
        "L9": 2,
        "L10": 1,
    }
    assert s["year_of_study"].loc[list(expected)].astype(int).to_dict() == expected
    assert s.loc["L5", "interrupted_days"] == 884


def test_same_day_events_follow_precedence() -> None:
    learners = make_learners([(1, "2022-09", "2022-09-05")])
    # Recorded in an awkward order on the same days: start and interruption on day one,
    # return and interruption on another. Precedence replays started -> interrupted and
    # interrupted -> returned, so the learner is active.
    events = make_events(
        [
            (1, "2022-09-05", "interrupted"),
            (1, "2022-09-05", "started"),
            (1, "2023-01-09", "returned"),
            (1, "2023-01-09", "interrupted"),
        ]
    )
    s = learner_status(learners, events, as_of=date(2023, 6, 1))
    assert s.loc[0, "status"] == "active"
    assert s.loc[0, "started"]


def test_withdrawal_without_reason_is_not_recorded() -> None:
    learners = make_learners([(1, "2022-09", "2022-09-05")])
    events = make_events([(1, "2022-09-05", "started"), (1, "2023-02-01", "withdrew")])
    s = learner_status(learners, events, as_of=date(2023, 6, 1))
    assert s.loc[0, "withdrawal_reason"] == "not_recorded"


def test_academic_year_and_end_date_helpers() -> None:
    assert academic_year(date(2024, 8, 31)) == "2023/24"
    assert academic_year(date(2024, 9, 1)) == "2024/25"
    assert academic_year(date(1999, 9, 1)) == "1999/00"
    ends = standard_end_date(
        pd.Series(pd.to_datetime(["2021-01-31", "2022-09-19"])), pd.Series([2.0, 1.5])
    )
    # 24 months after 31 Jan is 31 Jan; 18 months after 19 Sep 2022 is 19 Mar 2024.
    assert list(ends) == [pd.Timestamp("2023-01-31"), pd.Timestamp("2024-03-19")]
