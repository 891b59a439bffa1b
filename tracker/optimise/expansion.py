"""Cheapest expansion: the fewest (or cheapest) extra practice supervisors, and where, so that
the allocator's own rules can host every requested learner who can be hosted at all.

Planners ask "where would the placements for the planned growth come from?" The bottleneck
table answers one place at a time; this answers for the whole plan at once. It is an integer
programme on the allocator's network (the arcs of ``arcs.build_instance``: active setting,
programme hosted, required sector, distance limit) with one expansion variable per setting:

* ``f[a]``: learners on arc ``a`` (request -> place, a place being a setting in a block),
  integer, at most the request's learners;
* ``y[s]``: supervisors added at setting ``s``, integer, at most the cap per setting. A
  supervisor is a person at the setting, there in every block it offers, so one added
  supervisor adds ``learners_per_supervisor`` places to each of the setting's capacity rows;
* request size: ``sum f[a] over the request's arcs <= learners``;
* supervisor capacity: ``sum f[a] over the place's arcs - L_p * y[s] <= places today``
  (``f`` is integral, so this is ``places today + floor(L_p * y[s])``).

Level 1 maximises the learners placed (with no cap: every learner with an arc at all), level 2
keeps that and minimises ``sum cost[sector(s)] * y[s]``. With ``L > 1`` the relaxation is not
integral (half a supervisor would do), so both levels are solved exactly by HiGHS as MILPs.
Pure: DataFrames in, DataFrames out; see docs/optimiser.md, "Cheapest expansion".
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from tracker.optimise.arcs import build_instance, empty_place_arcs
from tracker.optimise.expansion_tables import (
    expanded_capacity,
    places_table,
    settings_table,
    unplaced_table,
)
from tracker.optimise.model import SECTORS, AllocationProblem, InputError, Policy, Problem
from tracker.optimise.validate import validate

ExpansionStatus = Literal["optimal", "time_limit"]
_TOLERANCE = 1e-9  # L * y computed in floating point: 3 * 0.1 must still give 0.3 places


@dataclass(frozen=True)
class ExpansionOptions:
    """What an added supervisor costs and how many a setting can take.

    ``cost_per_supervisor`` maps a sector code to a positive cost (missing sectors cost 1, so
    by default the plan is the fewest supervisors); ``max_added_per_setting`` caps the
    supervisors added at any one setting (None: no cap); rows whose learners per supervisor
    the capacity table does not give take ``default_learners_per_supervisor``.
    """

    cost_per_supervisor: Mapping[str, float] = field(default_factory=dict)
    max_added_per_setting: int | None = None
    default_learners_per_supervisor: float = 1.0
    time_limit_s: float | None = None

    def __post_init__(self) -> None:
        problems = [
            Problem("expansion", None, "cost_per_supervisor", sector, message)
            for sector, cost in self.cost_per_supervisor.items()
            for message in _cost_problems(sector, cost)
        ]
        cap = self.max_added_per_setting
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 0):
            problems.append(
                Problem("expansion", None, "max_added_per_setting", cap, "must be a whole number")
            )
        per = self.default_learners_per_supervisor
        if not (isinstance(per, int | float) and math.isfinite(per) and per > 0):
            problems.append(
                Problem(
                    "expansion", None, "default_learners_per_supervisor", per, "must be positive"
                )
            )
        if problems:
            raise InputError(problems)

    def cost(self, sector: str) -> float:
        return float(self.cost_per_supervisor.get(sector, 1.0))


def _cost_problems(sector: str, cost: object) -> list[str]:
    """Why a cost entry cannot be used: a zero cost would let the plan add useless supervisors."""
    out = []
    if sector not in SECTORS:
        out.append(f"unknown sector; known sectors are {', '.join(SECTORS)}")
    if isinstance(cost, bool) or not isinstance(cost, int | float) or not (0 < cost < math.inf):
        out.append("the cost per supervisor must be a positive number")
    return out


@dataclass(frozen=True)
class ExpansionPlan:
    """Where to add supervisors, what it opens, and who still cannot be placed.

    ``settings``: one row per setting that gains supervisors (see ``SETTING_COLUMNS``);
    ``places``: one row per capacity row that gains places; ``unplaced``: requests some of
    whose learners no expansion (within the caps) can place, with the reason; ``capacity``:
    the allocator's capacity table after the expansion (``setting_id, block, places``), on
    which ``allocate`` places ``placeable`` learners.
    """

    status: ExpansionStatus
    settings: pd.DataFrame
    places: pd.DataFrame
    unplaced: pd.DataFrame
    capacity: pd.DataFrame
    requested: int
    placeable: int
    supervisors_added: int
    cost: float
    seconds: float


@dataclass(frozen=True)
class ExpansionNetwork:
    """The allocator's arcs, with every active capacity row (even those with no places today)
    open to expansion through its setting's supervisors."""

    arc_request: np.ndarray
    arc_place: np.ndarray
    request_learners: np.ndarray
    place_base: np.ndarray  # places today, 0 at inactive settings
    place_per_supervisor: np.ndarray  # L_p: places one more supervisor adds to the row
    place_setting: np.ndarray  # index into the settings table
    setting_cost: np.ndarray
    setting_upper: np.ndarray  # most supervisors worth adding (the cap, or what reach needs)


