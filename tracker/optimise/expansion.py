"""Cheapest expansion: the fewest (or cheapest) extra practice supervisors, and where, so that
the allocator's own rules can host every requested learner who can be hosted at all.

Planners ask "where would the placements for the planned growth come from?" The bottleneck
table answers one place at a time; this answers for the whole plan at once. It is an integer
programme on the allocator's network (the arcs of ``arcs.build_instance``: active setting,
programme hosted, required sector, distance limit) with one expansion variable per setting:

* ``f[a]``: learners on arc ``a`` (request -> place, a place being a setting in a block),
  at most the request's learners;
* ``y[s]``: supervisors added at setting ``s``, integer, at most the cap per setting. A
  supervisor is a person at the setting, there in every block it offers, so one added
  supervisor adds ``learners_per_supervisor`` places to each of the setting's capacity rows;
* request size: ``sum f[a] over the request's arcs <= learners``;
* supervisor capacity: ``sum f[a] over the place's arcs - L_p * y[s] <= places today``
  (with whole learners this is ``places today + floor(L_p * y[s])``).

Level 1 maximises the learners placed (with no cap: every learner with an arc at all), level 2
keeps that and minimises ``sum cost[sector(s)] * y[s]``. With ``L > 1`` the relaxation is not
integral (half a supervisor would do), so level 2 is solved exactly by HiGHS as a MILP
(``expansion_solve.py``: level 1 is a maximum flow, and once ``y`` is whole a whole flow
exists, so only ``y`` need be integer). Pure: DataFrames in, DataFrames out; see
docs/optimiser.md, "Cheapest expansion".
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tracker.optimise.arcs import build_instance, empty_place_arcs
from tracker.optimise.expansion_solve import (
    TOLERANCE,
    ExpansionStatus,
    place_capacity,
    solve_expansion,
)
from tracker.optimise.expansion_tables import (
    expanded_capacity,
    places_table,
    settings_table,
    unplaced_table,
)
from tracker.optimise.model import SECTORS, AllocationProblem, InputError, Policy, Problem
from tracker.optimise.validate import validate


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
    open to expansion through its setting's supervisors.

    Requests that may go to exactly the same places are one *kind* here (their learners are
    interchangeable for every rule left: request size and supervisor capacity), so arcs run
    from kinds to places: a region's requests come from a few campuses, and this cuts the
    arcs fifteen-fold without changing any answer. ``request_kind`` maps each request to its
    kind; ``arc_request`` and ``request_learners`` are per kind.
    """

    arc_request: np.ndarray
    arc_place: np.ndarray
    request_learners: np.ndarray
    request_kind: np.ndarray
    member_learners: np.ndarray  # learners per request
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
    kind, arc_r, arc_p = _kinds(arc_r, arc_p, len(inst.request_left))
    learners = np.bincount(kind, weights=inst.request_left).astype(np.int64)
    reach = np.bincount(arc_p, weights=learners[arc_r], minlength=len(capacity))
    need = np.maximum(reach - inst.place_left, 0)
    wanted = np.ceil(need / per - TOLERANCE).astype(np.int64)
    upper = np.zeros(len(settings), np.int64)
    np.maximum.at(upper, place_setting, wanted)
    if options.max_added_per_setting is not None:
        upper = np.minimum(upper, options.max_added_per_setting)
    return ExpansionNetwork(
        arc_request=arc_r,
        arc_place=arc_p,
        request_learners=learners,
        request_kind=kind,
        member_learners=inst.request_left,
        place_base=inst.place_left,
        place_per_supervisor=per,
        place_setting=place_setting,
        setting_cost=np.array([options.cost(s) for s in settings["sector"]], float),
        setting_upper=upper,
    )


def _kinds(
    arc_r: np.ndarray, arc_p: np.ndarray, n_requests: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each request's kind (requests with the same places share one), and the arcs of each
    kind once: (kind per request, arc kinds, arc places)."""
    order = np.lexsort((arc_p, arc_r))
    arc_r, arc_p = arc_r[order], arc_p[order]
    starts = np.searchsorted(arc_r, np.arange(n_requests + 1))
    first_of: dict[bytes, int] = {}
    kind = np.empty(n_requests, np.int64)
    for r in range(n_requests):
        kind[r] = first_of.setdefault(arc_p[starts[r] : starts[r + 1]].tobytes(), len(first_of))
    # the arcs of the first request of each kind stand for the kind
    leader = np.full(len(first_of), -1)
    for r in range(n_requests - 1, -1, -1):
        leader[kind[r]] = r
    keep = leader[kind[arc_r]] == arc_r
    return kind, kind[arc_r[keep]], arc_p[keep]


def _placed_per_request(net: ExpansionNetwork, placed_kind: np.ndarray) -> np.ndarray:
    """A kind's placed learners shared out over its requests, in request order (any order
    is a valid plan: the requests of a kind may go to the same places)."""
    learners = net.member_learners
    order = np.lexsort((np.arange(len(learners)), net.request_kind))  # by kind, then request
    kinds, counts = net.request_kind[order], learners[order]
    before = np.cumsum(counts) - counts
    first = np.searchsorted(kinds, kinds)  # where each kind's requests start in ``order``
    ahead = np.empty(len(learners), np.int64)
    ahead[order] = before - before[first]  # learners of the kind's earlier requests
    placed: np.ndarray = np.clip(placed_kind[net.request_kind] - ahead, 0, learners)
    return placed


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
    solution = solve_expansion(
        net, uncapped=options.max_added_per_setting is None, time_limit_s=options.time_limit_s
    )
    added_places = place_capacity(net, solution.added) - net.place_base
    placed_at = np.bincount(net.arc_place, weights=solution.flow, minlength=len(net.place_base))
    placed_kind = np.bincount(
        net.arc_request, weights=solution.flow, minlength=len(net.request_learners)
    ).astype(np.int64)
    placed_r = _placed_per_request(net, placed_kind)
    reached = np.bincount(net.arc_request, minlength=len(net.request_learners)) > 0
    places = places_table(problem, (net.place_base, per), added_places, placed_at.astype(np.int64))
    return ExpansionPlan(
        status=solution.status,
        settings=settings_table(problem, places, solution.added, net.setting_cost),
        places=places[places["places_added"] > 0].reset_index(drop=True),
        unplaced=unplaced_table(
            problem,
            placed_r,
            reached[net.request_kind],
            options.max_added_per_setting,
        ),
        capacity=expanded_capacity(problem, added_places),
        requested=int(net.member_learners.sum()),
        placeable=int(placed_r.sum()),
        supervisors_added=int(solution.added.sum()),
        cost=float(solution.added @ net.setting_cost),
        seconds=time.perf_counter() - t0,
    )
