"""The calendar engine: the levels as mixed-integer programmes, built with numpy and passed
to HiGHS (highspy) in whole arrays.

With date ranges the capacity rows (one per setting and check day) and the request rows no
longer form two nested families, so the LP relaxation can be fractional and each level is a
MILP. Every level is solved to proven optimality (or stopped by the time limit, with the
proven gap kept) and then fixed as a row before the next:

1. most learners placed: maximise the learners placed;
2. fair share between HEIs, leximin: the sorted vector of HEI fills is lexicographically
   maximal. Solved as the sums of the k lowest fills, k = 1, 2, ..., each maximised with the
   ones before it fixed (Ogryczak and Sliwinski's linear form: the sum of the k smallest of
   ``y`` is ``max k*r - sum(d_h)`` with ``d_h >= r - y_h``, ``d_h >= 0``). This needs no
   freezing step, so the integer stall of progressive filling (two HEIs that can each rise
   but not both) cannot happen: the k-th sum is simply the best the k worst-off can have
   together. ``fairness="max_min"`` stops after k = 1;
3. fair share between sectors, leximin from above: likewise the sums of the k highest sector
   utilisations (learner-days / place-days), each minimised in turn;
4. least travel: minimise learner-km.

Fills and utilisations are scaled by ``_SCALE`` in the rows, so HiGHS's absolute feasibility
tolerance is far below the smallest difference between two achievable ratios.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np

from tracker.optimise.calendar_instance import CalendarInstance
from tracker.optimise.calendar_parts import greedy_start, parts, restrict
from tracker.optimise.constraints import RULES
from tracker.optimise.milp_bound import relaxation_gap
from tracker.optimise.model import Policy

Progress = Callable[[float, str], None]
_SCALE = 1e4
_TOL = 1e-6  # in scaled units: 1e-10 of a ratio
_INF = highspy.kHighsInf
_LP_GAP_ABOVE = 1e-3  # a time-limited level's gap above this is checked against its LP too


@dataclass
class CalendarSolution:
    flow: np.ndarray
    status: str
    gaps: dict[str, float]
    timings: dict[str, float]
    sums: dict[str, list[float]] = field(default_factory=dict)
    solves: int = 0


def _highs() -> highspy.Highs:
    """A silent HiGHS: its constructor prints a banner on the C level once per process."""
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    try:
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    h.setOptionValue("output_flag", False)
    return h


class _Model:
    """Integer learners per arc, the request-size and per-day capacity rows, and helpers to
    add the variables and rows of each level."""

    def __init__(self, inst: CalendarInstance, policy: Policy) -> None:
        self.inst, self.policy = inst, policy
        self.h = _highs()
        self.h.setOptionValue("mip_rel_gap", 0.0)
        self.h.setOptionValue("mip_abs_gap", 1e-9)
        n = len(inst.arc_request)
        self.n = n
        self.groups: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.h.addVars(n, np.zeros(n), inst.arc_ub.astype(float))
        if n:
            self.h.changeColsIntegrality(
                n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger)
            )
        order = np.argsort(inst.arc_request, kind="stable")
        req = inst.arc_request[order]
        starts = np.flatnonzero(np.r_[True, req[1:] != req[:-1]]) if n else np.empty(0, int)
        self._rows(starts, order, np.ones(n), -_INF, inst.request_learners[req[starts]])
        self._rows(
            inst.row_indptr[:-1], inst.row_arcs, np.ones(len(inst.row_arcs)), -_INF, inst.row_places
        )
        self.solves = 0
        self.last_start = np.zeros(0)
        self.hei_col = self._aggregate(
            inst.request_hei[inst.arc_request], np.ones(n), len(inst.heis)
        )
        self.sector_col = self._aggregate(
            inst.setting_sector[inst.arc_setting],
            inst.request_days[inst.arc_request].astype(float),
            len(inst.sector_place_days),
        )

    def _aggregate(self, group: np.ndarray, weight: np.ndarray, k: int) -> np.ndarray:
        """One integer column per group (HEI or sector) equal to ``sum(weight * x)`` over its
        arcs. The fairness rows then read a handful of whole numbers, and HiGHS can branch on
        an HEI's learners placed instead of on thousands of arcs."""
        cols = self.add_vars(k, 0.0, _INF)
        self.h.changeColsIntegrality(
            k, cols.astype(np.int32), np.full(k, highspy.HighsVarType.kInteger)
        )
        order = np.argsort(group, kind="stable")
        parts = np.split(order, np.searchsorted(group[order], np.arange(1, k)))
        index = np.concatenate([np.r_[arcs, c] for arcs, c in zip(parts, cols, strict=True)])
        value = np.concatenate([np.r_[-weight[arcs], 1.0] for arcs in parts])
        starts = np.r_[0, np.cumsum([len(arcs) + 1 for arcs in parts])[:-1]]
        self._rows(starts, index, value, 0.0, 0.0)
        self.groups.append((cols, group, weight))
        return cols

    def full(self, x: np.ndarray) -> np.ndarray:
        """A plan on the arcs with its aggregate columns filled in."""
        out = np.zeros(self.h.getNumCol())
        out[: self.n] = x[: self.n]
        for cols, group, weight in self.groups:
            out[cols] = np.bincount(group, weights=weight * out[: self.n], minlength=len(cols))
        return out

    def _rows(
        self, starts: np.ndarray, index: np.ndarray, value: np.ndarray, lo: object, hi: object
    ) -> None:
        k = len(starts)
        if k == 0:
            return
        self.h.addRows(
            k,
            np.broadcast_to(np.asarray(lo, float), k).copy(),
            np.broadcast_to(np.asarray(hi, float), k).copy(),
            len(index),
            np.asarray(starts, np.int32),
            np.asarray(index, np.int32),
            np.asarray(value, float),
        )

    def start(self, x: np.ndarray) -> None:
        """Keep a feasible plan to start the next solve from (the previous level's, or
        greedy's). It is handed to HiGHS in ``solve``, after the objective is set: HiGHS
        forgets a start whenever the model changes, costs included."""
        self.last_start = np.asarray(x, float)

    def add_vars(self, k: int, lo: float, hi: float) -> np.ndarray:
        first = self.h.getNumCol()
        self.h.addVars(k, np.full(k, lo), np.full(k, hi))
        return np.arange(first, first + k)

    def add_row(self, index: np.ndarray, value: np.ndarray, lo: float, hi: float) -> None:
        self._rows(np.array([0]), index, value, lo, hi)

    def solve(
        self, index: np.ndarray, cost: np.ndarray, maximise: bool, seconds: float | None = None
    ) -> tuple[np.ndarray, str, float]:
        """Optimise ``sum(cost * col)`` within ``seconds``; the solution, its status and the
        proven gap."""
        h = self.h
        m = h.getNumCol()
        full = np.zeros(m)
        full[index] = cost
        h.changeColsCost(m, np.arange(m, dtype=np.int32), full)
        sense = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
        h.changeObjectiveSense(sense)
        if seconds is not None:
            h.setOptionValue("time_limit", max(float(seconds), 0.05))
        if len(self.last_start) == m:
            sol = highspy.HighsSolution()
            sol.col_value = [float(v) for v in self.last_start]
            sol.value_valid = True
            h.setSolution(sol)
        h.run()
        self.solves += 1
        if h.getModelStatus() == highspy.HighsModelStatus.kSolveError:
            # seen with HiGHS 1.16 on small models after a start plan and presolve; the same
            # model solves without presolve (the start plan is kept: it is feasible)
            h.setOptionValue("presolve", "off")
            h.run()
            h.setOptionValue("presolve", "choose")
            self.solves += 1
        if _stale_solution(h, index, cost):
            # seen with HiGHS 1.16: after a start plan and presolve, the objective and bound
            # were the optimum's but the columns returned were still the start's; solving
            # again without presolve returns the optimum's columns
            h.setOptionValue("presolve", "off")
            h.run()
            h.setOptionValue("presolve", "choose")
            self.solves += 1
        status = h.getModelStatus()
        if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kTimeLimit):
            raise RuntimeError(f"HiGHS status {h.modelStatusToString(status)}")
        optimal = status == highspy.HighsModelStatus.kOptimal
        info = h.getInfo()
        if info.primal_solution_status != 2:  # no plan found in time: keep the start plan
            if len(self.last_start) != m:
                raise RuntimeError("HiGHS stopped at its time limit before finding a plan")
            x, gap = self.last_start, float("inf")
        else:
            x = np.asarray(h.getSolution().col_value, float)
            gap = 0.0 if optimal else float(info.mip_gap)
        if not optimal and not gap < _LP_GAP_ABOVE:  # no bound, or a poor one: ask the LP
            value = float(np.dot(cost, x[index]))
            lp_gap = relaxation_gap(h, _highs(), value, maximise, seconds or 60.0)
            gap = min(gap, lp_gap)
        return x, "optimal" if optimal else "time_limit", gap


