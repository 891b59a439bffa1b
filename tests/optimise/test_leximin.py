"""Leximin on capacity by block: every HEI's fill, then every sector's use from above.

The network's progressive filling is checked against hand-made optima, against plain
enumeration of every HEI and sector vector with an independent max-flow oracle, and against
the PuLP k-sum models (``lp_leximin``) and the calendar MILP, which state leximin differently.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow

from tests.optimise.alloc_helpers import capacity, demand, random_instance, settings
from tests.optimise.test_calendar import _as_dates
from tracker.optimise import Policy, allocate, validate
from tracker.optimise.arcs import Instance, build_instance

NO_SECTORS = Policy(max_distance_km=40, fair_share_between_sectors=False)


def _fills(result) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return dict(zip(result.hei_fill["hei"], result.hei_fill["fill_ratio"], strict=True))


def test_leximin_raises_the_second_lowest_hei_where_max_min_does_not() -> None:
    # U1 can only reach X (1 place for 4 learners): the lowest fill is 1/4 whatever happens.
    # U2 and U3 share Y (4 places); U2 is next to it, U3 20 km away. Max-min only needs both
    # at 1/4, so least travel gives U2 three; leximin raises the second lowest to 2 each.
    s = settings(("X", "acute", "*", -60.0), ("Y", "acute", "*", 0.0))
    c = capacity(("X", 1, 1), ("Y", 1, 4))
    d = demand(
        ("r1", "U1", "nursing", 1, 4, None, -60.0),
        ("r2", "U2", "nursing", 1, 4, None, 0.0),
        ("r3", "U3", "nursing", 1, 4, None, 20.0),
    )
    maxmin = allocate(s, c, d, Policy(max_distance_km=40, fairness="max_min"))
    leximin = allocate(s, c, d, Policy(max_distance_km=40))
    assert _fills(maxmin) == {"U1": 0.25, "U2": 0.75, "U3": 0.25}
    assert _fills(leximin) == {"U1": 0.25, "U2": 0.5, "U3": 0.5}
    assert maxmin.levels.min_hei_fill == leximin.levels.min_hei_fill == 0.25
    assert leximin.status == "optimal"
    # the explanation names who was held first, at what, and the full place that held them
    assert leximin.explanation[0].startswith("fair share between HEIs, round 1: U1 25.0% held")
    assert "X (block 1)" in leximin.explanation[0]
    assert maxmin.explanation == ()
    # U2 and U3 are held by the places running out, not by a full place of their own
    assert "round 2: U2 50.0%, U3 50.0% held; the most learners" in leximin.explanation[1]


def test_whole_learner_stall_gives_the_place_to_the_hei_it_lifts_most() -> None:
    # one place, U1 asks for 1 learner, U2 for 2: each could rise above 0, not both. The
    # plain freezing loop stalls here; leximin gives it to U1: sorted fills (0, 1) beat (0, 1/2)
    s = settings(("W", "acute", "*", 0.0))
    c = capacity(("W", 1, 1))
    d = demand(("r1", "U2", "nursing", 1, 2, None, 0.0), ("r2", "U1", "nursing", 1, 1, None, 5.0))
    result = allocate(s, c, d, NO_SECTORS)
    assert _fills(result) == {"U1": 1.0, "U2": 0.0}


def test_whole_learner_stall_with_a_third_hei_keeps_the_best_second_fill() -> None:
    # W (3 places) is shared by U1 and U2 (2 learners each); U3 (4 learners) has its own 2
    # places. The lowest fill is 1/2; U1 and U2 can each rise to 1 but not both, so the
    # sorted fills are (1/2, 1/2, 1), whichever of the two gets the third place
    s = settings(("W", "acute", "*", 0.0), ("Z", "acute", "*", 100.0))
    c = capacity(("W", 1, 3), ("Z", 1, 2))
    d = demand(
        ("r1", "U1", "nursing", 1, 2, None, 0.0),
        ("r2", "U2", "nursing", 1, 2, None, 0.0),
        ("r3", "U3", "nursing", 1, 4, None, 100.0),
    )
    result = allocate(s, c, d, NO_SECTORS)
    assert sorted(_fills(result).values()) == [0.5, 0.5, 1.0]
    assert result.levels.placed == 5


def test_equally_fair_trade_between_heis_of_one_size_is_left_to_least_travel() -> None:
    # U1 and U2 ask for 2 each and 3 places exist: one of them gets 2. Fairness cannot tell
    # them apart, so least travel chooses: U2 sits next to X (2 places), U1 next to Y (1).
    s = settings(("X", "acute", "*", 0.0), ("Y", "acute", "*", 30.0))
    c = capacity(("X", 1, 2), ("Y", 1, 1))
    d = demand(("r1", "U1", "nursing", 1, 2, None, 30.0), ("r2", "U2", "nursing", 1, 2, None, 0.0))
    result = allocate(s, c, d, NO_SECTORS)
    assert _fills(result) == {"U1": 0.5, "U2": 1.0}
    assert result.levels.learner_km == pytest.approx(0.0, abs=0.01)


def test_sector_leximin_from_above_lowers_the_second_highest_sector() -> None:
    # acute is full whatever happens (only r1 reaches it); primary care (4 places) and
    # community (4 places) share r2's 4 learners; primary care is nearer. Max-min stops at
    # the highest use (acute, 100%) and travel puts all 4 in primary care; leximin from
    # above splits them 2 and 2
    s = settings(
        ("A", "acute", "nursing", 0.0),
        ("P", "primary_care", "physio", 0.0),
        ("C", "community", "physio", 20.0),
    )
    c = capacity(("A", 1, 2), ("P", 1, 4), ("C", 1, 4))
    d = demand(("r1", "U1", "nursing", 1, 3, None, 0.0), ("r2", "U1", "physio", 1, 4, None, 0.0))
    maxmin = allocate(s, c, d, Policy(max_distance_km=40, fairness="max_min"))
    leximin = allocate(s, c, d, Policy(max_distance_km=40))
    use = leximin.sector_utilisation.set_index("sector")["utilisation"]
    old = maxmin.sector_utilisation.set_index("sector")["utilisation"]
    assert (old["acute"], old["primary_care"], old["community"]) == (1.0, 1.0, 0.0)
    assert (use["acute"], use["primary_care"], use["community"]) == (1.0, 0.5, 0.5)


def test_sector_trade_without_the_hei_level_still_places_everyone() -> None:
    # two sectors of 2 places each share 3 learners: one takes 2 (a trade at no cost in
    # fairness, left to least travel). With the HEI level off, the HEIs keep their shared room
    s = settings(("P", "primary_care", "*", 0.0), ("C", "community", "*", 30.0))
    c = capacity(("P", 1, 2), ("C", 1, 2))
    d = demand(("r1", "U1", "nursing", 1, 1, None, 30.0), ("r2", "U2", "nursing", 1, 2, None, 0.0))
    result = allocate(s, c, d, Policy(max_distance_km=40, fair_share_between_heis=False))
    assert result.status == "optimal" and result.levels.placed == 3
    use = result.sector_utilisation.set_index("sector")["utilisation"]
    assert sorted([use["primary_care"], use["community"]]) == [0.5, 1.0]
    assert result.levels.learner_km == pytest.approx(0.0, abs=0.01)


def _max_flow(inst: Instance, supply: np.ndarray, sector_cap: np.ndarray | None) -> int:
    """Max flow source -> HEI (``supply``) -> request -> place -> sector (cap) -> sink,
    written here from the instance's arcs so that it shares nothing with the engine."""
    n_h, n_r, n_p, n_s = (
        len(inst.heis),
        len(inst.request_left),
        len(inst.place_left),
        len(inst.sector_places),
    )
    h0, r0 = 1, 1 + n_h
    p0, s0 = r0 + n_r, r0 + n_r + n_p
    sink = s0 + n_s
    big = int(inst.request_left.sum()) + 1
    caps = sector_cap if sector_cap is not None else np.full(n_s, big)
    arcs = (inst.arc_request, inst.arc_place)
    places = enumerate(inst.place_left)
    rows = [
        *((0, h0 + h, int(supply[h])) for h in range(n_h)),
        *((h0 + int(inst.request_hei[r]), r0 + r, int(inst.request_left[r])) for r in range(n_r)),
        *((r0 + int(r), p0 + int(p), big) for r, p in zip(*arcs, strict=True)),
        *((p0 + p, s0 + int(inst.place_sector[p]), max(int(place), 0)) for p, place in places),
        *((s0 + s, sink, int(caps[s])) for s in range(n_s)),
    ]
    t, h, c = (np.array(x) for x in zip(*rows, strict=True))
    graph = csr_array((c.astype(np.int32), (t, h)), shape=(sink + 1, sink + 1))
    return int(maximum_flow(graph, 0, sink).flow_value)


