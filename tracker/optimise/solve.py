"""The one entry point: validate, build, solve the levels in turn, explain.

Never raises on over-subscription or on a solver failure: the result carries a status.
Only input that cannot mean anything raises :class:`InputError`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from tracker.optimise.arcs import Instance, build_instance
from tracker.optimise.bottlenecks import bottlenecks_table
from tracker.optimise.calendar_solve import solve_dated
from tracker.optimise.constraints import RULES
from tracker.optimise.explain import (
    fairness_tables,
    placements_table,
    plan_result,
    unmet_table,
)
from tracker.optimise.leximin_explain import held_lines, leximin_held
from tracker.optimise.lp import solve_lp
from tracker.optimise.makeup import makeup_first
from tracker.optimise.model import (
    AllocationProblem,
    AllocationResult,
    Pin,
    Policy,
    Status,
)
from tracker.optimise.network import solve_network
from tracker.optimise.quality_review import with_review_reasons
from tracker.optimise.validate import validate

Progress = Callable[[float, str], None]


def allocate(
    settings: pd.DataFrame,
    capacity: pd.DataFrame,
    demand: pd.DataFrame,
    policy: Policy | None = None,
    *,
    pins: Sequence[Pin] = (),
    previous: pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> AllocationResult:
    """Allocate learners to placements fairly; see ``docs/optimiser.md`` for the model.

    ``pins`` fix learners in advance; ``previous`` (request_id, setting_id, block, learners)
    is an earlier plan to stay close to when ``policy.stay_close_to_previous`` is on: levels 1
    and 2 are kept, then the number of moved learners is minimised, then travel.
    ``progress(fraction, message)`` is called as levels start, for a progress bar.
    """
    t0 = time.perf_counter()
    problem = validate(settings, capacity, demand, policy, pins=pins, previous=previous)
    validated = time.perf_counter() - t0
    return solve_problem(problem, progress=progress, already={"validate": validated}, t0=t0)


def solve_problem(
    problem: AllocationProblem,
    *,
    progress: Progress | None = None,
    already: dict[str, float] | None = None,
    t0: float | None = None,
) -> AllocationResult:
    """Solve an already validated problem (for callers that validate separately)."""
    t0 = time.perf_counter() if t0 is None else t0
    timings = dict(already or {})
    if problem.calendar:
        return solve_dated(problem, progress=progress, timings=timings, t0=t0)
    say = progress or (lambda _f, _m: None)
    say(0.0, "building the network")
    t = time.perf_counter()
    inst = build_instance(problem)
    timings["arcs"] = time.perf_counter() - t
    policy = problem.policy
    messages: list[str] = []
    status: Status
    try:
        solve = solve_network if policy.method == "network" else solve_lp
        sol = solve(inst, policy, say)
        flow = sol.flow
        status = "optimal" if sol.status == "optimal" else "time_limit"
        solver = sol.solver
        timings.update(
            {
                f"level_{k}" if not k.startswith("build") else "model_build": v
                for k, v in sol.timings.items()
            }
        )
        timings["probes"] = float(sol.probes)
        messages.extend(sol.notes)
    except RuntimeError as exc:  # a solver failure must not lose the pins or the explanation
        flow = np.zeros(len(inst.arc_request), np.int64)
        status = "failed"
        solver = policy.method
        messages.append(f"solver failed: {exc}; only pinned placements are shown")
    if status == "time_limit":
        messages.append("a time limit stopped a level before optimality was proven")
    makeup = problem.demand["makeup_learners"].to_numpy(dtype=np.int64)
    if makeup.any() and status != "failed":
        flow = makeup_first(inst, flow, makeup)
        messages.append(_makeup_message(inst, flow, makeup))
    result = compose_result(
        problem, inst, flow, status=status, solver=solver, timings=timings, messages=messages, t0=t0
    )
    if status == "optimal":  # every level solved exactly: no gap to report on any
        result = replace(result, gaps={k: 0.0 for k in sol.timings if k in RULES})
    if status != "failed" and sol.frozen:
        held = leximin_held(problem, inst, flow, sol.frozen)
        result = replace(result, explanation=held_lines(held), held=held)
    return result


def _makeup_message(inst: Instance, flow: np.ndarray, makeup: np.ndarray) -> str:
    """How many make-up hours learners the plan places (a request's placed learners are its
    make-up learners first)."""
    placed = np.bincount(inst.arc_request, weights=flow, minlength=len(makeup))
    pinned = np.bincount(
        inst.pinned["request"].to_numpy(dtype=np.int64),
        weights=inst.pinned["learners"].to_numpy(dtype=np.int64),
        minlength=len(makeup),
    )
    got = int(np.minimum(placed + pinned, makeup).sum())
    return (
        f"make-up hours learners placed first within their HEI's places: {got} of "
        f"{int(makeup.sum())}"
    )


def compose_result(
    problem: AllocationProblem,
    inst: Instance,
    flow: np.ndarray,
    *,
    status: Status,
    solver: str,
    timings: dict[str, float],
    messages: Sequence[str] = (),
    t0: float | None = None,
) -> AllocationResult:
    """Placements, fairness figures, unmet reasons and bottlenecks for a flow on the arcs."""
    t = time.perf_counter()
    placements = placements_table(problem, inst, flow)
    hei, sector, setting = fairness_tables(problem, placements)
    unmet = with_review_reasons(problem, unmet_table(problem, inst, flow, placements, hei))
    bottlenecks = bottlenecks_table(problem, inst, flow)
    timings["explain"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - (t0 if t0 is not None else t)
    tables = (placements, unmet, hei, sector, setting, bottlenecks)
    moved = moved_learners(problem.previous, placements)
    return plan_result(problem, status, tables, solver, timings, messages, moved)


def moved_learners(previous: pd.DataFrame | None, placements: pd.DataFrame) -> int | None:
    """Learners of the previous plan who are no longer where they were."""
    if previous is None:
        return None
    key = ["request_id", "setting_id", "block"]
    before = previous.groupby(key)["learners"].sum()
    after = placements.groupby(key)["learners"].sum().reindex(before.index, fill_value=0)
    return int((before - after).clip(lower=0).sum())
