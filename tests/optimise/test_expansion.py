"""Cheapest expansion: the plan lets the allocator place every learner it can, and no fewer
supervisors would (removing any one added supervisor makes the allocator fall short)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from alloc_helpers import demand, random_instance, settings

from tracker.optimise import InputError, Policy, allocate
from tracker.optimise.expansion import ExpansionOptions, ExpansionPlan, cheapest_expansion

UNREACHABLE = {"not_hosted", "not_offered_in_block", "out_of_reach"}


def places(*rows: tuple[object, ...]) -> pd.DataFrame:
    """rows: (setting_id, block, places, learners_per_supervisor)"""
    return pd.DataFrame(rows, columns=["setting_id", "block", "places", "learners_per_supervisor"])


def _one_fewer(plan: ExpansionPlan, setting_id: str) -> pd.DataFrame:
    """The expanded capacity with one supervisor fewer at ``setting_id`` (every block)."""
    supervisors = int(plan.settings.set_index("setting_id").loc[setting_id, "supervisors_added"])
    out = plan.capacity.copy()
    for row in plan.places[plan.places["setting_id"] == setting_id].itertuples(index=False):
        at = (out["setting_id"] == setting_id) & (out["block"] == row.block)
        fewer = math.floor(row.learners_per_supervisor * (supervisors - 1) + 1e-9)
        out.loc[at, "places"] = row.places + fewer
    return out


def assert_sufficient_and_minimal(
    s: pd.DataFrame, d: pd.DataFrame, plan: ExpansionPlan, policy: Policy | None = None
) -> None:
    """The allocator on the expanded capacity places every placeable learner; one supervisor
    fewer anywhere and it places fewer."""
    assert plan.status == "optimal"
    assert allocate(s, plan.capacity, d, policy).levels.placed == plan.placeable
    assert plan.placeable == plan.requested - int(plan.unplaced["unplaced"].sum())
    for setting_id in plan.settings["setting_id"]:
        fewer = allocate(s, _one_fewer(plan, setting_id), d, policy).levels.placed
        assert fewer < plan.placeable, setting_id


def test_hand_worked_one_supervisor_serves_every_block() -> None:
    # A takes 2 learners per supervisor and has 1 place in each block; 3 learners come in each
    # block. One more supervisor at A opens 2 places in both blocks: 1 supervisor, not 2.
    # B (no places today, 1 learner per supervisor) would need 2 people for the same.
    s = settings(("A", "acute", "nursing", 0.0), ("B", "care_home", "nursing", 1.0))
    c = places(("A", 1, 1, 2), ("A", 2, 1, 2), ("B", 1, 0, 1), ("B", 2, 0, 1))
    d = demand(("r1", "H1", "nursing", 1, 3), ("r2", "H2", "nursing", 2, 3))
    plan = cheapest_expansion(s, c, d)
    assert (plan.requested, plan.placeable, plan.supervisors_added, plan.cost) == (6, 6, 1, 1.0)
    row = plan.settings.iloc[0]
    assert (row.setting_id, row.supervisors_added, row.places_added, row.learners_let_in) == (
        "A",
        1,
        4,
        4,
    )
    assert row.blocks == "1, 2"
    assert row.explanation == (
        "1 more supervisor at A (acute) adds 2 places in each of 2 blocks and lets in "
        "4 learners beyond today's places"
    )
    assert plan.places[["block", "places", "places_added", "places_after", "placed"]].to_dict(
        "records"
    ) == [
        {"block": "1", "places": 1, "places_added": 2, "places_after": 3, "placed": 3},
        {"block": "2", "places": 1, "places_added": 2, "places_after": 3, "placed": 3},
    ]
    assert plan.unplaced.empty
    assert_sufficient_and_minimal(s, d, plan)


def test_nothing_to_add_when_everyone_fits() -> None:
    s = settings(("A", "acute", "nursing", 0.0))
    d = demand(("r1", "H1", "nursing", 1, 2))
    plan = cheapest_expansion(s, places(("A", 1, 3, 1)), d)
    assert plan.supervisors_added == 0 and plan.settings.empty and plan.places.empty
    assert plan.placeable == 2


def test_fractional_learners_per_supervisor_count_whole_places() -> None:
    # 1.5 learners per supervisor: 3 more places take 2 supervisors (1 would give 1 place)
    s = settings(("A", "acute", "nursing", 0.0))
    d = demand(("r1", "H1", "nursing", 1, 4))
    plan = cheapest_expansion(s, places(("A", 1, 1, 1.5)), d)
    assert (plan.supervisors_added, plan.places["places_added"].tolist()) == (2, [3])
    assert_sufficient_and_minimal(s, d, plan)


def test_cost_per_sector_moves_the_supervisors() -> None:
    s = settings(("A", "acute", "nursing", 0.0), ("B", "care_home", "nursing", 2.0))
    c = places(("A", 1, 1, 1), ("B", 1, 1, 1))
    d = demand(("r1", "H1", "nursing", 1, 4))
    dear_acute = cheapest_expansion(
        s, c, d, options=ExpansionOptions(cost_per_supervisor={"acute": 3.0})
    )
    assert dear_acute.settings[["setting_id", "supervisors_added"]].values.tolist() == [["B", 2]]
    assert dear_acute.cost == 2.0
    dear_care = cheapest_expansion(
        s, c, d, options=ExpansionOptions(cost_per_supervisor={"care_home": 3.0})
    )
    assert dear_care.settings[["setting_id", "supervisors_added"]].values.tolist() == [["A", 2]]
    for plan in (dear_acute, dear_care):
        assert_sufficient_and_minimal(s, d, plan)


def test_cap_per_setting_is_respected_and_reported() -> None:
    s = settings(("A", "acute", "nursing", 0.0), ("B", "community", "nursing", 1.0))
    c = places(("A", 1, 0, 1), ("B", 1, 1, 1))
    d = demand(("r1", "H1", "nursing", 1, 5))
    plan = cheapest_expansion(s, c, d, options=ExpansionOptions(max_added_per_setting=2))
    assert plan.settings["supervisors_added"].tolist() == [2, 2]
    assert plan.placeable == 5
    tight = cheapest_expansion(s, c, d, options=ExpansionOptions(max_added_per_setting=1))
    assert (tight.supervisors_added, tight.placeable) == (2, 3)
    assert tight.unplaced[["request_id", "unplaced", "reason_code"]].values.tolist() == [
        ["r1", 2, "capped"]
    ]
    assert "at most 1 more supervisor per setting" in tight.unplaced["reason"].iloc[0]
    assert_sufficient_and_minimal(s, d, tight)


def test_a_request_nobody_can_host_is_reported_and_the_rest_placed() -> None:
    s = settings(
        ("A", "acute", "nursing", 0.0),
        ("F", "acute", "physio", 200.0),
        ("X", "acute", "ot", 0.0, False),  # inactive: expansion cannot open it
    )
    c = places(("A", 1, 1, 1), ("A", 2, 0, 1), ("F", 1, 0, 1), ("X", 1, 0, 1))
    d = demand(
        ("r1", "H1", "nursing", 1, 3),
        ("far", "H1", "physio", 1, 2),
        ("ot", "H2", "ot", 1, 1),
        ("mh", "H2", "nursing", 1, 1, "mental_health"),
        ("late", "H2", "physio", 2, 1),
    )
    policy = Policy(max_distance_km=50)
    plan = cheapest_expansion(s, c, d, policy)
    reasons = plan.unplaced.set_index("request_id")["reason_code"].to_dict()
    assert reasons == {
        "far": "out_of_reach",
        "ot": "not_hosted",
        "mh": "not_hosted",
        "late": "not_offered_in_block",
    }
    assert plan.unplaced.set_index("request_id").loc["far", "reason"] == (
        "no setting hosting physio offers block 1 within 50 km"
    )
    assert plan.settings[["setting_id", "supervisors_added"]].values.tolist() == [["A", 2]]
    assert plan.placeable == 3
    assert_sufficient_and_minimal(s, d, plan, policy)


def test_bad_options_and_dated_capacity_are_refused() -> None:
    with pytest.raises(InputError) as caught:
        ExpansionOptions(cost_per_supervisor={"acute": 0, "moon": 1}, max_added_per_setting=-1)
    assert len(caught.value.problems) == 3
    s = settings(("A", "acute", "nursing", 0.0))
    dated = pd.DataFrame(
        [("A", "2027-01-04", "2027-02-26", 2)],
        columns=["setting_id", "start_date", "end_date", "places"],
    )
    d = demand(("r1", "H1", "nursing", 1, 2)).assign(start_date="2027-01-04", end_date="2027-02-26")
    with pytest.raises(InputError, match="needs blocks"):
        cheapest_expansion(s, dated, d)


def _random(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    s, c, d = random_instance(seed, n_settings=6, n_requests=8)
    rng = np.random.default_rng(seed + 500)
    # fractional learners per supervisor too: two supervisors at 1.5 give 3 places, one gives 1
    per = rng.choice([1.0, 1.5, 2.0, 3.0], size=len(c))
    return s, c.assign(learners_per_supervisor=per), d


@pytest.mark.parametrize("seed", range(12))
def test_random_plans_are_sufficient_and_minimal(seed: int) -> None:
    s, c, d = _random(seed)
    policy = Policy(max_distance_km=30.0 if seed % 2 else None)
    plan = cheapest_expansion(s, c, d, policy)
    # with no cap, only requests no setting could ever take are left out
    assert set(plan.unplaced["reason_code"]) <= UNREACHABLE
    assert (plan.unplaced["unplaced"] == plan.unplaced["learners"]).all()
    assert_sufficient_and_minimal(s, d, plan, policy)


@pytest.mark.parametrize("seed", range(6))
def test_random_plans_keep_the_cap(seed: int) -> None:
    s, c, d = _random(seed)
    plan = cheapest_expansion(s, c, d, options=ExpansionOptions(max_added_per_setting=1))
    assert (plan.settings["supervisors_added"] <= 1).all()
    assert set(plan.unplaced["reason_code"]) <= UNREACHABLE | {"capped"}
    assert_sufficient_and_minimal(s, d, plan)
