"""Exact lexicographic solve on the flow network: max-flows (SciPy's Dinic) for the levels
that only ask "is this achievable?", a min-cost flow (LEMON's network simplex, via pylmcf)
for the levels with costs.

The network is  source -> HEI -> request -> place (setting x block) -> sector -> sink.
Its rows ("learners of a request" inside "learners of an HEI"; "learners at a place" inside
"learners in a sector") form two nested families, so the constraint matrix is totally
unimodular and every level has an integral optimum that a flow algorithm finds exactly:

1. most learners placed: a maximum flow ``F``;
2. fair share between HEIs: the best lowest fill ratio ``z`` is some ``k / requested_h``;
   a ratio is achievable iff a flow of value ``F`` exists with at least
   ``ceil(z * requested_h)`` learners through each HEI. Lower bounds are modelled without
   a circulation: the source feeds each HEI its floor directly and the rest through one
   shared node ``X`` of capacity ``F - sum(floors)``, so "all source arcs saturated" is
   simply "max flow equals F". Binary search over the candidate ratios;
3. fair share between sectors: likewise, the lowest achievable highest utilisation ``u`` is
   some ``k / places_s``; it is achievable iff a flow of value ``F`` exists with at most
   ``floor(u * places_s)`` learners into each sector (keeping the HEI floors);
4. least travel: a min-cost flow of value ``F`` under all those bounds.

Each level is one function named after its rule (:data:`~tracker.optimise.constraints.RULES`);
the integral bounds come from ``constraints.hei_floor`` and ``constraints.sector_ceiling``, the
same functions the PuLP models use. The network itself is in ``flow_network.py``.

``lp.py`` solves the same levels as PuLP models; the tests check both give equal levels.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from tracker.optimise.arcs import Instance
from tracker.optimise.constraints import RULES, hei_floor, sector_ceiling
from tracker.optimise.flow_network import FlowNetwork, Tie, min_cost_flow
from tracker.optimise.leximin import Frozen, solve_leximin
from tracker.optimise.leximin import last_true as _last_true
from tracker.optimise.model import Policy

Progress = Callable[[float, str], None]
Search = Literal["cut", "bisect"]
_EPS = 1e-9
# after this many cut-guided steps in a row that did not halve the bracket, bisect once:
# Newton steps usually finish in a handful of probes, and this bounds the worst case
_SLOW_STEPS = 3


@dataclass
class LevelSolution:
    """Flows per arc (beyond pins) and the integral bounds each level fixed."""

    flow: np.ndarray
    placed: int
    hei_floor: np.ndarray
    sector_ceiling: np.ndarray | None
    status: str = "optimal"
    timings: dict[str, float] = field(default_factory=dict)
    probes: int = 0
    solver: str = "network"
    # leximin only: the rounds of progressive filling per level ("heis", "sectors")
    frozen: dict[str, list[Frozen]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what a reader of the plan should know


@dataclass
class _Reached:
    """What the last feasible probe reached, carried from one level to the next."""

    hei_flow: np.ndarray
    sector_flow: np.ndarray
    probes: int = 0


def _ratio_candidates(totals: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Every value k / total_i within [lo, hi]: where an optimal ratio can lie."""
    parts = [np.array([lo, hi])]
    for t in totals[totals > 0]:
        k0 = math.ceil(lo * t - _EPS)
        k1 = math.floor(hi * t + _EPS)
        if k1 >= k0:
            parts.append(np.arange(k0, k1 + 1) / t)
    values = np.unique(np.concatenate(parts))
    return values[(values >= lo - _EPS) & (values <= hi + _EPS)]


def _lowest_fill(inst: Instance, hei_flow: np.ndarray) -> float:
    ok = inst.hei_requested > 0
    if not ok.any():
        return 1.0
    return float(np.min((hei_flow[ok] + inst.hei_pinned[ok]) / inst.hei_requested[ok]))


def _highest_use(inst: Instance, sector_flow: np.ndarray) -> float:
    ok = inst.sector_places > 0
    if not ok.any():
        return 0.0
    return float(np.max((sector_flow[ok] + inst.sector_pinned[ok]) / inst.sector_places[ok]))


