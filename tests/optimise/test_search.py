"""The cut-guided fairness search finds exactly the bounds of a plain binary search."""

from __future__ import annotations

import numpy as np
import pytest
from alloc_helpers import random_instance

from tracker.optimise import Pin, Policy, allocate, validate
from tracker.optimise.arcs import build_instance
from tracker.optimise.network import solve_network


def _same_bounds(seed: int, pins: tuple[Pin, ...] = ()) -> tuple[int, int]:
    s, c, d = random_instance(
        seed,
        n_settings=6 + seed % 25,
        n_requests=5 + (seed * 7) % 50,
        n_blocks=1 + seed % 3,
        spread_km=40 + seed % 60,
    )
    policy = Policy(max_distance_km=45)
    if seed % 3 == 0:  # pin part of an optimal plan, so floors and ceilings shift by pins
        free = allocate(s, c, d, policy).placements
        if len(free):
            row = free.iloc[seed % len(free)]
            n = max(1, int(row["learners"]) // 2)
            pins = (Pin(row["request_id"], row["setting_id"], str(row["block"]), n),)
    inst = build_instance(validate(s, c, d, policy, pins=pins))
    cut = solve_network(inst, policy, search="cut")
    bisect = solve_network(inst, policy, search="bisect")
    assert cut.placed == bisect.placed
    assert np.array_equal(cut.hei_floor, bisect.hei_floor)
    assert (cut.sector_ceiling is None) == (bisect.sector_ceiling is None)
    if cut.sector_ceiling is not None:
        assert bisect.sector_ceiling is not None
        assert np.array_equal(cut.sector_ceiling, bisect.sector_ceiling)
    return cut.probes, bisect.probes


@pytest.mark.parametrize("chunk", range(3))
def test_cut_guided_search_equals_binary_search(chunk: int) -> None:
    probes = [_same_bounds(seed) for seed in range(chunk * 30, chunk * 30 + 30)]
    # not a timing: the point of the cut-guided search is fewer max-flow probes
    assert sum(p for p, _ in probes) <= sum(q for _, q in probes)