def _brute_force(inst: Instance) -> tuple[int, tuple[float, ...], tuple[float, ...]]:
    """Most learners, the best sorted HEI fills, then the best sorted-descending sector uses,
    by trying every vector (no pins in these instances)."""
    left = np.bincount(inst.request_hei, weights=inst.request_left, minlength=len(inst.heis))
    total = _max_flow(inst, left.astype(np.int64), None)
    asked = inst.hei_requested
    best_h: tuple[tuple[float, ...], np.ndarray] | None = None
    for y in itertools.product(*(range(int(n) + 1) for n in left)):
        y_arr = np.array(y, np.int64)
        if y_arr.sum() != total or _max_flow(inst, y_arr, None) != total:
            continue
        key = tuple(sorted(np.round(y_arr[asked > 0] / asked[asked > 0], 9)))
        if best_h is None or key > best_h[0]:
            best_h = (key, y_arr)
    assert best_h is not None
    places = inst.sector_places
    best_s: tuple[float, ...] | None = None
    # any HEI vector with the best sorted fills will do: try them all with every sector vector
    fair = [
        np.array(y, np.int64)
        for y in itertools.product(*(range(int(n) + 1) for n in left))
        if sum(y) == total
        and tuple(sorted(np.round(np.array(y)[asked > 0] / asked[asked > 0], 9))) == best_h[0]
        and _max_flow(inst, np.array(y, np.int64), None) == total
    ]
    for z in itertools.product(*(range(min(int(p), total) + 1) for p in places)):
        z_arr = np.array(z, np.int64)
        if z_arr.sum() != total or not any(_max_flow(inst, y, z_arr) == total for y in fair):
            continue
        key = tuple(sorted(np.round(z_arr[places > 0] / places[places > 0], 9), reverse=True))
        if best_s is None or key < best_s:
            best_s = key
    assert best_s is not None
    return total, best_h[0], best_s


