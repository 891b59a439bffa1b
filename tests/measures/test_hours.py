"""Practice hours by hand: amounts per unit, years of study, the expected position and who is
behind by more than the margin."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tracker.measures.hours import (
    amount,
    behind_counts,
    expected_by_year,
    hours_by_year,
    hours_progress,
    year_of_study,
)

START = date(2024, 9, 1)
# 2024-09-01 to 2025-09-01 is 365 days; to 2026-03-01 another 181 (30+31+30+31+31+28): 546.
AS_OF = date(2026, 3, 1)
SPAN = 3 * 365.25  # a three-year programme in days


def _learners(*ids: int, programme: str = "ADN", years: float = 3) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"learner_id": i, "programme": programme, "start_date": START, "years": years}
            for i in ids
        ]
    )


def _records(rows: list[tuple[int, date, float, int, str]]) -> pd.DataFrame:
    columns = ["learner_id", "worked_on", "hours", "births", "status"]
    return pd.DataFrame(rows, columns=columns)


def _requirement(
    programme: str = "ADN",
    unit: str = "hours",
    required: float = 2300,
    split: str | None = None,
    margin: float = 0,
) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "programme": programme,
                "unit": unit,
                "required": required,
                "year_split": split,
                "behind_margin": margin,
            }
        ]
    )


def test_a_record_counts_hours_days_of_seven_and_a_half_hours_or_births() -> None:
    assert amount("hours", 37.5, 2) == 37.5
    assert amount("days", 15, 0) == 2.0
    assert amount("births", 37.5, 3) == 3.0


def test_year_of_study_turns_after_365_and_a_quarter_days_and_stops_at_the_last_year() -> None:
    assert year_of_study(START, date(2025, 9, 1), 3) == 1  # 365 days: not yet a whole year
    assert year_of_study(START, date(2025, 9, 2), 3) == 2  # 366 days
    assert year_of_study(START, date(2031, 1, 1), 3) == 3
    assert year_of_study(START, date(2024, 1, 1), 3) == 1  # before the start: year 1


def test_expected_position_is_pro_rata_over_time_on_programme() -> None:
    assert sum(expected_by_year(2300, (), 3, START, AS_OF)) == pytest.approx(2300 * 546 / SPAN)
    assert sum(expected_by_year(2300, (), 3, START, date(2030, 1, 1))) == pytest.approx(2300)
    assert sum(expected_by_year(2300, (), 3, START, date(2024, 8, 1))) == 0
    # Split 700/800/800: year 1 done (700), year 2 is 180.75 of 365.25 days in, year 3 none.
    split = expected_by_year(2300, (700, 800, 800), 3, START, AS_OF)
    assert split == pytest.approx([700, 800 * 180.75 / 365.25, 0])


def test_progress_counts_signed_off_and_pending_but_not_queried() -> None:
    records = _records(
        [
            (1, date(2024, 10, 7), 37.5, 0, "signed_off"),
            (1, date(2025, 3, 3), 37.5, 0, "pending"),
            (1, date(2025, 6, 2), 37.5, 0, "queried"),
            (1, date(2025, 10, 6), 30, 0, "signed_off"),  # 400 days in: year 2
        ]
    )
    progress = hours_progress(_learners(1, 2), records, _requirement(), as_of=AS_OF)
    first = progress.set_index("learner_id").loc[1]
    assert (first["completed"], first["signed_off"], first["queried"]) == (105, 67.5, 37.5)
    assert first["year_of_study"] == 2
    assert first["expected"] == pytest.approx(2300 * 546 / SPAN)  # 1146.04
    assert first["shortfall"] == pytest.approx(2300 * 546 / SPAN - 105)
    assert bool(first["behind"]) is True
    second = progress.set_index("learner_id").loc[2]  # nothing recorded at all
    assert second["completed"] == 0 and bool(second["behind"]) is True


def test_behind_only_beyond_the_margin() -> None:
    records = _records([(1, date(2025, 1, 6), 1000, 0, "signed_off")])
    expected = 2300 * 546 / SPAN  # 1146.04: 146.04 short
    kept = hours_progress(_learners(1), records, _requirement(margin=150), as_of=AS_OF)
    flagged = hours_progress(_learners(1), records, _requirement(margin=100), as_of=AS_OF)
    assert bool(kept["behind"].iloc[0]) is False
    assert bool(flagged["behind"].iloc[0]) is True
    assert flagged["shortfall"].iloc[0] == pytest.approx(expected - 1000)


def test_days_and_births_and_programmes_without_a_requirement() -> None:
    records = _records(
        [(1, date(2025, 1, 6), 75, 0, "signed_off"), (3, date(2025, 1, 6), 37.5, 4, "pending")]
    )
    learners = pd.concat(
        [_learners(1, programme="SW"), _learners(3, programme="MID"), _learners(4, programme="X")]
    )
    needs = pd.concat(
        [
            _requirement("SW", "days", 170),
            _requirement("MID", "births", 40),
            _requirement("MID", "hours", 2300),
        ]
    )
    progress = hours_progress(learners, records, needs, as_of=AS_OF).set_index(
        ["learner_id", "unit"]
    )
    assert progress.loc[(1, "days"), "completed"] == 10  # 75 hours of 7.5
    assert progress.loc[(3, "births"), "completed"] == 4
    assert progress.loc[(3, "hours"), "completed"] == 37.5
    assert 4 not in progress.index.get_level_values("learner_id")


def test_by_year_of_study_with_a_split() -> None:
    records = _records(
        [(1, date(2024, 10, 7), 600, 0, "signed_off"), (1, date(2025, 10, 6), 300, 0, "pending")]
    )
    years = hours_by_year(_learners(1), records, _requirement(split="700;800;800"), as_of=AS_OF)
    assert years["year_of_study"].tolist() == [1, 2]  # only years begun by AS_OF
    assert years["required"].tolist() == [700, 800]
    assert years["completed"].tolist() == [600, 300]
    assert years["expected"].tolist() == pytest.approx([700, 800 * 180.75 / 365.25])


def test_behind_counts_a_learner_once_across_units() -> None:
    progress = pd.DataFrame(
        {
            "learner_id": [1, 1, 2, 3],
            "hei": ["A", "A", "A", "B"],
            "behind": [False, True, False, True],
        }
    )
    counts = behind_counts(progress, ["hei"])
    assert counts.to_dict("records") == [
        {"hei": "A", "learners": 2, "behind": 1},
        {"hei": "B", "learners": 1, "behind": 1},
    ]


def test_a_missing_split_read_back_as_nan_is_no_split() -> None:
    """A requirements frame where one programme has a split and another none holds the
    missing one as NaN; it must read as the total only, not as a year of NaN hours."""
    needs = pd.concat(
        [_requirement(split="700;800;800"), _requirement(programme="PHY", required=1000)],
        ignore_index=True,
    ).astype({"year_split": "object"})
    needs.loc[1, "year_split"] = float("nan")
    progress = hours_progress(_learners(1, programme="PHY"), _records([]), needs, as_of=AS_OF)
    assert progress["expected"].iloc[0] == pytest.approx(1000 * 546 / SPAN)
