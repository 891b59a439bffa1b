"""Where one, two or five more supervisors would place more learners, and exactly how many.

A coordinator asks "where should we recruit supervisors?" The answer is exact here because
the plan's total is a maximum flow (level 1) and the later levels never change it. Give a
full place ``p`` (a setting in a block) ``k`` more supervisors, ``k * L`` more places with
``L`` learners per supervisor, and re-run: the new total is the old one plus the extra flow
that can reach the sink through ``p`` alone. In the plan's residual network no augmenting
path exists, so every new one ends with ``p -> sink``; the gain is therefore
``min(k * L, M_p)``, where ``M_p`` is the maximum flow from the source to ``p`` in the residual
network (unmet requests feed it; learners already placed can move along residual arcs to
make room). One max flow per place, on its component of the network, gives ``M_p``, and
with it the gains for every ``k`` and the supervisors that would place them all,
``ceil(M_p / L)``.

At most ``BOTTLENECK_LIMIT`` places are solved (a region has thousands in reach; the ones
with the most unmet learners who could go there directly come first, since that is a lower
bound on ``M_p``); every figure shown is exact.

Only places reached from unmet demand in the residual network can gain; they are all full,
or have no places yet (an active setting with no supervisors in that block: one would open
places there, so its arcs, which the solvers leave out, are added here).
``L`` is the row's ``learners_per_supervisor``, given with its supervisors or beside its
places (as the app's rows are); only where a row gives places with no ratio are the gains per
extra place and ``supervisors_to_add`` left empty.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import csr_array
from scipy.sparse.csgraph import breadth_first_order, connected_components, maximum_flow

from tracker.optimise.arcs import Instance, empty_place_arcs
from tracker.optimise.model import AllocationProblem

EXTRA_SUPERVISORS = (1, 2, 5)
# places solved exactly per plan: a max flow each, on its component (about 0.3 ms at an ICS,
# 4 ms at a region); the rest are ranked lower by a bound that needs no solve
BOTTLENECK_LIMIT = 100
BOTTLENECK_COLUMNS = [
    "setting_id",
    "block",
    "sector",
    "places",
    "placed",
    "learners_per_supervisor",
    *(f"extra_with_{k}" for k in EXTRA_SUPERVISORS),
    "unmet_in_reach",
    "supervisors_to_add",
]


def _residual(
    inst: Instance, flow: np.ndarray, unmet_r: np.ndarray, empty: tuple[np.ndarray, np.ndarray]
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], int, int]:
    """Residual arcs of the plan as (tails, heads, caps), nodes: requests, places, source.
    ``empty`` are the arcs to places with none today, which the solvers left out."""
    n_r, n_p = len(inst.request_left), len(inst.place_left)
    src = n_r + n_p
    arc_r = np.concatenate([inst.arc_request, empty[0]])
    arc_p = np.concatenate([inst.arc_place, empty[1]])
    flow = np.concatenate([flow, np.zeros(len(empty[0]), np.int64)])
    spare = inst.request_left[arc_r] - flow
    fwd = spare > 0
    back = flow > 0
    starts = np.flatnonzero(unmet_r > 0)
    tails = np.concatenate([np.full(len(starts), src), arc_r[fwd], n_r + arc_p[back]])
    heads = np.concatenate([starts, n_r + arc_p[fwd], arc_r[back]])
    caps = np.concatenate([unmet_r[starts], spare[fwd], flow[back]])
    return (tails, heads, caps), src, n_r


def reach_of_places(
    problem: AllocationProblem, inst: Instance, flow: np.ndarray, limit: int = BOTTLENECK_LIMIT
) -> tuple[np.ndarray, np.ndarray]:
    """``M_p`` (learners more places at ``p`` would place, exact) for the full places in
    reach of unmet demand; at most ``limit`` of them, those with the most unmet learners who
    could go there directly (a lower bound on ``M_p`` that needs no solve), weighted by the
    learners a supervisor takes there. Returns (place indices, M_p)."""
    n_r = len(inst.request_left)
    placed_r = np.bincount(inst.arc_request, weights=flow, minlength=n_r).astype(np.int64)
    unmet_r = inst.request_left - placed_r
    if not (unmet_r > 0).any() or len(flow) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    empty = empty_place_arcs(problem)
    (tails, heads, caps), src, p0 = _residual(inst, flow, unmet_r, empty)
    n = src + 1
    reach_graph = csr_array((np.ones(len(tails), np.int8), (tails, heads)), shape=(n, n))
    reached = breadth_first_order(reach_graph, src, directed=True, return_predecessors=False)
    places = np.sort(reached[(reached >= p0) & (reached < src)]) - p0
    places = _most_promising(problem, inst, unmet_r, empty, places, limit)
    gains = np.zeros(len(places), np.int64)
    if len(places) == 0:
        return places, gains
    # flow to a place stays in its part of the network (blocks never mix), so each max flow
    # runs on its component alone: an order of magnitude faster on a system's instance
    graph = csr_array((caps.astype(np.int32), (tails, heads)), shape=(n, n))
    inner = tails != src
    links = csr_array((np.ones(inner.sum(), np.int8), (tails[inner], heads[inner])), shape=(n, n))
    _, part = connected_components(links, directed=False)
    for piece in np.unique(part[p0 + places]):
        nodes = np.append(np.flatnonzero(part == piece), src)
        sub = graph[nodes][:, nodes].tocsr()
        local = np.searchsorted(nodes[:-1], p0 + places)
        for i in np.flatnonzero(part[p0 + places] == piece):  # ascending, as ``local``
            gains[i] = maximum_flow(sub, len(nodes) - 1, int(local[i])).flow_value
    return places, gains


def _most_promising(
    problem: AllocationProblem,
    inst: Instance,
    unmet_r: np.ndarray,
    empty: tuple[np.ndarray, np.ndarray],
    places: np.ndarray,
    limit: int,
) -> np.ndarray:
    """The ``limit`` places whose direct lower bound on five more supervisors' gain is
    highest (then most learners waiting directly, then capacity row order), sorted."""
    if len(places) <= limit:
        return places
    arc_r = np.concatenate([inst.arc_request, empty[0]])
    arc_p = np.concatenate([inst.arc_place, empty[1]])
    waiting = unmet_r[arc_r] > 0
    direct = np.zeros(len(inst.place_left), np.int64)
    np.add.at(direct, arc_p[waiting], unmet_r[arc_r[waiting]])
    lps = problem.capacity["learners_per_supervisor"].to_numpy(dtype=float)
    per_supervisor = np.where(np.isnan(lps), 1.0, lps)[places]
    d = direct[places]
    order = np.lexsort((places, -d, -np.minimum(5 * per_supervisor, d)))
    return np.sort(places[order[:limit]])


def bottlenecks_table(
    problem: AllocationProblem, inst: Instance, flow: np.ndarray, limit: int = BOTTLENECK_LIMIT
) -> pd.DataFrame:
    """Full places where more supervisors would place more learners, most gained first."""
    places, reach = reach_of_places(problem, inst, flow, limit)
    if len(places) == 0:
        return pd.DataFrame({col: pd.Series(dtype="object") for col in BOTTLENECK_COLUMNS})
    n_p = len(inst.place_left)
    c = problem.capacity
    sector = problem.settings.set_index("setting_id")["sector"]
    used = np.bincount(inst.arc_place, weights=flow, minlength=n_p).astype(np.int64)
    pinned = np.bincount(
        inst.pinned["place"].to_numpy(dtype=np.int64),
        weights=inst.pinned["learners"].to_numpy(),
        minlength=n_p,
    ).astype(np.int64)
    lps = c["learners_per_supervisor"].to_numpy(dtype=float)[places]
    per_supervisor = np.where(np.isnan(lps), 1.0, lps)
    ids = c["setting_id"].to_numpy()[places]
    table = pd.DataFrame(
        {
            "setting_id": ids,
            "block": c["block"].to_numpy()[places],
            "sector": sector.loc[ids].to_numpy(),
            "places": c["places"].to_numpy()[places],
            "placed": used[places] + pinned[places],
            "learners_per_supervisor": lps,
            **{
                f"extra_with_{k}": np.minimum(k * per_supervisor, reach).astype(np.int64)
                for k in EXTRA_SUPERVISORS
            },
            "unmet_in_reach": reach,
            "supervisors_to_add": np.where(np.isnan(lps), np.nan, np.ceil(reach / per_supervisor)),
        }
    )
    table = table[table["unmet_in_reach"] > 0]
    return table.sort_values(
        ["extra_with_1", "unmet_in_reach", "setting_id", "block"],
        ascending=[False, False, True, True],
        ignore_index=True,
    )
