"""Solve a problem whose capacity is given by date ranges: build the calendar instance, run
the MILP levels, compose the result with dates, fills, utilisations and the explanation."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from tracker.optimise.calendar_explain import (
    calendar_bottlenecks,
    calendar_fairness,
    calendar_held_lines,
    calendar_placements,
    calendar_unmet,
    fairness_held,
)
from tracker.optimise.calendar_instance import build_calendar_instance
from tracker.optimise.calendar_makeup import calendar_makeup_first, makeup_placed
from tracker.optimise.explain import plan_result
from tracker.optimise.milp import solve_calendar
from tracker.optimise.model import AllocationProblem, AllocationResult, Status
from tracker.optimise.quality_review import with_review_reasons

Progress = Callable[[float, str], None]


def solve_dated(
    problem: AllocationProblem, *, progress: Progress | None, timings: dict[str, float], t0: float
) -> AllocationResult:
    say = progress or (lambda _f, _m: None)
    say(0.0, "building the calendar")
    t = time.perf_counter()
    inst = build_calendar_instance(problem)
    timings["arcs"] = time.perf_counter() - t
    messages: list[str] = []
    status: Status
    gaps: dict[str, float] = {}
    try:
        sol = solve_calendar(inst, problem.policy, say)
        flow, gaps = sol.flow, sol.gaps
        status = "optimal" if sol.status == "optimal" else "time_limit"
        timings.update({f"level_{k}": v for k, v in sol.timings.items()})
        timings["probes"] = float(sol.solves)
    except RuntimeError as exc:
        flow = np.zeros(len(inst.arc_request), np.int64)
        status = "failed"
        messages.append(f"solver failed: {exc}")
    makeup = problem.demand["makeup_learners"].to_numpy(dtype=np.int64)
    if makeup.any() and status != "failed":
        flow, proven = calendar_makeup_first(inst, flow, makeup, problem.policy)
        status = status if proven else "time_limit"
        messages.append(
            "make-up hours learners placed first within their HEI's places: "
            f"{makeup_placed(inst, flow, makeup)} of {int(makeup.sum())}"
        )
    if status == "time_limit":
        messages.append("a time limit stopped a level before optimality was proven")
    t = time.perf_counter()
    placements = calendar_placements(problem, inst, flow)
    hei, sector, setting = calendar_fairness(problem, inst, flow)
    unmet = with_review_reasons(problem, calendar_unmet(problem, inst, flow, hei))
    bottlenecks = calendar_bottlenecks(problem, inst, flow)
    held = fairness_held(problem, inst, flow, hei)
    timings["explain"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    tables = (placements, unmet, hei, sector, setting, bottlenecks)
    solver = f"calendar MILP (HiGHS), {problem.policy.fairness}"
    result = plan_result(problem, status, tables, solver, timings, messages)
    return replace(result, gaps=gaps, explanation=calendar_held_lines(held), held=held)
