"""Hypothesis: no plan the engine or the greedy baseline produces ever breaks a hard rule."""

from __future__ import annotations

import pandas as pd
from alloc_helpers import capacity, demand, settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from tracker.optimise import Pin, Policy, allocate, check_plan, greedy_allocate, validate

SECTORS = ["acute", "primary_care", "care_home", "community"]
PROGRAMMES = ["nursing", "physio", "ot"]


@st.composite
def instances(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Policy]:
    n_s = draw(st.integers(1, 6))
    s_rows = []
    for i in range(n_s):
        hosted = draw(st.sampled_from(["*", "nursing", "physio;ot", "nursing;physio"]))
        s_rows.append(
            (
                f"S{i}",
                draw(st.sampled_from(SECTORS)),
                hosted,
                draw(st.floats(0, 80)),
                draw(st.booleans()) or i == 0,
            )
        )
    blocks = [1, 2]
    c_rows = [
        (f"S{i}", b, draw(st.integers(0, 5)))
        for i in range(n_s)
        for b in blocks
        if draw(st.booleans()) or (i == 0)
    ]
    n_r = draw(st.integers(1, 7))
    d_rows = [
        (
            f"R{j}",
            draw(st.sampled_from(["H1", "H2", "H3"])),
            draw(st.sampled_from(PROGRAMMES)),
            draw(st.sampled_from(blocks)),
            draw(st.integers(0, 6)),
            draw(st.sampled_from([None, None, *SECTORS])),
            draw(st.floats(0, 80)),
        )
        for j in range(n_r)
    ]
    policy = Policy(
        max_distance_km=draw(st.sampled_from([None, 20.0, 50.0])),
        fair_share_between_heis=draw(st.booleans()),
        fair_share_between_sectors=draw(st.booleans()),
        minimise_travel=draw(st.booleans()),
    )
    return settings(*s_rows), capacity(*c_rows), demand(*d_rows), policy


@hyp_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_no_plan_breaks_a_hard_rule(
    case: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Policy],
) -> None:
    s, c, d, policy = case
    problem = validate(s, c, d, policy)
    for result in (allocate(s, c, d, policy), greedy_allocate(s, c, d, policy)):
        assert result.status == "optimal"
        violations = check_plan(
            problem.settings,
            problem.capacity,
            problem.demand,
            result.placements,
            max_distance_km=policy.max_distance_km,
        )
        assert violations.empty, violations.to_string()
        assert result.levels.placed + int(result.unmet["learners"].sum()) == int(
            problem.demand["learners"].sum()
        )
    engine, greedy = allocate(s, c, d, policy), greedy_allocate(s, c, d, policy)
    assert engine.levels.placed >= greedy.levels.placed


@hyp_settings(max_examples=30, deadline=None)
@given(instances(), st.data())
def test_pins_are_always_honoured(
    case: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Policy], data: st.DataObject
) -> None:
    s, c, d, policy = case
    free = allocate(s, c, d, policy)
    if free.placements.empty:
        return
    row = free.placements.iloc[data.draw(st.integers(0, len(free.placements) - 1))]
    pin = Pin(row["request_id"], row["setting_id"], str(row["block"]), int(row["learners"]))
    result = allocate(s, c, d, policy, pins=[pin])
    problem = validate(s, c, d, policy)
    assert check_plan(
        problem.settings,
        problem.capacity,
        problem.demand,
        result.placements,
        max_distance_km=policy.max_distance_km,
        pins=[(pin.request_id, pin.setting_id, pin.block, pin.learners)],
    ).empty
    assert result.levels.placed == free.levels.placed  # this pin was part of an optimal plan
