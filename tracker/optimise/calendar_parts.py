"""Independent parts of a calendar instance, and level 1 solved part by part.

Two arcs are coupled only through a row they share: a request's row (its learners) or a
capacity row (a setting on a check day). The connected components of the graph arcs - rows
split the constraint matrix into blocks, so "most learners placed" is the sum of each part's
own optimum and each part can be proven on its own, in a model a fraction of the size.

A part in which no arc lies in two capacity rows (every request's range at a setting
coincides with one elementary interval, as when ranges equal their block's dates) has one
request row and at most one capacity row per column: the incidence matrix of a bipartite
graph, totally unimodular, so its LP relaxation has integral vertices and the LP is the
exact MILP. Such parts are solved as LPs (the network structure of the block engine).
Each part starts from the greedy plan below.

The fairness levels do not split: an HEI's fill and a sector's utilisation add up arcs of
every part, and the leximin rows compare them across parts. They, and least travel after
them (its rows are the fairness rows too), are solved on the whole model, with each part's
level-1 optimum as a row of its own: exact, since no part can fall below its own maximum
while the total stays at the sum of the maxima.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from tracker.optimise.calendar_instance import CalendarInstance


@dataclass(frozen=True)
class Part:
    """One independent part: its arcs (indices into the whole instance) and whether its
    capacity rows make a network (no arc in two of them)."""

    arcs: np.ndarray
    network: bool


def parts(inst: CalendarInstance) -> list[Part]:
    """The connected components of arcs, request rows and capacity rows, largest first."""
    n, n_req, n_rows = len(inst.arc_request), len(inst.request_learners), len(inst.row_places)
    if n == 0:
        return []
    row_of_nnz = np.repeat(np.arange(n_rows), np.diff(inst.row_indptr))
    i = np.r_[np.arange(n), inst.row_arcs]
    j = np.r_[n + inst.arc_request, n + n_req + row_of_nnz]
    size = n + n_req + n_rows
    graph = coo_matrix((np.ones(len(i), np.int8), (i, j)), shape=(size, size))
    _, label = connected_components(graph, directed=False)
    rows_per_arc = np.bincount(inst.row_arcs, minlength=n)
    arc_label = label[:n]
    order = np.argsort(arc_label, kind="stable")
    bounds = np.flatnonzero(np.diff(arc_label[order])) + 1
    out = [Part(arcs, bool((rows_per_arc[arcs] <= 1).all())) for arcs in np.split(order, bounds)]
    return sorted(out, key=lambda p: -len(p.arcs))


def restrict(inst: CalendarInstance, arcs: np.ndarray) -> CalendarInstance:
    """The instance on ``arcs`` only (a part): its capacity rows renumbered onto them."""
    new = np.full(len(inst.arc_request), -1)
    new[arcs] = np.arange(len(arcs))
    row_of_nnz = np.repeat(np.arange(len(inst.row_places)), np.diff(inst.row_indptr))
    keep_nnz = new[inst.row_arcs] >= 0
    rows = np.unique(row_of_nnz[keep_nnz])
    counts = np.bincount(row_of_nnz[keep_nnz], minlength=len(inst.row_places))[rows]
    return dataclasses.replace(
        inst,
        arc_request=inst.arc_request[arcs],
        arc_setting=inst.arc_setting[arcs],
        arc_ub=inst.arc_ub[arcs],
        arc_km=inst.arc_km[arcs],
        arc_cost=inst.arc_cost[arcs],
        row_indptr=np.r_[0, np.cumsum(counts)].astype(np.int64),
        row_arcs=new[inst.row_arcs[keep_nnz]],
        row_places=inst.row_places[rows],
        row_setting=inst.row_setting[rows],
        row_day=inst.row_day[rows],
    )


def greedy_start(inst: CalendarInstance) -> np.ndarray:
    """A feasible plan to start level 1 from: requests in turn, nearest settings first, each
    taking what every day of its range still has."""
    rows_of_nnz = np.repeat(np.arange(len(inst.row_places)), np.diff(inst.row_indptr))
    by_arc = np.argsort(inst.row_arcs, kind="stable")
    arc_rows = rows_of_nnz[by_arc]
    arc_starts = np.searchsorted(inst.row_arcs[by_arc], np.arange(len(inst.arc_request) + 1))
    left = inst.row_places.astype(np.int64).copy()
    need = inst.request_learners.astype(np.int64).copy()
    x = np.zeros(len(inst.arc_request))
    km = np.nan_to_num(inst.arc_km, nan=0.0)
    for a in np.lexsort((km, inst.arc_request)):
        r = inst.arc_request[a]
        if need[r] <= 0:
            continue
        rows = arc_rows[arc_starts[a] : arc_starts[a + 1]]
        take = min(int(need[r]), int(inst.arc_ub[a]), int(left[rows].min(initial=need[r])))
        if take > 0:
            x[a] = take
            need[r] -= take
            left[rows] -= take
    return x
