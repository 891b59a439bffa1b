"""The same lexicographic levels as PuLP models, solved by HiGHS (default) or CBC.

This is the plain statement of the model: integer learners per arc, one model per level,
each level's optimum turned into integral bounds for the next. It is the reference that the
network solver is tested against, and the route to take when a future rule breaks the
network structure (a row mixing sectors and HEIs, say).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pulp

from tracker.optimise.arcs import Instance
from tracker.optimise.constraints import (
    RULES,
    add_fair_share_between_heis,
    add_fair_share_between_sectors,
    add_most_learners_placed,
    add_request_size,
    add_supervisor_capacity,
    hei_floor,
    sector_ceiling,
)
from tracker.optimise.lp_leximin import KeptSums, add_kept, leximin_levels
from tracker.optimise.model import Policy
from tracker.optimise.network import LevelSolution, Progress

_EPS = 1e-9


def _solver(policy: Policy) -> Any:
    """HiGHS in-process, or CBC: the bundled binary on PuLP 3, ``COIN_CMD`` on PuLP 4."""
    options: dict[str, Any] = {"msg": False}
    if policy.time_limit_s is not None:
        options["timeLimit"] = policy.time_limit_s
    if policy.solver == "highs":
        return pulp.HiGHS(**options)
    cbc = getattr(pulp, "PULP_CBC_CMD", None)
    if cbc is not None:
        return cbc(**options, _skip_v4_deprecation=True) if _takes_skip(cbc) else cbc(**options)
    return pulp.COIN_CMD(**options)


def _takes_skip(cls: Any) -> bool:
    import inspect

    return "_skip_v4_deprecation" in inspect.signature(cls.__init__).parameters


def _variable(model: pulp.LpProblem, name: str, low: float, high: float | None, cat: str) -> Any:
    add = getattr(model, "add_variable", None)
    if add is not None:
        return add(name, low, high, cat=cat)
    return pulp.LpVariable(name, low, high, cat=cat)


class _Model:
    """One level's model: integer learners per arc and the capacity rows."""

    def __init__(self, inst: Instance, name: str, sense: int) -> None:
        self.model = pulp.LpProblem(name, sense)
        ub = np.minimum(inst.request_left[inst.arc_request], inst.place_left[inst.arc_place])
        self.x = [
            _variable(self.model, f"x{a}", 0, int(max(u, 0)), pulp.LpInteger)
            for a, u in enumerate(ub)
        ]
        add_supervisor_capacity(self.model, self.x, inst.arc_place, inst.place_left)
        add_request_size(self.model, self.x, inst.arc_request, inst.request_left)

    def total(self) -> pulp.LpAffineExpression:
        return pulp.LpAffineExpression([(v, 1) for v in self.x])

    def solve(self, policy: Policy) -> str:
        """Solve and read the solver's own status: PuLP may say optimal after a time limit."""
        self.model.solve(_solver(policy))
        if self.model.status != pulp.LpStatusOptimal:
            raise RuntimeError(f"PuLP status {pulp.LpStatus[self.model.status]}")
        if policy.solver == "highs":
            highs = getattr(self.model, "solverModel", None)
            if highs is not None and "Optimal" not in str(highs.getModelStatus()):
                return "time_limit"
        elif getattr(self.model, "sol_status", 1) != pulp.LpSolutionOptimal:
            return "time_limit"
        return "optimal"

    def values(self) -> np.ndarray:
        raw = np.array([v.varValue or 0.0 for v in self.x], dtype=float)
        counts: np.ndarray = np.rint(raw).astype(np.int64)
        return counts