def _stale_solution(h: highspy.Highs, index: np.ndarray, cost: np.ndarray) -> bool:
    """Whether the columns HiGHS returns disagree with the objective it reports."""
    if h.getInfo().primal_solution_status != 2:
        return False
    x = np.asarray(h.getSolution().col_value, float)
    got = float(np.dot(cost, x[index]))
    said = float(h.getInfo().objective_function_value)
    return abs(got - said) > 1e-6 * max(1.0, abs(said))


Terms = tuple[np.ndarray, np.ndarray]  # aggregate columns and their scale to ``_SCALE * ratio``


def _hei_fill_terms(m: _Model) -> Terms:
    """Per HEI with requests: its learners-placed column and ``_SCALE / requested``."""
    asked = m.inst.hei_requested
    return m.hei_col[asked > 0], _SCALE / asked[asked > 0]


def _sector_use_terms(m: _Model) -> Terms:
    """Per sector with place-days: its learner-days column and ``_SCALE / place-days``."""
    place_days = m.inst.sector_place_days
    return m.sector_col[place_days > 0], _SCALE / place_days[place_days > 0]


def _ordered_sums(
    m: _Model,
    terms: Terms,
    *,
    lowest: bool,
    steps: int,
    x: np.ndarray,
    seconds: float | None,
) -> tuple[np.ndarray, str, float, list[float]]:
    """Lexicographically optimise the sums of the k lowest (or highest) terms, k = 1..steps,
    all within ``seconds`` (each step gets an equal share of what the steps before it left).

    Lowest: ``max k*r - sum(d)``, ``d_i >= r - y_i``. Highest: ``min k*r + sum(e)``,
    ``e_i >= y_i - r``. Each optimum is fixed as a row before the next k.
    """
    cols, coefs = terms
    n = len(cols)
    status, gap, sums = "optimal", 0.0, []
    sign = -1.0 if lowest else 1.0
    deadline = None if seconds is None else time.perf_counter() + seconds
    steps = min(steps, n)
    for k in range(1, steps + 1):
        r = m.add_vars(1, -_INF, _INF)
        d = m.add_vars(n, 0.0, _INF)
        # lowest: d_i - r + c_i * col_i >= 0; highest: e_i + r - c_i * col_i >= 0
        index = np.column_stack([d, np.full(n, r[0]), cols]).ravel()
        value = np.column_stack([np.ones(n), np.full(n, sign), -sign * coefs]).ravel()
        m._rows(np.arange(0, 3 * n, 3), index, value, 0.0, _INF)
        objective_cols = np.concatenate([r, d])
        objective = np.concatenate([[float(k)], np.full(n, sign)])
        y = coefs * np.rint(x[cols])
        level = np.sort(y)[k - 1] if lowest else np.sort(y)[::-1][k - 1]
        m.start(np.concatenate([x, [level], np.maximum(0.0, sign * (y - level))]))
        share = None if deadline is None else (deadline - time.perf_counter()) / (steps - k + 1)
        x, st, g = m.solve(objective_cols, objective, maximise=lowest, seconds=share)
        status = "optimal" if status == "optimal" and st == "optimal" else "time_limit"
        gap = max(gap, g)
        values = np.sort(coefs * np.rint(x[cols]))
        got = float(values[:k].sum() if lowest else values[::-1][:k].sum())
        sums.append(got / _SCALE)
        if lowest:
            m.add_row(objective_cols, objective, got - _TOL, _INF)
        else:
            m.add_row(objective_cols, objective, -_INF, got + _TOL)
    return x, status, gap, sums


