"""Bottlenecks are exact: each figure equals a re-run with that many more supervisors there."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from alloc_helpers import demand, random_instance, settings

from tracker.optimise import allocate


def _with_supervisors(capacity: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The random instance's places as supervisors x learners per supervisor (1 to 3)."""
    rng = np.random.default_rng(seed + 1000)
    out = capacity[["setting_id", "block"]].copy()
    out["supervisors"] = capacity["places"].to_numpy()
    out["learners_per_supervisor"] = rng.integers(1, 4, size=len(out))
    return out


def _placed_with(s, c, d, setting_id: str, block: object, more: int) -> int:
    grown = c.copy()
    row = (grown["setting_id"] == setting_id) & (grown["block"].astype(str) == str(block))
    grown.loc[row, "supervisors"] += more
    return allocate(s, grown, d).levels.placed


@pytest.mark.parametrize("seed", range(10))
def test_each_figure_equals_a_rerun_with_more_supervisors(seed: int) -> None:
    s, places, d = random_instance(seed, n_settings=7, n_requests=9)
    c = _with_supervisors(places, seed)
    base = allocate(s, c, d)
    rows = base.bottlenecks.head(4)
    for row in rows.itertuples(index=False):
        for k in (1, 2, 5):
            gained = _placed_with(s, c, d, row.setting_id, row.block, k) - base.levels.placed
            assert gained == getattr(row, f"extra_with_{k}"), (row.setting_id, k)
        enough = int(row.supervisors_to_add)
        full = _placed_with(s, c, d, row.setting_id, row.block, enough)
        assert full - base.levels.placed == row.unmet_in_reach
        if enough > 1:
            short = _placed_with(s, c, d, row.setting_id, row.block, enough - 1)
            assert short - base.levels.placed < row.unmet_in_reach


@pytest.mark.parametrize("seed", range(6))
def test_places_not_listed_gain_nothing(seed: int) -> None:
    s, places, d = random_instance(seed, n_settings=7, n_requests=9)
    c = _with_supervisors(places, seed)
    base = allocate(s, c, d)
    listed = set(
        zip(base.bottlenecks["setting_id"], base.bottlenecks["block"].astype(str), strict=True)
    )
    for row in c.itertuples(index=False):
        if (row.setting_id, str(row.block)) not in listed:
            assert _placed_with(s, c, d, row.setting_id, row.block, 3) == base.levels.placed


def test_figures_differ_by_setting() -> None:
    # U1's 6 nursing learners reach A and B; U2's 2 physio learners only B. A takes 3 per
    # supervisor, B 1. The plan: 3 of U1 at A, 1 of U2 at B (both HEIs half placed); unmet:
    # 3 of U1 (who can go to A or B) and 1 of U2 (only B).
    s = settings(("A", "acute", "nursing", 0), ("B", "care_home", "nursing;physio", 1))
    c = pd.DataFrame(
        {
            "setting_id": ["A", "B"],
            "block": [1, 1],
            "supervisors": [1, 1],
            "learners_per_supervisor": [3, 1],
        }
    )
    d = demand(("r1", "U1", "nursing", 1, 6), ("r2", "U2", "physio", 1, 2))
    table = allocate(s, c, d).bottlenecks.set_index("setting_id")
    assert table.loc["A", "extra_with_1"] == 3 and table.loc["B", "extra_with_1"] == 1
    assert table.loc["A", "extra_with_5"] == 3  # U1's three; U2's learner cannot go to A
    assert table.loc["A", "supervisors_to_add"] == 1
    assert table.loc["B", "extra_with_2"] == 2 and table.loc["B", "extra_with_5"] == 4
    assert table.loc["B", "supervisors_to_add"] == 4
    assert table.index.tolist()[0] == "A"  # ranked by what one more supervisor places


def _as_places(capacity: pd.DataFrame) -> pd.DataFrame:
    """The same capacity as the app hands it over: places (typed counts or named staff)
    beside the register's learners per supervisor, no supervisors column."""
    out = capacity[["setting_id", "block"]].copy()
    out["places"] = capacity["supervisors"] * capacity["learners_per_supervisor"]
    out["learners_per_supervisor"] = capacity["learners_per_supervisor"]
    return out


@pytest.mark.parametrize("seed", range(2, 10))  # seeds with places to gain
def test_places_beside_a_ratio_keep_supervisor_figures(seed: int) -> None:
    s, places, d = random_instance(seed, n_settings=7, n_requests=9)
    c = _as_places(_with_supervisors(places, seed))
    base = allocate(s, c, d)
    rows = base.bottlenecks.head(4)
    assert len(rows) and rows["supervisors_to_add"].notna().all()
    for row in rows.itertuples(index=False):
        at = (c["setting_id"] == row.setting_id) & (c["block"].astype(str) == str(row.block))
        per = int(c.loc[at, "learners_per_supervisor"].iat[0])
        assert row.learners_per_supervisor == per
        for k in (1, 2, 5):
            grown = c.copy()
            grown.loc[at, "places"] += k * per
            gained = allocate(s, grown, d).levels.placed - base.levels.placed
            assert gained == getattr(row, f"extra_with_{k}"), (row.setting_id, k)
        assert row.supervisors_to_add == -(-row.unmet_in_reach // per)


def test_places_without_a_ratio_count_per_place() -> None:
    s = settings(("A", "acute", "nursing", 0))
    c = pd.DataFrame({"setting_id": ["A"], "block": [1], "places": [1]})
    d = demand(("r1", "U1", "nursing", 1, 4))
    row = allocate(s, c, d).bottlenecks.iloc[0]
    assert row["extra_with_2"] == 2 and row["unmet_in_reach"] == 3
    assert np.isnan(row["supervisors_to_add"])
