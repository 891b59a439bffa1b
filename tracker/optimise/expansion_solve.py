"""The cheapest expansion's integer programme (HiGHS) and its maximum flows (SciPy).

Level 1 (most learners placed) is a maximum flow: every setting at its most supervisors.
Level 2 (cheapest supervisors placing them) is a MILP in which only the supervisors are
integers. The learners on arcs may be continuous: once supervisors are whole, every place's
capacity is a whole number (``places + L * y`` with whole ``L``; where ``L`` is fractional a
whole ``z <= L * y`` of added places per row stands between), and a flow network with whole
capacities has a whole maximum flow. So no integer learner variable is needed, which keeps a
region's million arcs continuous; the whole flow is then recomputed on the chosen capacity.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

import highspy
import numpy as np
import scipy.sparse as sp
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components, maximum_flow

if TYPE_CHECKING:
    from tracker.optimise.expansion import ExpansionNetwork

ExpansionStatus = Literal["optimal", "time_limit"]
TOLERANCE = 1e-9  # L * y computed in floating point: 3 * 0.1 must still give 0.3 places


@dataclass(frozen=True)
class ExpansionSolution:
    status: ExpansionStatus
    flow: np.ndarray  # learners per arc, whole
    added: np.ndarray  # supervisors added per setting


def place_capacity(net: ExpansionNetwork, added: np.ndarray) -> np.ndarray:
    """Places per capacity row with ``added`` supervisors per setting."""
    grown = np.floor(net.place_per_supervisor * added[net.place_setting] + TOLERANCE)
    capacity: np.ndarray = net.place_base + grown.astype(np.int64)
    return capacity


def max_flow(net: ExpansionNetwork, capacity: np.ndarray) -> tuple[int, np.ndarray]:
    """Most learners placed on these places, and a whole flow per arc that places them."""
    n_r, n_p = len(net.request_learners), len(net.place_base)
    source, sink = n_r + n_p, n_r + n_p + 1
    tails = np.concatenate([np.full(n_r, source), net.arc_request, n_r + np.arange(n_p)])
    heads = np.concatenate([np.arange(n_r), n_r + net.arc_place, np.full(n_p, sink)])
    caps = np.concatenate(
        [net.request_learners, net.request_learners[net.arc_request], np.maximum(capacity, 0)]
    )
    graph = csr_array((caps.astype(np.int32), (tails, heads)), shape=(sink + 1, sink + 1))
    result = maximum_flow(graph, source, sink)
    flow = np.asarray(result.flow[net.arc_request, n_r + net.arc_place]).astype(np.int64)
    return int(result.flow_value), np.maximum(flow, 0)


def _fractional(net: ExpansionNetwork) -> np.ndarray:
    """Capacity rows whose learners per supervisor is not a whole number."""
    per = net.place_per_supervisor
    return np.flatnonzero(np.abs(per - np.rint(per)) > TOLERANCE)


def _model(net: ExpansionNetwork, placed: int, uncapped: bool) -> highspy.HighsLp:
    """Columns: arcs (continuous), supervisors per setting, added places of the rows with a
    fractional L (both whole). Rows: requests, places, the fractional rows' ``z <= L * y``,
    and (with a cap) the learners level 1 placed."""
    n_a, n_s = len(net.arc_request), len(net.setting_upper)
    n_r, n_p = len(net.request_learners), len(net.place_base)
    frac = _fractional(net)
    n_z = len(frac)
    whole = np.setdiff1d(np.arange(n_p), frac)
    z_upper = np.floor(net.place_per_supervisor[frac] * net.setting_upper[net.place_setting[frac]])
    entries = [
        (net.arc_request, np.arange(n_a), np.ones(n_a)),  # request size
        (n_r + net.arc_place, np.arange(n_a), np.ones(n_a)),  # supervisor capacity
        (n_r + whole, n_a + net.place_setting[whole], -net.place_per_supervisor[whole]),
        (n_r + frac, n_a + n_s + np.arange(n_z), -np.ones(n_z)),
        (n_r + n_p + np.arange(n_z), n_a + n_s + np.arange(n_z), np.ones(n_z)),
        (
            n_r + n_p + np.arange(n_z),
            n_a + net.place_setting[frac],
            -net.place_per_supervisor[frac],
        ),
    ]
    lower = np.full(n_r + n_p + n_z, -highspy.kHighsInf)
    upper = np.concatenate([net.request_learners, net.place_base, np.zeros(n_z)]) + TOLERANCE
    if uncapped:  # every learner with an arc is placed: request rows become equalities
        reached = np.bincount(net.arc_request, minlength=n_r) > 0
        lower[:n_r] = np.where(reached, net.request_learners - TOLERANCE, -highspy.kHighsInf)
    else:
        entries.append((np.full(n_a, n_r + n_p + n_z), np.arange(n_a), np.ones(n_a)))
        lower = np.append(lower, placed - 0.5)
        upper = np.append(upper, highspy.kHighsInf)
    rows, cols, vals = (np.concatenate(part) for part in zip(*entries, strict=True))
    n_col = n_a + n_s + n_z
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(len(lower), n_col))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_col, len(lower)
    lp.col_cost_ = np.concatenate([np.zeros(n_a), net.setting_cost, np.zeros(n_z)])
    lp.col_lower_ = np.zeros(n_col)
    lp.col_upper_ = np.concatenate(
        [net.request_learners[net.arc_request], net.setting_upper, z_upper]
    ).astype(float)
    lp.row_lower_, lp.row_upper_ = lower, upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(float)
    kinds = [highspy.HighsVarType.kContinuous] * n_a + [highspy.HighsVarType.kInteger] * (n_s + n_z)
    lp.integrality_ = kinds
    return lp


def solve_expansion(
    net: ExpansionNetwork, *, uncapped: bool, time_limit_s: float | None = None
) -> ExpansionSolution:
    """Most learners placed, then the cheapest supervisors that place them, both exact.

    Parts of the network that share no setting and no request kind (profession groups, far
    apart areas) are independent: their optima add up, so each is solved on its own, which
    is much faster than one integer programme over all of them."""
    t0 = time.perf_counter()
    flow = np.zeros(len(net.arc_request), np.int64)
    added = np.zeros(len(net.setting_upper), np.int64)
    optimal = True
    for arcs, places, settings in _parts(net):
        part = _sub_network(net, arcs, places, settings)
        left = None if time_limit_s is None else max(time_limit_s - (time.perf_counter() - t0), 1)
        solved = _solve_part(part, uncapped=uncapped, time_limit_s=left)
        flow[arcs], added[settings] = solved.flow, solved.added
        optimal &= solved.status == "optimal"
    return ExpansionSolution("optimal" if optimal else "time_limit", flow, added)


def _parts(net: ExpansionNetwork) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(arcs, places, settings) of each part linked by arcs and settings, with any arc."""
    n_k, n_p = len(net.request_learners), len(net.place_base)
    n = n_k + n_p + len(net.setting_upper)
    tails = np.concatenate([net.arc_request, n_k + np.arange(n_p)])
    heads = np.concatenate([n_k + net.arc_place, n_k + n_p + net.place_setting])
    links = csr_array((np.ones(len(tails), np.int8), (tails, heads)), shape=(n, n))
    _, label = connected_components(links, directed=False)
    arc_label = label[net.arc_request]
    out = []
    for piece in np.unique(arc_label):
        nodes = np.flatnonzero(label == piece)
        places = nodes[(nodes >= n_k) & (nodes < n_k + n_p)] - n_k
        settings = nodes[nodes >= n_k + n_p] - n_k - n_p
        out.append((np.flatnonzero(arc_label == piece), places, settings))
    return out