def learners_per_supervisor(
    problem: AllocationProblem, capacity: pd.DataFrame, default: float
) -> np.ndarray:
    """Places one more supervisor adds to each capacity row: the validated figure, else the
    raw table's (the registers give it beside ``places``, which validation then reads
    alone), else ``default``."""
    per = problem.capacity["learners_per_supervisor"].to_numpy(dtype=float)
    if "learners_per_supervisor" in capacity.columns:
        raw = pd.to_numeric(capacity["learners_per_supervisor"], errors="coerce").to_numpy(float)
        per = np.where(np.isnan(per) & (raw > 0), raw, per)
    return np.where(np.isnan(per), default, per)


def expansion_network(
    problem: AllocationProblem, options: ExpansionOptions, per_supervisor: np.ndarray
) -> ExpansionNetwork:
    """Arcs to open places (as the allocator builds them) and to active rows with none yet."""
    inst = build_instance(problem)
    empty_r, empty_p = empty_place_arcs(problem)
    arc_r = np.concatenate([inst.arc_request, empty_r])
    arc_p = np.concatenate([inst.arc_place, empty_p])
    settings, capacity = problem.settings, problem.capacity
    position = pd.Series(np.arange(len(settings)), index=settings["setting_id"].to_numpy())
    place_setting = position.loc[capacity["setting_id"].to_numpy()].to_numpy().astype(np.int64)
    per = per_supervisor
    learners = inst.request_left
    reach = np.bincount(arc_p, weights=learners[arc_r], minlength=len(capacity))
    need = np.maximum(reach - inst.place_left, 0)
    wanted = np.ceil(need / per - _TOLERANCE).astype(np.int64)
    upper = np.zeros(len(settings), np.int64)
    np.maximum.at(upper, place_setting, wanted)
    if options.max_added_per_setting is not None:
        upper = np.minimum(upper, options.max_added_per_setting)
    return ExpansionNetwork(
        arc_request=arc_r,
        arc_place=arc_p,
        request_learners=learners,
        place_base=inst.place_left,
        place_per_supervisor=per,
        place_setting=place_setting,
        setting_cost=np.array([options.cost(s) for s in settings["sector"]], float),
        setting_upper=upper,
    )


@dataclass(frozen=True)
class ExpansionSolution:
    status: ExpansionStatus
    flow: np.ndarray  # learners per arc
    added: np.ndarray  # supervisors added per setting


