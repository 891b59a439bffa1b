"""Leximin fairness on the flow network: every HEI's fill, then every sector's use from above.

Why this is exact with whole learners. On the network ``source -> HEI -> ... -> sink`` the
vectors of learners per HEI that some flow achieves form the integer points of a polymatroid
(and, with each HEI's learners fixed, so do the vectors of learners per sector). The sorted
vector of fills ``y_h / requested_h`` is lexicographically maximal exactly where the separable
concave sum ``sum_h -exp(-c * y_h / requested_h)`` is maximal for a large enough ``c``, and on
a polymatroid the greedy procedure maximises such a sum (Federgruen and Groenevelt, 1986): give
one more learner at a time to the HEI whose next learner gains most, skipping an HEI once it
cannot take one more. With ``c`` large, "gains most" is: the lowest fill before the learner,
ties to the HEI asking for fewer learners (its learner is a bigger step). So the level is a
fixed sequence of *tokens* (HEI, its k-th learner) and the plan accepts the longest feasible
prefix, freezes the HEIs that cannot rise, drops their tokens and carries on.

This is Megiddo's progressive filling with the whole-learner stall handled: where two HEIs
can each rise above the current fill but not both, the token order decides which one gets
the learner (the one whose learner the sorted vector values more), and the other is frozen
by the next failed probe. No step waits for a set that can rise together.

Probes are the max flows of ``network.py`` with each HEI's floor (or each sector's ceiling)
set to the prefix's counts. A failed probe's minimum cut does two things: its capacity as a
function of the bounds rules out every longer prefix it also forbids (the discrete Newton
step of the max-min search), and the HEIs on its source side (sectors on its sink side) form
a tight set: their learners can only leave through arcs already full, so all of them are
frozen at once. A round therefore freezes at least one HEI, and the number of rounds is at
most the number of HEIs (sectors).

Sectors from above mirror it: tokens (sector, its k-th learner) ordered by the use the
learner brings the sector to, ties to the sector with more places, accepted while a flow of
the prefix's learners into the sectors exists under the HEI values fixed by level 2.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from tracker.optimise.arcs import Instance
from tracker.optimise.flow_network import FlowNetwork, Tie
from tracker.optimise.leximin_ties import fixed_note, ties

# after this many cut-guided steps in a row that did not halve the bracket, bisect once
_SLOW_STEPS = 3


@dataclass
class Frozen:
    """Which groups (HEIs or sectors) a round of progressive filling froze, and at what."""

    round: int
    groups: tuple[int, ...]
    values: tuple[int, ...]  # learners beyond pins, per group in ``groups``
    by_total: bool = False  # held because the most learners placed were all placed


@dataclass
class Filling:
    """The result of one leximin level: learners per group beyond pins and the rounds."""

    values: np.ndarray
    frozen: list[Frozen] = field(default_factory=list)
    probes: int = 0


def greedy_order(
    cap: np.ndarray, first: np.ndarray, over: np.ndarray, tie: np.ndarray
) -> np.ndarray:
    """Every group's 1st..cap-th learner beyond pins, as the group of each, in greedy order.

    A group's k-th token (k from 0) sorts by ``(first + k) / over``, then by ``tie``, then by
    group index (any fixed order: equal keys gain equally). The ratio is one division of
    integers, so equal ratios of different groups compare exactly equal.
    """
    cap = np.maximum(cap, 0)
    group = np.repeat(np.arange(len(cap)), cap)
    starts = np.concatenate([[0], np.cumsum(cap)[:-1]]).astype(np.int64)
    k = np.arange(len(group)) - np.repeat(starts, cap)
    ratio = (first[group] + k) / np.maximum(over[group], 1)
    order: np.ndarray = group[np.lexsort((group, tie[group], ratio))]
    return order


def _ranks(seq: np.ndarray, n_groups: int) -> np.ndarray:
    """Position of each token among its group's tokens in ``seq`` (0 for the first)."""
    order = np.argsort(seq, kind="stable")
    counts = np.bincount(seq, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(len(seq), np.int64)
    rank[order] = np.arange(len(seq)) - np.repeat(starts, counts)
    return rank


def _within(seq: np.ndarray, rank: np.ndarray, value: np.ndarray, reached: np.ndarray) -> int:
    """Longest prefix of ``seq`` whose counts, added to ``value``, stay within ``reached``:
    feasible without a probe, since a flow already reaches ``reached``."""
    over = value[seq] + rank + 1 > reached[seq]
    return int(np.argmax(over)) if over.any() else len(seq)


@dataclass
class _Probe:
    """One level's probe: bounds from counts, and what a probe's flow or cut says."""

    net: FlowNetwork
    bounds: Callable[[np.ndarray], None]  # set the network's bounds for these counts
    target: Callable[[np.ndarray], int]  # flow value meaning "feasible"
    caps: Callable[[np.ndarray], np.ndarray]  # the changed arcs' capacities for these counts
    reached: Callable[[], np.ndarray]  # counts per group of the last feasible flow
    stuck: Callable[[], np.ndarray]  # mask of the groups in the last failed probe's tight set
    probes: int = 0

    def feasible(self, counts: np.ndarray) -> bool:
        self.bounds(counts)
        self.probes += 1
        return self.net.max_flow() == self.target(counts)


def progressive_fill(
    order: np.ndarray,
    n_groups: int,
    start: np.ndarray,
    probe: _Probe,
    limit: int,
    *,
    cut: bool = True,
) -> Filling:
    """Accept tokens (``order``: the group of each, greedy order) while a flow exists.

    ``start`` is reached by a known flow; ``limit`` is the most learners any flow places, so
    the filling ends there (every maximal point of a polymatroid has that sum). With ``cut``
    each failed probe's minimum cut rules out the longer prefixes it also forbids; without
    it the search is a plain bisection.
    """
    value = np.zeros(n_groups, np.int64)
    frozen = np.zeros(n_groups, bool)
    out = Filling(values=value)
    seq, known = order, start
    while len(seq):
        prefix = _Prefix(seq, _ranks(seq, n_groups), value, n_groups)
        a, known = _longest_feasible(prefix, known, probe, limit - int(value.sum()), cut)
        value = prefix.counts(a)
        if a == len(seq) or int(value.sum()) == limit:
            rest = np.unique(seq[a:])  # still wanting more when every learner is placed
            if len(rest):
                values = tuple(int(value[g]) for g in rest)
                out.frozen.append(
                    Frozen(len(out.frozen) + 1, tuple(int(g) for g in rest), values, True)
                )
            break
        failing = int(seq[a])
        if probe.feasible(prefix.counts(a + 1)):
            raise RuntimeError("progressive filling: a prefix ruled out is feasible; a bug")
        stuck = probe.stuck() & ~frozen
        stuck[failing] = True  # the token that failed is in the tight set (see the module)
        frozen |= stuck
        groups = tuple(int(g) for g in np.flatnonzero(stuck))
        out.frozen.append(Frozen(len(out.frozen) + 1, groups, tuple(int(value[g]) for g in groups)))
        seq = seq[a:]
        seq = seq[~frozen[seq]]
    out.values = value
    out.probes = probe.probes
    return out


@dataclass(frozen=True)
class _Prefix:
    """The tokens left, in order, and the counts per group of a prefix of them."""

    seq: np.ndarray
    rank: np.ndarray
    value: np.ndarray
    n_groups: int

    def counts(self, q: int) -> np.ndarray:
        out: np.ndarray = self.value + np.bincount(self.seq[:q], minlength=self.n_groups)
        return out


def _longest_feasible(
    prefix: _Prefix, known: np.ndarray, probe: _Probe, room: int, cut: bool
) -> tuple[int, np.ndarray]:
    """Longest feasible prefix (at most ``room`` tokens), and counts a flow reached."""
    seq, rank, value = prefix.seq, prefix.rank, prefix.value
    b = min(len(seq), room)
    a = min(_within(seq, rank, value, known), b)
    bisect_next, slow = not cut, 0
    while a < b:  # seq[:a] is feasible, nothing longer than b is
        mid = b if not bisect_next else (a + b + 1) // 2
        width = b - a
        if probe.feasible(prefix.counts(mid)):
            known = probe.reached()
            a = max(mid, min(_within(seq, rank, value, known), b))
        else:
            b = mid - 1
            if cut:
                fixed, crossing = probe.net.min_cut()
                b = last_true(a, b, partial(_cut_allows, probe, fixed, crossing, prefix))
        slow = slow + 1 if 2 * (b - a) > width and not bisect_next else 0
        bisect_next = not cut or slow >= _SLOW_STEPS
    return a, known


def _cut_allows(probe: _Probe, fixed: int, crossing: np.ndarray, prefix: _Prefix, q: int) -> bool:
    """Whether a failed probe's cut still allows the prefix of ``q`` tokens (max flow <= cut)."""
    counts = prefix.counts(q)
    return fixed + int(probe.caps(counts)[crossing].sum()) >= probe.target(counts)


def last_true(lo: int, hi: int, holds: Callable[[int], bool]) -> int:
    """Largest i in [lo, hi] with ``holds(i)``, for a test that is true up to some index and
    false after it; ``holds(lo)`` must be true."""
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if holds(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def leximin_heis(
    net: FlowNetwork, inst: Instance, total: int, start: np.ndarray, *, cut: bool = True
) -> Filling:
    """Level 2, leximin: learners per HEI beyond pins whose sorted fills are lexicographically
    maximal among flows of ``total`` (``start``: learners per HEI of one such flow)."""
    asked = inst.hei_requested
    cap = np.where(asked > 0, net.hei_left, 0)
    # the k-th learner's gain is ruled by the fill before it; ties to the smaller HEI
    order = greedy_order(cap, inst.hei_pinned, asked, asked)

    def reached() -> np.ndarray:
        out: np.ndarray = net.flows(net.mand) + net.flows(net.opt)
        return out

    probe = _Probe(
        net,
        bounds=lambda c: net.set_bounds(c, total, None),
        target=lambda _c: total,
        caps=lambda c: net.bound_caps(c, total, None),
        reached=reached,
        stuck=lambda: net.source_side()[net.hei_nodes],
    )
    filling = progressive_fill(order, len(asked), start, probe, total, cut=cut)
    if int(filling.values.sum()) != total:
        raise RuntimeError("leximin over HEIs did not reach the most learners placed; a bug")
    return filling


def leximin_sectors(
    net: FlowNetwork,
    inst: Instance,
    total: int,
    floor_left: np.ndarray,
    tie: Tie | None,
    *,
    cut: bool = True,
) -> Filling:
    """Level 3, leximin from above: learners per sector beyond pins whose sorted-descending
    uses are lexicographically minimal, keeping level 2 (its HEIs' learners, with ``tie``
    the trades that keep its sorted fills)."""
    places = inst.sector_places
    cap = np.where(places > 0, np.minimum(places - inst.sector_pinned, total), 0)
    # the k-th learner's cost is ruled by the use it brings; ties to the larger sector
    order = greedy_order(cap, inst.sector_pinned + 1, places, -places)
    net.set_bounds(floor_left, total, None, tie)
    if net.max_flow() != total:
        raise RuntimeError("level 2's bounds are not feasible; a bug")
    start = net.flows(net.sector_arcs)

    def target(c: np.ndarray) -> int:
        return int(c.sum())

    probe = _Probe(
        net,
        bounds=lambda c: net.set_bounds(floor_left, total, c, tie),
        target=target,
        caps=lambda c: net.bound_caps(floor_left, total, c, tie),
        reached=lambda: net.flows(net.sector_arcs),
        stuck=lambda: ~net.source_side()[net.sector_nodes],
    )
    probe.probes = 1
    filling = progressive_fill(order, len(places), start, probe, total, cut=cut)
    if int(filling.values.sum()) != total:
        raise RuntimeError("leximin over sectors did not place every learner; a bug")
    return filling


@dataclass
class LeximinLevels:
    """Levels 2 and 3 under leximin, ready for the levels after them.

    ``net`` carries the trade groups of both levels (so least travel chooses among every
    plan with the same sorted fills and uses), ``floor_left``/``ceiling`` with ``tie`` are
    the bounds to set on it."""

    net: FlowNetwork
    floor_left: np.ndarray
    ceiling: np.ndarray | None
    tie: Tie | None
    frozen: dict[str, list[Frozen]]
    probes: int
    timings: dict[str, float]
    notes: list[str]


def solve_leximin(
    net: FlowNetwork,
    inst: Instance,
    total: int,
    start: np.ndarray,
    *,
    heis: bool,
    sectors: bool,
    cut: bool = True,
) -> LeximinLevels:
    """Leximin over HEI fills (``heis``), then over sector uses from above (``sectors``)."""
    out = LeximinLevels(net, np.zeros(len(inst.heis), np.int64), None, None, {}, 0, {}, [])
    hei_group = None
    if heis:
        t = time.perf_counter()
        filled = leximin_heis(net, inst, total, start, cut=cut)
        out.frozen["heis"], out.probes = filled.frozen, filled.probes
        out.floor_left = filled.values
        tied = ties(filled.values, inst.hei_requested, inst.hei_pinned)
        if tied.any:
            hei_group = tied.group
            out.net = FlowNetwork(inst, hei_group=hei_group)
            out.floor_left = tied.low
            out.tie = Tie(tied.high, tied.room)
        out.notes += fixed_note(tied, "HEIs")
        out.timings["fair_share_between_heis"] = time.perf_counter() - t
    if sectors:
        t = time.perf_counter()
        filled = leximin_sectors(out.net, inst, total, out.floor_left, out.tie, cut=cut)
        out.frozen["sectors"], out.probes = filled.frozen, out.probes + filled.probes
        out.ceiling = filled.values
        tied = ties(filled.values, inst.sector_places, inst.sector_pinned)
        if tied.any:
            out.net = FlowNetwork(inst, hei_group=hei_group, sector_group=tied.group)
            # without HEI trade groups the HEIs keep one shared room, as in level 2's probes
            hei = out.tie or Tie(None, np.array([total - int(out.floor_left.sum())], np.int64))
            # a sector group's arc to the sink carries the group's whole total; the fixed
            # sectors (group 0) are held by their own ceilings
            room = tied.room + np.bincount(tied.group, weights=tied.low).astype(np.int64)
            room[0] = out.net.big
            out.tie = Tie(hei.upper, hei.room, room)
            out.ceiling = tied.high
        out.notes += fixed_note(tied, "sectors")
        out.timings["fair_share_between_sectors"] = time.perf_counter() - t
    return out