def _first_true(lo: int, hi: int, holds: Callable[[int], bool]) -> int:
    """Smallest i in [lo, hi] with ``holds(i)``, for a test that is false up to some index and
    true after it; ``holds(hi)`` must be true."""
    while lo < hi:
        mid = (lo + hi) // 2
        if holds(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def solve_network(
    inst: Instance,
    policy: Policy,
    progress: Progress | None = None,
    *,
    search: Search = "cut",
) -> LevelSolution:
    """Solve the four levels exactly; ``search`` picks how the two ratio levels are searched.

    Both searches only ever rule a candidate ratio out by an infeasible max flow or by a
    cut whose capacity under that ratio's bounds is below ``F`` (max flow <= cut), so both
    are exact. ``"cut"`` probes the most ambitious ratio still possible and, when it fails,
    uses the failing probe's minimum cut to rule out every ratio that cut also forbids (a
    discrete Newton step on the parametric max flow). Every infeasible probe shrinks the
    bracket, so it terminates; after a few steps in a row that do not halve the bracket one
    bisection step is taken, which bounds the worst case at about four times the probes
    of ``"bisect"``. In practice it needs far fewer probes (6-7 instead of 25-29 on the
    benchmark instances). ``"bisect"`` is the plain binary
    search, kept as a reference for the tests.
    """
    say = progress or (lambda _f, _m: None)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    net = FlowNetwork(inst)
    timings["build"] = time.perf_counter() - t
    floor_left = np.zeros(len(inst.heis), np.int64)
    ceiling: np.ndarray | None = None

    say(0.1, RULES["most_learners_placed"])
    t = time.perf_counter()
    total, reached = most_learners_placed(net)
    timings["most_learners_placed"] = time.perf_counter() - t

    stay = inst.arc_previous is not None and policy.stay_close_to_previous
    heis = policy.fair_share_between_heis and len(inst.heis) > 1
    sectors = policy.fair_share_between_sectors and not stay and (inst.sector_places > 0).sum() > 1
    tie: Tie | None = None
    if policy.fairness == "leximin":
        if heis or sectors:
            say(0.3, RULES["fair_share_between_heis" if heis else "fair_share_between_sectors"])
        lex = solve_leximin(
            net, inst, total, reached.hei_flow, heis=heis, sectors=sectors, cut=search == "cut"
        )
        net, floor_left, ceiling, tie = lex.net, lex.floor_left, lex.ceiling, lex.tie
        reached.probes += lex.probes
        timings.update(lex.timings)
    else:
        if heis:
            say(0.3, RULES["fair_share_between_heis"])
            t = time.perf_counter()
            floor_left = fair_share_between_heis(net, inst, total, reached, search)
            timings["fair_share_between_heis"] = time.perf_counter() - t
        if sectors:
            say(0.55, RULES["fair_share_between_sectors"])
            t = time.perf_counter()
            ceiling = fair_share_between_sectors(net, inst, total, floor_left, reached, search)
            timings["fair_share_between_sectors"] = time.perf_counter() - t

    net.set_bounds(floor_left, total, ceiling, tie)
    flow = _last_level(net, inst, policy, total, reached, stay=stay, say=say, timings=timings)
    say(1.0, "done")
    floor_total = floor_left + inst.hei_pinned if policy.fair_share_between_heis else floor_left
    return LevelSolution(
        flow=flow,
        placed=total + inst.pinned_total,
        hei_floor=floor_total,
        sector_ceiling=None if ceiling is None else ceiling + inst.sector_pinned,
        timings=timings,
        probes=reached.probes,
        solver="network (SciPy max-flow, LEMON min-cost flow)",
        frozen=lex.frozen if policy.fairness == "leximin" else {},
        notes=lex.notes if policy.fairness == "leximin" else [],
    )


def _last_level(
    net: FlowNetwork,
    inst: Instance,
    policy: Policy,
    total: int,
    reached: _Reached,
    *,
    stay: bool,
    say: Progress,
    timings: dict[str, float],
) -> np.ndarray:
    """The flow of the level after fairness, within the bounds already set on ``net``:
    closest to the previous plan, else least travel, else any flow of ``total`` learners."""
    t = time.perf_counter()
    if stay:
        say(0.8, RULES["stay_close_to_previous"])
        flow = min_cost_flow(net, inst, total, policy.minimise_travel, stay=True)
        timings["stay_close_to_previous"] = time.perf_counter() - t
    elif policy.minimise_travel and bool(inst.arc_cost.any()):
        say(0.8, RULES["least_travel"])
        flow = min_cost_flow(net, inst, total, True, stay=False)
        timings["least_travel"] = time.perf_counter() - t
    else:
        flow = _any_flow(net, total, reached)
        timings["final_flow"] = time.perf_counter() - t
    return flow


def most_learners_placed(net: FlowNetwork) -> tuple[int, _Reached]:
    """Level 1: a maximum flow ``F`` with no fairness bounds."""
    net.set_bounds(np.zeros(len(net.mand), np.int64), net.big, None)
    total = net.max_flow()
    reached = _Reached(net.flows(net.mand) + net.flows(net.opt), net.flows(net.sector_arcs), 1)
    return total, reached


def fair_share_between_heis(
    net: FlowNetwork, inst: Instance, total: int, reached: _Reached, search: Search
) -> np.ndarray:
    """Level 2: the best lowest HEI fill ratio, as each HEI's floor of learners beyond pins.

    Searches the candidate ratios ``k / requested_h`` for the highest one whose floors still
    let a flow of ``F`` through (see :func:`solve_network` for the search).
    """
    if inst.requested_total == 0:  # nobody asked for a place: no floor to raise
        return np.zeros(len(inst.heis), np.int64)
    lo = _lowest_fill(inst, reached.hei_flow)
    hi = min(1.0, (total + inst.pinned_total) / max(inst.requested_total, 1))
    cand = _ratio_candidates(inst.hei_requested, lo, hi)
    # floors adding up to more than F are infeasible without a probe
    top = _last_true(0, len(cand) - 1, lambda i: int(hei_floor(cand[i], inst).sum()) <= total)
    bisect_next, slow = search == "bisect", 0
    a, b = 0, top  # cand[a] is achievable, nothing above cand[b] is
    while a < b:
        mid = (a + b + 1) // 2 if bisect_next else b
        net.set_bounds(hei_floor(cand[mid], inst), total, None)
        reached.probes += 1
        width = b - a
        if net.max_flow() == total:
            reached.hei_flow = net.flows(net.mand) + net.flows(net.opt)
            reached.sector_flow = net.flows(net.sector_arcs)
            # the flow may do better than asked: jump to the fill it actually reaches
            got = int(np.searchsorted(cand, _lowest_fill(inst, reached.hei_flow) + _EPS)) - 1
            a = min(max(mid, got), b)
        else:
            b = mid - 1
            if search == "cut":
                fixed, crossing = net.min_cut()

                def cut_holds(i: int, fixed: int = fixed, crossing: np.ndarray = crossing) -> bool:
                    caps = net.bound_caps(hei_floor(cand[i], inst), total, None)
                    return fixed + int(caps[crossing].sum()) >= total

                b = _last_true(a, b, cut_holds)
        slow = slow + 1 if 2 * (b - a) > width and not bisect_next else 0
        bisect_next = search == "bisect" or slow >= _SLOW_STEPS
    return hei_floor(float(cand[a]), inst)


def fair_share_between_sectors(
    net: FlowNetwork,
    inst: Instance,
    total: int,
    floor_left: np.ndarray,
    reached: _Reached,
    search: Search,
) -> np.ndarray:
    """Level 3: the lowest achievable highest sector utilisation, as each sector's ceiling
    of learners beyond pins (keeping the HEI floors of level 2)."""
    ok = inst.sector_places > 0
    lo = (total + inst.pinned_total) / max(int(inst.sector_places[ok].sum()), 1)
    hi = _highest_use(inst, reached.sector_flow)
    cand = _ratio_candidates(inst.sector_places, lo, hi)
    # a ceiling below what pins already hold is infeasible without a probe
    bottom = _first_true(
        0, len(cand) - 1, lambda i: bool((sector_ceiling(cand[i], inst) >= 0).all())
    )
    bisect_next, slow = search == "bisect", 0
    a, b = bottom, len(cand) - 1  # cand[b] is achievable, nothing below cand[a] is
    while a < b:
        mid = (a + b) // 2 if bisect_next else a
        net.set_bounds(floor_left, total, sector_ceiling(cand[mid], inst))
        reached.probes += 1
        width = b - a
        if net.max_flow() == total:
            use = _highest_use(inst, net.flows(net.sector_arcs))
            got = int(np.searchsorted(cand, use - _EPS))
            b = max(min(mid, got), a)
        else:
            a = mid + 1
            if search == "cut":
                fixed, crossing = net.min_cut()

                def cut_holds(i: int, fixed: int = fixed, crossing: np.ndarray = crossing) -> bool:
                    caps = net.bound_caps(floor_left, total, sector_ceiling(cand[i], inst))
                    return fixed + int(caps[crossing].sum()) >= total

                a = _first_true(a, b, cut_holds)
        slow = slow + 1 if 2 * (b - a) > width and not bisect_next else 0
        bisect_next = search == "bisect" or slow >= _SLOW_STEPS
    return sector_ceiling(float(cand[b]), inst)


def _any_flow(net: FlowNetwork, total: int, reached: _Reached) -> np.ndarray:
    """A flow of ``F`` under the bounds set, when no level has a cost to minimise."""
    got = net.max_flow()
    reached.probes += 1
    if got != total:
        raise RuntimeError("final bounds are not feasible: this is a bug")
    return net.flows(net.arcs)