def _sub_network(
    net: ExpansionNetwork, arcs: np.ndarray, places: np.ndarray, settings: np.ndarray
) -> ExpansionNetwork:
    """The part of ``net`` on these arcs, places and settings, renumbered from 0."""
    kinds = np.unique(net.arc_request[arcs])
    return replace(
        net,
        arc_request=np.searchsorted(kinds, net.arc_request[arcs]),
        arc_place=np.searchsorted(places, net.arc_place[arcs]),
        request_learners=net.request_learners[kinds],
        place_base=net.place_base[places],
        place_per_supervisor=net.place_per_supervisor[places],
        place_setting=np.searchsorted(settings, net.place_setting[places]),
        setting_cost=net.setting_cost[settings],
        setting_upper=net.setting_upper[settings],
    )


def _solve_part(
    net: ExpansionNetwork, *, uncapped: bool, time_limit_s: float | None
) -> ExpansionSolution:
    """Both levels on one independent part of the network."""
    n_a, n_s = len(net.arc_request), len(net.setting_upper)
    placed, start_flow = max_flow(net, place_capacity(net, net.setting_upper))
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-6)
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    h.passModel(_model(net, placed, uncapped))
    # every setting at its most supervisors places them all: a plan to improve on, so a
    # time limit always leaves a plan that works
    z_start = (place_capacity(net, net.setting_upper) - net.place_base)[_fractional(net)]
    start = highspy.HighsSolution()
    start.col_value = np.concatenate([start_flow, net.setting_upper, z_start]).astype(float)
    start.value_valid = True
    h.setSolution(start)
    h.run()
    status = h.getModelStatus()
    optimal = status == highspy.HighsModelStatus.kOptimal
    if not optimal and status != highspy.HighsModelStatus.kTimeLimit:
        raise RuntimeError(f"HiGHS status {h.modelStatusToString(status)}")
    values = np.asarray(h.getSolution().col_value, float)
    added = np.rint(values[n_a : n_a + n_s]).astype(np.int64)
    reached, flow = max_flow(net, place_capacity(net, added))
    if reached < placed:  # only a numerical slip could do this: keep the plan that works
        added, flow, optimal = net.setting_upper.copy(), start_flow, False
    return ExpansionSolution("optimal" if optimal else "time_limit", flow, added)