def _model(net: ExpansionNetwork) -> highspy.HighsLp:
    """Columns: arcs, then one per setting; rows: requests, then places."""
    n_a, n_s = len(net.arc_request), len(net.setting_upper)
    n_r, n_p = len(net.request_learners), len(net.place_base)
    arcs = np.arange(n_a)
    places = np.arange(n_p)
    matrix = sp.csc_matrix(
        (
            np.concatenate([np.ones(2 * n_a), -net.place_per_supervisor]),
            (
                np.concatenate([net.arc_request, n_r + net.arc_place, n_r + places]),
                np.concatenate([arcs, arcs, n_a + net.place_setting]),
            ),
        ),
        shape=(n_r + n_p, n_a + n_s),
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_a + n_s, n_r + n_p
    lp.col_cost_ = np.zeros(n_a + n_s)
    lp.col_lower_ = np.zeros(n_a + n_s)
    upper = np.concatenate([net.request_learners[net.arc_request], net.setting_upper])
    lp.col_upper_ = upper.astype(float)
    lp.row_lower_ = np.full(n_r + n_p, -highspy.kHighsInf)
    lp.row_upper_ = np.concatenate([net.request_learners, net.place_base]) + _TOLERANCE
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * (n_a + n_s)
    return lp


def _run(h: highspy.Highs) -> tuple[bool, np.ndarray]:
    """Solve; (proven optimal, column values). A time limit keeps the best plan found."""
    h.run()
    status = h.getModelStatus()
    optimal = status == highspy.HighsModelStatus.kOptimal
    if not optimal and (
        status != highspy.HighsModelStatus.kTimeLimit or h.getInfo().primal_solution_status != 2
    ):
        raise RuntimeError(f"HiGHS status {h.modelStatusToString(status)}")
    return optimal, np.rint(np.asarray(h.getSolution().col_value, float)).astype(np.int64)


def solve_expansion(
    net: ExpansionNetwork, *, time_limit_s: float | None = None
) -> ExpansionSolution:
    """Most learners placed, then the cheapest supervisors that place them, both exact."""
    n_a, n_s = len(net.arc_request), len(net.setting_upper)
    if n_a == 0:
        return ExpansionSolution("optimal", np.zeros(0, np.int64), np.zeros(n_s, np.int64))
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-6)
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    h.passModel(_model(net))
    columns = np.arange(n_a + n_s, dtype=np.int32)
    h.changeColsCost(n_a + n_s, columns, np.concatenate([-np.ones(n_a), np.zeros(n_s)]))
    first_optimal, x = _run(h)
    placed = float(x[:n_a].sum())
    # level 2: keep every learner level 1 placed, then pay as little as possible for it
    h.addRow(placed - 0.5, highspy.kHighsInf, n_a, np.arange(n_a, dtype=np.int32), np.ones(n_a))
    h.changeColsCost(n_a + n_s, columns, np.concatenate([np.zeros(n_a), net.setting_cost]))
    second_optimal, x = _run(h)
    status: ExpansionStatus = "optimal" if first_optimal and second_optimal else "time_limit"
    return ExpansionSolution(status, x[:n_a], x[n_a:])


def cheapest_expansion(
    settings: pd.DataFrame,
    capacity: pd.DataFrame,
    demand: pd.DataFrame,
    policy: Policy | None = None,
    *,
    options: ExpansionOptions | None = None,
) -> ExpansionPlan:
    """The fewest (or cheapest) supervisors to add, and where, so that ``allocate`` with
    ``policy`` (its distance limit) places every learner any expansion could place.

    Takes the allocator's three tables; raises ``InputError`` on input it cannot read and
    on capacity by date range (expansion is by block).
    """
    t0 = time.perf_counter()
    options = options or ExpansionOptions()
    problem = validate(settings, capacity, demand, policy)
    if problem.calendar:
        raise InputError(
            [Problem("capacity", None, "start_date", None, "cheapest expansion needs blocks")]
        )
    per = learners_per_supervisor(
        problem, capacity.reset_index(drop=True), options.default_learners_per_supervisor
    )
    net = expansion_network(problem, options, per)
    solution = solve_expansion(net, time_limit_s=options.time_limit_s)
    added_places = np.floor(
        net.place_per_supervisor * solution.added[net.place_setting] + _TOLERANCE
    ).astype(np.int64)
    placed_at = np.bincount(net.arc_place, weights=solution.flow, minlength=len(net.place_base))
    placed_r = np.bincount(
        net.arc_request, weights=solution.flow, minlength=len(net.request_learners)
    )
    places = places_table(problem, (net.place_base, per), added_places, placed_at.astype(np.int64))
    return ExpansionPlan(
        status=solution.status,
        settings=settings_table(problem, places, solution.added, net.setting_cost),
        places=places[places["places_added"] > 0].reset_index(drop=True),
        unplaced=unplaced_table(
            problem,
            placed_r.astype(np.int64),
            np.bincount(net.arc_request, minlength=len(net.request_learners)) > 0,
            options.max_added_per_setting,
        ),
        capacity=expanded_capacity(problem, added_places),
        requested=int(net.request_learners.sum()),
        placeable=int(placed_r.sum()),
        supervisors_added=int(solution.added.sum()),
        cost=float(solution.added @ net.setting_cost),
        seconds=time.perf_counter() - t0,
    )
