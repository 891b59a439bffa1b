"""First come, first served: what a spreadsheet allocation does, as a baseline.

Requests are taken in the order they appear; each fills from its nearest compatible settings
with places left. It respects every hard rule (it uses the same arcs as the engine) but has
no view of the whole: early requests take places later ones could only have used, and the
HEIs and sectors that come last absorb the shortfall.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from tracker.optimise.arcs import build_instance
from tracker.optimise.model import AllocationResult, Pin, Policy
from tracker.optimise.solve import compose_result
from tracker.optimise.validate import validate


def greedy_allocate(
    settings: pd.DataFrame,
    capacity: pd.DataFrame,
    demand: pd.DataFrame,
    policy: Policy | None = None,
    *,
    pins: tuple[Pin, ...] = (),
) -> AllocationResult:
    t0 = time.perf_counter()
    problem = validate(settings, capacity, demand, policy, pins=pins)
    timings = {"validate": time.perf_counter() - t0}
    t = time.perf_counter()
    inst = build_instance(problem)
    timings["arcs"] = time.perf_counter() - t
    t = time.perf_counter()
    left = np.maximum(inst.place_left.copy(), 0)
    flow = np.zeros(len(inst.arc_request), np.int64)
    km = np.nan_to_num(inst.arc_km, nan=0.0)
    order = np.lexsort((km, inst.arc_request))  # by request (file order), then nearest first
    starts = np.searchsorted(inst.arc_request[order], np.arange(len(inst.request_left) + 1))
    for r in range(len(inst.request_left)):
        need = int(inst.request_left[r])
        for a in order[starts[r] : starts[r + 1]]:
            if need <= 0:
                break
            p = inst.arc_place[a]
            take = min(need, int(left[p]))
            if take > 0:
                flow[a] = take
                left[p] -= take
                need -= take
    timings["level_greedy"] = time.perf_counter() - t
    return compose_result(
        problem, inst, flow, status="optimal", solver="greedy (first come)", timings=timings, t0=t0
    )