def _most_placed_by_part(
    inst: CalendarInstance, policy: Policy, seconds: float | None
) -> tuple[np.ndarray, str, float, list[tuple[np.ndarray, float]]]:
    """Level 1 part by part (``calendar_parts``): the plan, its status, the proven gap of the
    whole (the parts' bounds against their plans) and each part's arcs with its optimum.
    The time limit is shared by the parts in proportion to their arcs."""
    x = np.zeros(len(inst.arc_request))
    deadline = None if seconds is None else time.perf_counter() + seconds
    status, bound, optima = "optimal", 0.0, []
    arcs_left = len(inst.arc_request)
    for part in parts(inst):
        sub = restrict(inst, part.arcs)
        m = _Model(sub, policy)
        if part.network:  # totally unimodular: the LP's vertex is the integer optimum
            cols = m.h.getNumCol()
            m.h.changeColsIntegrality(
                cols,
                np.arange(cols, dtype=np.int32),
                np.full(cols, highspy.HighsVarType.kContinuous),
            )
        m.start(m.full(greedy_start(sub)))
        share = None
        if deadline is not None:
            share = (deadline - time.perf_counter()) * len(part.arcs) / arcs_left
        arcs_left -= len(part.arcs)
        got, st, _ = m.solve(np.arange(m.n), np.ones(m.n), True, share)
        got = np.rint(got[: m.n])
        optimal = st == "optimal"
        part_bound = float(got.sum()) if optimal else float(m.h.getInfo().mip_dual_bound)
        status = status if optimal else "time_limit"
        bound += part_bound
        x[part.arcs] = got
        optima.append((part.arcs, float(got.sum())))
    placed = float(x.sum())
    return x, status, (bound - placed) / max(placed, 1.0), optima


