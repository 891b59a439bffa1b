"""Placement quality measures against hand-worked examples: intervals, terms, the minimum
number of responses, differencing and comments."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tracker.measures.quality import mean_interval, quality_figures, term_of
from tracker.models.quality import ITEMS


def responses(setting: str, org: str, n: int, day: str, score: int = 4, **items: list) -> list:
    rows = []
    for i in range(n):
        row = {"setting": setting, "organisation": org, "sector": "acute", "submitted_on": day}
        row.update({item: score for item in ITEMS})
        row.update({item: values[i] for item, values in items.items()})
        row["comment"] = f"comment {setting} {i}"
        rows.append(row)
    return rows


def test_mean_and_t_interval_by_hand() -> None:
    # mean 4, sd sqrt(0.5), se 0.3162, t(0.975, 4 df) = 2.7764: 4 +/- 0.8780
    mean, low, high = mean_interval(pd.Series([4, 5, 3, 4, 4, None]))
    assert mean == pytest.approx(4.0)
    assert (low, high) == (pytest.approx(3.1220, abs=1e-4), pytest.approx(4.8780, abs=1e-4))
    assert mean_interval(pd.Series([5, 5, 5])) == (5.0, 5.0, 5.0)
    one = mean_interval(pd.Series([3]))
    assert one[0] == 3 and np.isnan(one[1]) and np.isnan(one[2])
    assert mean_interval(pd.Series([1, 1, 5, 5]))[1] >= 1.0  # clipped to the scale


def test_terms_of_the_academic_year() -> None:
    assert term_of(date(2025, 10, 3)) == "2025/26 autumn"
    assert term_of(date(2026, 1, 5)) == "2025/26 spring"
    assert term_of(date(2026, 8, 31)) == "2025/26 summer"
    assert term_of(date(2026, 9, 1)) == "2026/27 autumn"


def test_small_settings_are_hidden_and_not_recoverable_from_their_organisation() -> None:
    """WARD-A (6 responses) and WARD-B (3) are one trust's; CLINIC-C (7) another's. B is
    hidden (3 < 5); the trust's 9 less A's 6 would give B away, so A is hidden too."""
    rows = responses("WARD-A", "TRUST-1", 6, "2025-10-01", 4)
    rows += responses("WARD-B", "TRUST-1", 3, "2025-10-01", 2)
    rows += responses("CLINIC-C", "TRUST-2", 7, "2025-10-01", 5)
    figures = quality_figures(pd.DataFrame(rows), min_responses=5)
    settings = figures.table("setting").set_index("setting")
    assert settings.loc[["WARD-A", "WARD-B", "CLINIC-C"], "responses"].tolist() == [6, 3, 7]
    assert settings["supervision"].isna().tolist() == [False, True, True]  # CLINIC-C, A, B
    assert settings.loc["CLINIC-C", "supervision"] == 5.0
    orgs = figures.table("organisation").set_index("organisation")
    assert orgs.loc["TRUST-1", "supervision"] == pytest.approx((6 * 4 + 3 * 2) / 9)
    assert figures.table("all")["supervision"].iloc[0] == pytest.approx((30 + 35) / 16)


def test_an_item_needs_its_own_answers_and_the_trend_is_protected_by_term() -> None:
    # WARD-A: 5 autumn responses, induction skipped by two; 5 spring and 2 summer ones
    rows = responses("WARD-A", "T", 5, "2025-10-01", induction=[4, 4, 4, None, None])
    rows += responses("WARD-A", "T", 5, "2026-02-01", 3)
    rows += responses("WARD-A", "T", 2, "2026-06-01", 1)
    figures = quality_figures(pd.DataFrame(rows), min_responses=5)
    trend = figures.table("setting", by_term=True).set_index("term")
    assert np.isnan(trend.loc["2025/26 autumn", "induction"])  # 3 answers
    # summer (2) is hidden, so one more term must go (the first of the smallest, autumn):
    # else 12 less the other two would give summer away
    assert trend["supervision"].isna().tolist() == [True, False, True]
    assert trend.loc["2025/26 spring", "supervision"] == 3
    total = figures.table("setting").iloc[0]
    assert total["responses"] == 12 and total["supervision"] == pytest.approx(37 / 12)


def test_comments_only_where_a_settings_term_has_enough_responses() -> None:
    rows = responses("WARD-A", "T", 5, "2025-10-01") + responses("WARD-B", "T", 4, "2025-10-01")
    comments = quality_figures(pd.DataFrame(rows), min_responses=5).comments
    assert set(comments["setting"]) == {"WARD-A"} and len(comments) == 5
    assert list(comments.columns) == ["setting", "organisation", "sector", "term", "comment"]
    assert comments["comment"].is_monotonic_increasing


def test_one_response_is_never_a_group() -> None:
    with pytest.raises(ValueError):
        quality_figures(pd.DataFrame(responses("A", "T", 5, "2025-10-01")), min_responses=1)
