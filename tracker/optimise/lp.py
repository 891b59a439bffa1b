"""The same lexicographic levels as PuLP models, solved by HiGHS (default) or CBC.

This is the plain statement of the model: integer learners per arc, one model per level,
each level's optimum turned into integral bounds for the next. It is the reference that the
network solver is tested against, and the route to take when a future rule breaks the
network structure (a row mixing sectors and HEIs, say).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pulp

from tracker.optimise.arcs import Instance
from tracker.optimise.constraints import (
    add_fair_share_between_heis,
    add_fair_share_between_sectors,
    add_most_learners_placed,
    add_request_size,
    add_supervisor_capacity,
)
from tracker.optimise.model import Policy
from tracker.optimise.network import LevelSolution, Progress, hei_floor, sector_ceiling

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


def solve_lp(inst: Instance, policy: Policy, progress: Progress | None = None) -> LevelSolution:
    say = progress or (lambda _f, _m: None)
    timings: dict[str, float] = {}
    statuses: list[str] = []
    hei_of_arc = inst.request_hei[inst.arc_request]
    sector_of_arc = inst.place_sector[inst.arc_place]
    n_h = len(inst.heis)

    def base(
        name: str,
        sense: int,
        placed: int | None,
        floors: np.ndarray | None,
        ceilings: np.ndarray | None,
    ) -> _Model:
        m = _Model(inst, name, sense)
        if placed is not None:
            add_most_learners_placed(m.model, m.x, placed)
        if floors is not None:
            add_fair_share_between_heis(m.model, m.x, hei_of_arc, floors)
        if ceilings is not None:
            add_fair_share_between_sectors(m.model, m.x, sector_of_arc, ceilings)
        return m

    say(0.1, "most learners placed")
    t = time.perf_counter()
    m = base("most_learners_placed", pulp.LpMaximize, None, None, None)
    m.model += m.total()
    statuses.append(m.solve(policy))
    flow = m.values()
    total = int(flow.sum())
    timings["most_learners_placed"] = time.perf_counter() - t

    floors: np.ndarray | None = None
    if policy.fair_share_between_heis and n_h > 1:
        say(0.3, "fair share between HEIs")
        t = time.perf_counter()
        m = base("fair_share_between_heis", pulp.LpMaximize, total, None, None)
        z = _variable(m.model, "z", 0, 1, pulp.LpContinuous)
        m.model += pulp.LpAffineExpression([(z, 1)])
        per_hei: dict[int, list[tuple[Any, float]]] = {}
        for a, h in enumerate(hei_of_arc):
            per_hei.setdefault(int(h), []).append((m.x[a], 1))
        for h in range(n_h):
            if inst.hei_requested[h] > 0:
                expr = pulp.LpAffineExpression(
                    [*per_hei.get(h, []), (z, -float(inst.hei_requested[h]))]
                )
                m.model += expr >= -int(inst.hei_pinned[h]), f"hei_ratio_{h}"
        statuses.append(m.solve(policy))
        flow = m.values()
        placed_h = np.bincount(hei_of_arc, weights=flow, minlength=n_h) + inst.hei_pinned
        ok = inst.hei_requested > 0
        best = float(np.min(placed_h[ok] / inst.hei_requested[ok])) if ok.any() else 1.0
        floors = hei_floor(best, inst)
        timings["fair_share_between_heis"] = time.perf_counter() - t

    stay = inst.arc_previous is not None and policy.stay_close_to_previous
    ceilings: np.ndarray | None = None
    if policy.fair_share_between_sectors and not stay and (inst.sector_places > 0).sum() > 1:
        say(0.55, "fair share between sectors")
        t = time.perf_counter()
        m = base("fair_share_between_sectors", pulp.LpMinimize, total, floors, None)
        u = _variable(m.model, "u", 0, None, pulp.LpContinuous)
        m.model += pulp.LpAffineExpression([(u, 1)])
        per_sector: dict[int, list[tuple[Any, float]]] = {}
        for a, s in enumerate(sector_of_arc):
            per_sector.setdefault(int(s), []).append((m.x[a], 1))
        for s, places in enumerate(inst.sector_places):
            if places > 0:
                expr = pulp.LpAffineExpression([*per_sector.get(s, []), (u, -float(places))])
                m.model += expr <= -int(inst.sector_pinned[s]), f"sector_use_{s}"
        statuses.append(m.solve(policy))
        flow = m.values()
        placed_s = (
            np.bincount(sector_of_arc, weights=flow, minlength=len(inst.sector_places))
            + inst.sector_pinned
        )
        ok = inst.sector_places > 0
        worst = float(np.max(placed_s[ok] / inst.sector_places[ok]))
        ceilings = sector_ceiling(worst, inst)
        timings["fair_share_between_sectors"] = time.perf_counter() - t

    if stay:
        say(0.8, "stay close to the previous plan")
        t = time.perf_counter()
        assert inst.arc_previous is not None
        m = base("stay_close_to_previous", pulp.LpMaximize, total, floors, None)
        kept = []
        for a, prev in enumerate(inst.arc_previous):
            if prev > 0:
                k = _variable(m.model, f"k{a}", 0, int(prev), pulp.LpContinuous)
                m.model += pulp.LpAffineExpression([(k, 1), (m.x[a], -1)]) <= 0
                kept.append(k)
        m.model += pulp.LpAffineExpression([(k, 1) for k in kept])
        statuses.append(m.solve(policy))
        best_kept = sum(round(k.varValue or 0) for k in kept)
        flow = m.values()
        if policy.minimise_travel and inst.arc_cost.any():
            m.model.sense = pulp.LpMinimize
            m.model += pulp.LpAffineExpression([(k, 1) for k in kept]) >= best_kept
            km = np.rint(np.nan_to_num(inst.arc_km)).astype(np.int64)
            m.model.setObjective(
                pulp.LpAffineExpression([(v, int(c)) for v, c in zip(m.x, km, strict=True) if c])
            )
            statuses.append(m.solve(policy))
            flow = m.values()
        timings["stay_close_to_previous"] = time.perf_counter() - t
    elif policy.minimise_travel and inst.arc_cost.any():
        say(0.8, "least travel")
        t = time.perf_counter()
        m = base("least_travel", pulp.LpMinimize, total, floors, ceilings)
        m.model += pulp.LpAffineExpression(
            [(v, int(c)) for v, c in zip(m.x, inst.arc_cost, strict=True) if c]
        )
        statuses.append(m.solve(policy))
        flow = m.values()
        timings["least_travel"] = time.perf_counter() - t
    say(1.0, "done")
    status = "optimal" if all(s == "optimal" for s in statuses) else "time_limit"
    return LevelSolution(
        flow=flow,
        placed=total + inst.pinned_total,
        hei_floor=(floors + inst.hei_pinned) if floors is not None else np.zeros(n_h, np.int64),
        sector_ceiling=None if ceilings is None else ceilings + inst.sector_pinned,
        status=status,
        timings=timings,
        probes=len(statuses),
        solver=f"PuLP {pulp.__version__} / {policy.solver.upper()}",
    )
