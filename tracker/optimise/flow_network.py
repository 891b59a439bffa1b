"""The flow network of an allocation instance, with a fixed arc order so that the fairness
probes only rewrite a few capacities, and its max-flow, min-cut and min-cost-flow solves.

The network is  source -> HEI -> request -> place (setting x block) -> sector -> sink, with
one shared node ``X`` between the source and the HEIs that models the HEI floors without a
circulation (see ``network.py``). Max flows are SciPy's Dinic; min-cost flows LEMON's network
simplex through pylmcf.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pylmcf
from scipy.sparse import csr_array
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from tracker.optimise.arcs import Instance


@dataclass(frozen=True)
class Tie:
    """Bounds of the HEIs (and sectors) that leximin leaves free to trade a learner.

    ``upper`` is each HEI's most learners beyond pins, ``room`` each HEI group's learners
    beyond its floors (group 0 holds the HEIs fixed at their floor: room 0), and
    ``sector_room`` each sector group's learners (None: no sector groups)."""

    upper: np.ndarray | None
    room: np.ndarray
    sector_room: np.ndarray | None = None


class FlowNetwork:
    """The flow network with a fixed arc order, so probes only change a few capacities."""

    def __init__(
        self,
        inst: Instance,
        hei_group: np.ndarray | None = None,
        sector_group: np.ndarray | None = None,
    ) -> None:
        """``hei_group`` (a group per HEI, default one group) gives each group its own node
        ``X``, so a group's learners beyond its floors have their own room; ``sector_group``
        (default none) puts a node between each group's sectors and the sink, so a group's
        learners have a room of their own. Leximin's ties use both (``network.py``)."""
        self.inst = inst
        n_h = len(inst.heis)
        n_r = len(inst.request_left)
        n_p = len(inst.place_left)
        n_s = len(inst.sector_places)
        hg = np.zeros(n_h, np.int64) if hei_group is None else np.asarray(hei_group, np.int64)
        n_g = int(hg.max(initial=0)) + 1
        n_z = 0 if sector_group is None else int(np.max(sector_group, initial=-1)) + 1
        self.src = 0
        h0 = 1 + n_g
        r0 = h0 + n_h
        p0 = r0 + n_r
        s0 = p0 + n_p
        z0 = s0 + n_s
        self.sink = z0 + n_z
        self.hei_nodes = h0 + np.arange(n_h)
        self.sector_nodes = s0 + np.arange(n_s)
        self.n_nodes = self.sink + 1
        self.hei_left = np.bincount(
            inst.request_hei, weights=inst.request_left, minlength=n_h
        ).astype(np.int64)
        big = int(inst.request_left.sum()) + 1
        self.big = big
        m = len(inst.arc_request)
        into = np.full(n_s, self.sink) if sector_group is None else z0 + np.asarray(sector_group)
        tails = [
            np.zeros(n_h, np.int64),
            np.zeros(n_g, np.int64),
            1 + hg,
            h0 + inst.request_hei,
            r0 + inst.arc_request,
            p0 + np.arange(n_p),
            s0 + np.arange(n_s),
            z0 + np.arange(n_z),
        ]
        heads = [
            h0 + np.arange(n_h),
            1 + np.arange(n_g),
            h0 + np.arange(n_h),
            r0 + np.arange(n_r),
            p0 + inst.arc_place,
            s0 + inst.place_sector,
            into,
            np.full(n_z, self.sink),
        ]
        caps = [
            np.zeros(n_h, np.int64),
            np.full(n_g, big),
            self.hei_left,
            inst.request_left,
            inst.request_left[inst.arc_request],
            np.maximum(inst.place_left, 0),
            np.full(n_s, big),
            np.full(n_z, big),
        ]
        self.tails = np.concatenate(tails).astype(np.int32)
        self.heads = np.concatenate(heads).astype(np.int32)
        self.caps = np.concatenate(caps).astype(np.int64)
        self.costs = np.zeros(len(self.caps), np.int64)
        self._name_arcs([n_h, n_g, n_h, n_r, m, n_p, n_s, n_z])
        self._lay_out()

    def _name_arcs(self, sizes: list[int]) -> None:
        """Name the arc blocks built in ``__init__``'s order (each block's arc indices)."""
        starts = np.concatenate([[0], np.cumsum(sizes)])
        self.mand = np.arange(starts[0], starts[1])
        self.x_arcs = np.arange(starts[1], starts[2])
        self.opt = np.arange(starts[2], starts[3])
        self.req_arcs = np.arange(starts[3], starts[4])
        self.arcs = np.arange(starts[4], starts[5])
        self.sector_arcs = np.arange(starts[6], starts[7])
        self.group_arcs = np.arange(starts[7], starts[8])

    def _lay_out(self) -> None:
        """One CSR layout of the arcs for the max-flow solver, whose data is rewritten per
        probe: the arcs never change, only their capacities."""
        order = np.lexsort((self.heads, self.tails))
        self.position = np.empty(len(order), np.int64)
        self.position[order] = np.arange(len(order))
        self.indptr = np.concatenate(
            [[0], np.cumsum(np.bincount(self.tails, minlength=self.n_nodes))]
        )
        self.indices = self.heads[order].astype(np.int32)
        self.data = self.caps[order].astype(np.int32)
        self._flow: csr_array | None = None
        self.changed = np.concatenate(
            [self.mand, self.x_arcs, self.opt, self.sector_arcs, self.group_arcs]
        )

    def bound_caps(
        self,
        floor_left: np.ndarray,
        total: int,
        sector_cap: np.ndarray | None,
        tie: Tie | None = None,
    ) -> np.ndarray:
        """Capacities of the arcs a level's bounds change (``self.changed``), in that order.

        Without ``tie``: every HEI at least its floor, the rest of ``total`` shared. With it:
        each HEI between its floor and ``tie.upper``, each HEI group's room ``tie.room`` and
        each sector group's ``tie.sector_room``.
        """
        room = [total - int(floor_left.sum())] if tie is None else tie.room
        upper = self.hei_left if tie is None or tie.upper is None else tie.upper
        rest = np.full(len(self.group_arcs), self.big)
        if tie is not None and tie.sector_room is not None:
            rest = tie.sector_room
        return np.concatenate(
            [
                floor_left,
                room,
                upper - floor_left,
                np.full(len(self.sector_arcs), self.big) if sector_cap is None else sector_cap,
                rest,
            ]
        ).astype(np.int64)

    def set_bounds(
        self,
        floor_left: np.ndarray,
        total: int,
        sector_cap: np.ndarray | None,
        tie: Tie | None = None,
    ) -> None:
        self.caps[self.changed] = self.bound_caps(floor_left, total, sector_cap, tie)
        self.data[self.position[self.changed]] = self.caps[self.changed]

    def min_cut(self) -> tuple[int, np.ndarray]:
        """The minimum cut of the last max-flow solve, as a function of the bounds.

        Returns the capacity of the cut's arcs whose capacity the bounds never change, and a
        mask over ``self.changed`` of the changed arcs that cross the cut. The cut's capacity
        under any other bounds is then ``fixed + bound_caps(...)[crossing].sum()``: a valid
        upper bound on the max flow under those bounds (max flow <= any cut), which is what
        lets the fairness searches rule out many candidate ratios after one probe.
        """
        source_side = self.source_side()
        crossing = source_side[self.tails] & ~source_side[self.heads]
        fixed = crossing.copy()
        fixed[self.changed] = False
        return int(self.caps[fixed].sum()), crossing[self.changed]

    def source_side(self) -> np.ndarray:
        """Mask of the nodes reachable from the source in the last max flow's residual
        network: the source side of a minimum cut."""
        assert self._flow is not None
        caps = csr_array((self.data, self.indices, self.indptr), shape=(self.n_nodes,) * 2)
        residual = (caps - self._flow).tocsr()
        residual.data = (residual.data > 0).astype(np.int8)
        residual.eliminate_zeros()
        reached = breadth_first_order(residual, self.src, directed=True, return_predecessors=False)
        side = np.zeros(self.n_nodes, bool)
        side[reached] = True
        return side

    def max_flow(self) -> int:
        graph = csr_array(
            (self.data, self.indices, self.indptr), shape=(self.n_nodes, self.n_nodes)
        )
        result = maximum_flow(graph, self.src, self.sink, method="dinic")
        self._flow = result.flow
        return int(result.flow_value)

    def flows(self, arcs: np.ndarray) -> np.ndarray:
        """Flow on the given arcs in the last max-flow solve."""
        assert self._flow is not None
        f = self._flow.tocsr()
        f.sort_indices()
        rows = np.repeat(np.arange(self.n_nodes, dtype=np.int64), np.diff(f.indptr))
        keys = rows * self.n_nodes + f.indices
        want = self.tails[arcs].astype(np.int64) * self.n_nodes + self.heads[arcs]
        at = np.searchsorted(keys, want)
        return np.asarray(f.data[at], dtype=np.int64)