def _fix_placed(m: _Model, optima: list[tuple[np.ndarray, float]]) -> None:
    """Level 1 as rows: each part's optimum (when there are several) and the total."""
    for part_arcs, part_placed in optima if len(optima) > 1 else []:
        m.add_row(part_arcs, np.ones(len(part_arcs)), part_placed - 0.5, _INF)
    placed = sum(p for _, p in optima)
    # on the HEIs' learners-placed columns (a handful) rather than on every arc: the same
    # row, but a dense one slowed HiGHS's presolve of every later level
    m.add_row(m.hei_col, np.ones(len(m.hei_col)), placed - 0.5, _INF)


def solve_calendar(
    inst: CalendarInstance, policy: Policy, progress: Progress | None = None
) -> CalendarSolution:
    say = progress or (lambda _f, _m: None)
    timings: dict[str, float] = {}
    gaps: dict[str, float] = {}
    sums: dict[str, list[float]] = {}
    statuses: list[str] = []
    m = _Model(inst, policy)
    arcs = np.arange(m.n)
    steps = 1 if policy.fairness == "max_min" else len(inst.heis)

    say(0.1, RULES["most_learners_placed"])
    t = time.perf_counter()
    limit = policy.time_limit_s
    x, st, gaps["most_learners_placed"], optima = _most_placed_by_part(inst, policy, limit)
    statuses.append(st)
    _fix_placed(m, optima)
    x = m.full(x)
    timings["most_learners_placed"] = time.perf_counter() - t

    if policy.fair_share_between_heis and len(inst.heis) > 1:
        say(0.3, RULES["fair_share_between_heis"])
        t = time.perf_counter()
        x, st, gap, sums["hei"] = _ordered_sums(
            m, _hei_fill_terms(m), lowest=True, steps=steps, x=x, seconds=limit
        )
        statuses.append(st)
        gaps["fair_share_between_heis"] = gap
        timings["fair_share_between_heis"] = time.perf_counter() - t

    if policy.fair_share_between_sectors and (inst.sector_place_days > 0).sum() > 1:
        say(0.55, RULES["fair_share_between_sectors"])
        t = time.perf_counter()
        sector_steps = 1 if policy.fairness == "max_min" else len(inst.sector_place_days)
        x, st, gap, sums["sector"] = _ordered_sums(
            m, _sector_use_terms(m), lowest=False, steps=sector_steps, x=x, seconds=limit
        )
        statuses.append(st)
        gaps["fair_share_between_sectors"] = gap
        timings["fair_share_between_sectors"] = time.perf_counter() - t

    if policy.minimise_travel and bool(inst.arc_cost.any()):
        say(0.8, RULES["least_travel"])
        t = time.perf_counter()
        m.start(x)
        x, st, gaps["least_travel"] = m.solve(arcs, inst.arc_cost.astype(float), False, limit)
        statuses.append(st)
        timings["least_travel"] = time.perf_counter() - t
    say(1.0, "done")
    status = "optimal" if all(s == "optimal" for s in statuses) else "time_limit"
    flow = np.rint(x[: m.n]).astype(np.int64)
    return CalendarSolution(flow, status, gaps, timings, sums, m.solves)