@dataclass
class _Levels:
    """The instance and the bounds fixed so far, shared by the level functions."""

    inst: Instance
    policy: Policy
    statuses: list[str] = field(default_factory=list)
    total: int | None = None
    floors: np.ndarray | None = None
    ceilings: np.ndarray | None = None
    kept: list[KeptSums] = field(default_factory=list)  # leximin levels' k-sums

    @property
    def hei_of_arc(self) -> np.ndarray:
        out: np.ndarray = self.inst.request_hei[self.inst.arc_request]
        return out

    @property
    def sector_of_arc(self) -> np.ndarray:
        out: np.ndarray = self.inst.place_sector[self.inst.arc_place]
        return out

    def model(self, name: str, sense: int, *, ceilings: bool = True) -> _Model:
        """A level's model with every bound fixed by the levels before it."""
        m = _Model(self.inst, name, sense)
        if self.total is not None:
            add_most_learners_placed(m.model, m.x, self.total)
        if self.floors is not None:
            add_fair_share_between_heis(m.model, m.x, self.hei_of_arc, self.floors)
        if ceilings and self.ceilings is not None:
            add_fair_share_between_sectors(m.model, m.x, self.sector_of_arc, self.ceilings)
        for sums in self.kept:
            if ceilings or not sums.up:
                add_kept(m, sums)
        return m

    def solve(self, m: _Model) -> np.ndarray:
        self.statuses.append(m.solve(self.policy))
        return m.values()


def solve_lp(inst: Instance, policy: Policy, progress: Progress | None = None) -> LevelSolution:
    say = progress or (lambda _f, _m: None)
    timings: dict[str, float] = {}
    lv = _Levels(inst, policy)
    n_h = len(inst.heis)

    say(0.1, RULES["most_learners_placed"])
    t = time.perf_counter()
    flow = most_learners_placed(lv)
    timings["most_learners_placed"] = time.perf_counter() - t

    if policy.fair_share_between_heis and n_h > 1:
        say(0.3, RULES["fair_share_between_heis"])
        t = time.perf_counter()
        flow = fair_share_between_heis(lv)
        timings["fair_share_between_heis"] = time.perf_counter() - t

    stay = inst.arc_previous is not None and policy.stay_close_to_previous
    if policy.fair_share_between_sectors and not stay and (inst.sector_places > 0).sum() > 1:
        say(0.55, RULES["fair_share_between_sectors"])
        t = time.perf_counter()
        flow = fair_share_between_sectors(lv)
        timings["fair_share_between_sectors"] = time.perf_counter() - t

    if stay:
        say(0.8, RULES["stay_close_to_previous"])
        t = time.perf_counter()
        flow = stay_close_to_previous(lv)
        timings["stay_close_to_previous"] = time.perf_counter() - t
    elif policy.minimise_travel and inst.arc_cost.any():
        say(0.8, RULES["least_travel"])
        t = time.perf_counter()
        flow = least_travel(lv)
        timings["least_travel"] = time.perf_counter() - t
    say(1.0, "done")
    assert lv.total is not None
    status = "optimal" if all(s == "optimal" for s in lv.statuses) else "time_limit"
    floors, ceilings = lv.floors, lv.ceilings
    return LevelSolution(
        flow=flow,
        placed=lv.total + inst.pinned_total,
        hei_floor=(floors + inst.hei_pinned) if floors is not None else np.zeros(n_h, np.int64),
        sector_ceiling=None if ceilings is None else ceilings + inst.sector_pinned,
        status=status,
        timings=timings,
        probes=len(lv.statuses),
        solver=f"PuLP {pulp.__version__} / {policy.solver.upper()}",
    )


def most_learners_placed(lv: _Levels) -> np.ndarray:
    m = lv.model("most_learners_placed", pulp.LpMaximize)
    m.model += m.total()
    flow = lv.solve(m)
    lv.total = int(flow.sum())
    return flow