def min_cost_flow(
    net: FlowNetwork, inst: Instance, total: int, travel: bool, *, stay: bool
) -> np.ndarray:
    """Min-cost flow of value ``total`` with the bounds currently set on ``net``."""
    tails, heads, caps = net.tails, net.heads, net.caps
    costs = np.zeros(len(caps), np.int64)
    used = np.empty(0, np.int64)
    if not stay:
        costs[net.arcs] = inst.arc_cost
    else:
        # kept learners (up to the previous plan's count on the arc) cost only their travel;
        # every other learner costs W more, W larger than any possible total travel, so the
        # number of moved learners is minimised first and travel second
        assert inst.arc_previous is not None
        km = (
            np.rint(np.nan_to_num(inst.arc_km)).astype(np.int64)
            if travel
            else np.zeros(len(inst.arc_km), np.int64)
        )
        w = int(km.max(initial=0)) * int(inst.request_left.sum()) + 1
        costs[net.arcs] = w + km
        prev = np.minimum(inst.arc_previous, caps[net.arcs])
        used = np.flatnonzero(prev > 0)
        tails = np.concatenate([tails, tails[net.arcs[used]]])
        heads = np.concatenate([heads, heads[net.arcs[used]]])
        caps = np.concatenate([caps, prev[used]])
        costs = np.concatenate([costs, km[used]])
    supplies = np.zeros(net.n_nodes, np.int64)
    supplies[net.src] = total
    supplies[net.sink] = -total
    flow_all = solve_min_cost(tails, heads, caps, costs, supplies)
    flow = flow_all[net.arcs]
    if stay:
        flow[used] += flow_all[len(net.caps) :]
    return flow


def solve_min_cost(
    tails: np.ndarray, heads: np.ndarray, caps: np.ndarray, costs: np.ndarray, supplies: np.ndarray
) -> np.ndarray:
    """The flow per arc of a min-cost flow meeting ``supplies`` (LEMON's network simplex via
    pylmcf, which wants arcs sorted by tail, then head). Raises RuntimeError when infeasible."""
    order = np.lexsort((heads, tails))
    graph = pylmcf.Graph(
        len(supplies), tails[order].astype(np.int32), heads[order].astype(np.int32)
    )
    graph.set_edge_capacities(caps[order].astype(np.int64))
    graph.set_edge_costs(costs[order].astype(np.int64))
    graph.set_node_supply(supplies.astype(np.int64))
    graph.solve()
    flow = np.empty(len(order), np.int64)
    flow[order] = np.asarray(graph.result(), dtype=np.int64)
    return flow
