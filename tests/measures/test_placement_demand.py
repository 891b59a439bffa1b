"""Placement demand of a growth scenario and its shortfall, on hand-worked figures."""

from __future__ import annotations

import pandas as pd
import pytest

from tracker.measures.placement_demand import (
    ANY_YEAR,
    placement_demand,
    placement_pattern,
    shortfall,
    with_policy_target,
)

NOW = pd.DataFrame(
    [("nursing", 1, 10.0), ("nursing", 2, 10.0)],
    columns=["profession_group", "year_of_study", "learners"],
)
TODAY = pd.DataFrame(
    [
        ("nursing", "B1", "acute", 8),
        ("nursing", "B1", "community", 2),
        ("nursing", "B2", "acute", 10),
    ],
    columns=["profession_group", "block", "sector", "learners"],
)
LATER = pd.DataFrame(
    [("nursing", 1, 2027, 15.0), ("nursing", 2, 2027, 15.0)],
    columns=["profession_group", "year_of_study", "year", "learners"],
)


def _by(frame: pd.DataFrame, column: str) -> dict[tuple[str, str], float]:
    return {(b, s): v for b, s, v in frame[["block", "sector", column]].itertuples(index=False)}


def test_todays_share_per_learner_grows_with_the_learners() -> None:
    # 20 learners in training today take 8 + 2 placements in B1 and 10 in B2: 0.4 acute and
    # 0.1 community in B1, 0.5 acute in B2 per learner; 30 learners in 2027 need 12, 3, 15.
    pattern = placement_pattern(TODAY, NOW)
    assert set(pattern["year_of_study"]) == {ANY_YEAR}
    assert _by(pattern, "per_learner") == pytest.approx(
        {("B1", "acute"): 0.4, ("B1", "community"): 0.1, ("B2", "acute"): 0.5}
    )
    demand = placement_demand(LATER, pattern)
    assert set(demand["year"]) == {2027}
    assert _by(demand, "placements") == pytest.approx(
        {("B1", "acute"): 12, ("B1", "community"): 3, ("B2", "acute"): 15}
    )
    places = pd.DataFrame(
        [
            ("nursing", 2027, "B1", "acute", 10),
            ("nursing", 2027, "B1", "community", 5),
            ("nursing", 2027, "B2", "acute", 15),
            ("nursing", 2027, "B2", "care_home", 2),
        ],
        columns=["profession_group", "year", "block", "sector", "places"],
    )
    table = shortfall(demand, places)
    assert _by(table, "shortfall") == pytest.approx(
        {("B1", "acute"): 2, ("B1", "community"): 0, ("B2", "acute"): 0, ("B2", "care_home"): 0}
    )
    assert _by(table, "places")[("B2", "care_home")] == 2


def test_pattern_by_year_of_study() -> None:
    # only year-2 learners go out in B2: 10 placements for 10 year-2 learners is 1.0 each
    today = TODAY.assign(year_of_study=[1, 1, 2])
    pattern = placement_pattern(today, NOW)
    assert pattern.set_index(["year_of_study", "block", "sector"])["per_learner"].to_dict() == {
        (1, "B1", "acute"): pytest.approx(0.8),
        (1, "B1", "community"): pytest.approx(0.2),
        (2, "B2", "acute"): pytest.approx(1.0),
    }
    later = LATER.assign(learners=[5.0, 20.0])
    assert _by(placement_demand(later, pattern), "placements") == pytest.approx(
        {("B1", "acute"): 4, ("B1", "community"): 1, ("B2", "acute"): 20}
    )


def test_policy_target_moves_placements_into_community_and_care_homes() -> None:
    # a learner has 1.0 placements a year, 0.1 in community; at least 0.5 there means 0.4
    # taken from acute in proportion (0.4 and 0.5 become 2/9 and 5/18) and given to community
    pattern = with_policy_target(
        placement_pattern(TODAY, NOW), sectors={"community", "care_home"}, per_learner=0.5
    )
    assert _by(pattern, "per_learner") == pytest.approx(
        {("B1", "acute"): 0.4 * 5 / 9, ("B1", "community"): 0.5, ("B2", "acute"): 0.5 * 5 / 9}
    )
    assert pattern["per_learner"].sum() == pytest.approx(1.0)
    # already met: nothing changes
    same = with_policy_target(placement_pattern(TODAY, NOW), sectors={"acute"}, per_learner=0.5)
    assert _by(same, "per_learner") == pytest.approx(
        _by(placement_pattern(TODAY, NOW), "per_learner")
    )


def test_policy_target_opens_sectors_nobody_uses_today() -> None:
    # no care-home placements today: 0.3 per learner taken from acute, spread over the blocks
    # as the placements fall (half each) and evenly over the target sectors
    today = TODAY[TODAY["sector"] == "acute"].assign(learners=[10, 10])
    pattern = with_policy_target(
        placement_pattern(today, NOW), sectors=["care_home"], per_learner=0.3
    )
    assert _by(pattern, "per_learner") == pytest.approx(
        {
            ("B1", "acute"): 0.35,
            ("B2", "acute"): 0.35,
            ("B1", "care_home"): 0.15,
            ("B2", "care_home"): 0.15,
        }
    )