def fair_share_between_heis(lv: _Levels) -> np.ndarray:
    """Maximise the lowest fill ratio ``z``; its optimum becomes integral floors per HEI.
    Under leximin, every HEI's fill in turn (``lp_leximin``) fixes its learners exactly."""
    inst = lv.inst
    if lv.policy.fairness == "leximin":
        sums = KeptSums("hei", lv.hei_of_arc, inst.hei_pinned, inst.hei_requested, up=False)
        flow = leximin_levels(lv, sums)
        lv.kept.append(sums)
        return flow
    m = lv.model("fair_share_between_heis", pulp.LpMaximize)
    z = _variable(m.model, "z", 0, 1, pulp.LpContinuous)
    m.model += pulp.LpAffineExpression([(z, 1)])
    per_hei: dict[int, list[tuple[Any, float]]] = {}
    for a, h in enumerate(lv.hei_of_arc):
        per_hei.setdefault(int(h), []).append((m.x[a], 1))
    for h in range(len(inst.heis)):
        if inst.hei_requested[h] > 0:
            expr = pulp.LpAffineExpression(
                [*per_hei.get(h, []), (z, -float(inst.hei_requested[h]))]
            )
            m.model += expr >= -int(inst.hei_pinned[h]), f"hei_ratio_{h}"
    flow = lv.solve(m)
    placed_h = np.bincount(lv.hei_of_arc, weights=flow, minlength=len(inst.heis)) + inst.hei_pinned
    ok = inst.hei_requested > 0
    best = float(np.min(placed_h[ok] / inst.hei_requested[ok])) if ok.any() else 1.0
    lv.floors = hei_floor(best, inst)
    return flow


def fair_share_between_sectors(lv: _Levels) -> np.ndarray:
    """Minimise the highest utilisation ``u``; its optimum becomes integral sector ceilings.
    Under leximin, every sector's use from above in turn fixes its learners exactly."""
    inst = lv.inst
    if lv.policy.fairness == "leximin":
        sums = KeptSums("sector", lv.sector_of_arc, inst.sector_pinned, inst.sector_places, up=True)
        flow = leximin_levels(lv, sums)
        lv.kept.append(sums)
        return flow
    m = lv.model("fair_share_between_sectors", pulp.LpMinimize)
    u = _variable(m.model, "u", 0, None, pulp.LpContinuous)
    m.model += pulp.LpAffineExpression([(u, 1)])
    per_sector: dict[int, list[tuple[Any, float]]] = {}
    for a, s in enumerate(lv.sector_of_arc):
        per_sector.setdefault(int(s), []).append((m.x[a], 1))
    for s, places in enumerate(inst.sector_places):
        if places > 0:
            expr = pulp.LpAffineExpression([*per_sector.get(s, []), (u, -float(places))])
            m.model += expr <= -int(inst.sector_pinned[s]), f"sector_use_{s}"
    flow = lv.solve(m)
    placed_s = (
        np.bincount(lv.sector_of_arc, weights=flow, minlength=len(inst.sector_places))
        + inst.sector_pinned
    )
    ok = inst.sector_places > 0
    worst = float(np.max(placed_s[ok] / inst.sector_places[ok]))
    lv.ceilings = sector_ceiling(worst, inst)
    return flow


def stay_close_to_previous(lv: _Levels) -> np.ndarray:
    """Keep as many of the previous plan's learners as possible, then least travel."""
    inst, policy = lv.inst, lv.policy
    assert inst.arc_previous is not None
    m = lv.model("stay_close_to_previous", pulp.LpMaximize, ceilings=False)
    kept = []
    for a, prev in enumerate(inst.arc_previous):
        if prev > 0:
            k = _variable(m.model, f"k{a}", 0, int(prev), pulp.LpContinuous)
            m.model += pulp.LpAffineExpression([(k, 1), (m.x[a], -1)]) <= 0
            kept.append(k)
    m.model += pulp.LpAffineExpression([(k, 1) for k in kept])
    flow = lv.solve(m)
    best_kept = sum(round(k.varValue or 0) for k in kept)
    if policy.minimise_travel and inst.arc_cost.any():
        m.model.sense = pulp.LpMinimize
        m.model += pulp.LpAffineExpression([(k, 1) for k in kept]) >= best_kept
        km = np.rint(np.nan_to_num(inst.arc_km)).astype(np.int64)
        m.model.setObjective(
            pulp.LpAffineExpression([(v, int(c)) for v, c in zip(m.x, km, strict=True) if c])
        )
        flow = lv.solve(m)
    return flow


def least_travel(lv: _Levels) -> np.ndarray:
    m = lv.model("least_travel", pulp.LpMinimize)
    m.model += pulp.LpAffineExpression(
        [(v, int(c)) for v, c in zip(m.x, lv.inst.arc_cost, strict=True) if c]
    )
    return lv.solve(m)