@pytest.mark.parametrize("seed", range(10))
def test_leximin_equals_brute_force_on_small_instances(seed: int) -> None:
    s, c, d = random_instance(seed, n_settings=4, n_requests=4, n_blocks=1, spread_km=30)
    d["learners"] = d["learners"].clip(upper=4)
    policy = Policy(max_distance_km=35)
    inst = build_instance(validate(s, c, d, policy))
    placed, fills, uses = _brute_force(inst)
    result = allocate(s, c, d, policy)
    assert result.status == "optimal"
    assert result.levels.placed == placed
    hf = result.hei_fill
    got_fills = tuple(sorted(np.round(hf.loc[hf["requested"] > 0, "fill_ratio"].to_numpy(), 9)))
    assert got_fills == fills
    su = result.sector_utilisation
    got_uses = tuple(sorted(np.round(su.loc[su["places"] > 0, "utilisation"].to_numpy(), 9)))
    assert got_uses[::-1] == uses


@pytest.mark.parametrize("seed", range(12, 20))
def test_network_leximin_equals_the_pulp_k_sum_models(seed: int) -> None:
    s, c, d = random_instance(seed, n_requests=6 + seed % 20, n_settings=5 + seed % 15)
    net = allocate(s, c, d, Policy(max_distance_km=45))
    lp = allocate(s, c, d, Policy(max_distance_km=45, method="lp"))
    assert net.status == lp.status == "optimal"
    assert net.levels.placed == lp.levels.placed
    for table, column in ((net.hei_fill, "fill_ratio"), (net.sector_utilisation, "utilisation")):
        other = lp.hei_fill if column == "fill_ratio" else lp.sector_utilisation
        assert np.allclose(np.sort(table[column]), np.sort(other[column]))
    # least travel chooses among every equally fair plan in both (trades between HEIs or
    # sectors of one size included), so travel is equal too
    assert net.levels.learner_km == pytest.approx(lp.levels.learner_km, abs=0.01)


@pytest.mark.parametrize("seed", range(4))
def test_network_leximin_equals_the_calendar_milp_on_blocks_written_as_dates(seed: int) -> None:
    s, c, d = random_instance(seed, n_blocks=1)
    policy = Policy(max_distance_km=40, fair_share_between_sectors=False)
    blocks = allocate(s, c, d, policy)
    dated = allocate(*_as_dates((s, c, d)), policy)
    assert blocks.status == dated.status == "optimal"
    assert blocks.levels.placed == dated.levels.placed
    fills = (np.sort(r.hei_fill["fill_ratio"]) for r in (blocks, dated))
    assert np.allclose(*fills)
    assert blocks.levels.learner_km == pytest.approx(dated.levels.learner_km, abs=0.01)


def test_command_line_reports_every_fill_use_and_a_zero_gap_per_level(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from tests.optimise.test_calendar import _cli

    s = settings(("X", "acute", "*", -60.0), ("Y", "acute", "*", 0.0))
    c = capacity(("X", 1, 1), ("Y", 1, 4))
    d = demand(
        ("r1", "U1", "nursing", 1, 4, None, -60.0),
        ("r2", "U2", "nursing", 1, 4, None, 0.0),
        ("r3", "U3", "nursing", 1, 4, None, 20.0),
    )
    for name, table in (("s", s), ("c", c), ("d", d)):
        table.to_csv(tmp_path / f"{name}.csv", index=False)
    (tmp_path / "p.json").write_text(json.dumps({"max_distance_km": 40}))
    args = ["--settings", str(tmp_path / "s.csv"), "--capacity", str(tmp_path / "c.csv")]
    args += ["--policy", str(tmp_path / "p.json")]
    args += ["--demand", str(tmp_path / "d.csv"), "--out", str(tmp_path / "out")]
    result = _cli(args)
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["hei_fill"] == {"U1": 0.25, "U2": 0.5, "U3": 0.5}
    assert summary["sector_utilisation"]["acute"] == pytest.approx(5 / 5)
    assert summary["gap"]["most_learners_placed"] == summary["gap"]["fair_share_between_heis"] == 0
    assert summary["policy"]["fairness"] == "leximin"
    assert "round 1: U1 25.0% held" in summary["explanation"][0]
