"""Benchmark of the fair placement allocator: ``python -m bench.allocator [--sizes ...] [--quick]``.

Each (size, method) runs in its own process so that peak memory is its own. Methods:
engine (this allocator, all four levels), naive (one binary per learner and compatible
setting, most-learners level only, through PuLP and HiGHS with a time limit), greedy (first
come, first served) and mcf (a single min-cost flow of the capacity part: the lower bound on
time). Peak memory is the process's peak RSS, instance generation included.

Calendar instances (``bench/calendar_instances.py``): sizes ``ics-cal``, ``region-cal``,
``nation-cal`` with methods cal-engine (the calendar MILP levels with leximin, a time limit per
level, proven gap per level), cal-pulp (the straightforward PuLP + HiGHS model: one integer
variable per request and reachable setting, one row per setting and day; level 1) and
cal-greedy, e.g. ``python -m bench.allocator --sizes ics-cal --methods cal-engine,cal-greedy``.
CPU seconds are printed beside the wall clock because the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from typing import Any

import numpy as np

from bench.instances import SIZES, generate

MAX_KM = 40.0
NAIVE_TIME_LIMIT_S = 120.0
NAIVE_MAX_BINARIES = 2_000_000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _levels(result: Any) -> dict[str, Any]:
    lv = result.levels
    return {
        "placed": lv.placed,
        "requested": lv.requested,
        "min_hei_fill": lv.min_hei_fill,
        "max_sector_util": lv.max_sector_utilisation,
        "learner_km": lv.learner_km,
    }


def run_engine(size: str, quick: bool, fairness: str = "leximin") -> dict[str, Any]:
    from tracker.optimise import Policy, allocate

    s, c, d = generate(SIZES[size])
    result = allocate(s, c, d, Policy(max_distance_km=MAX_KM, fairness=fairness))  # type: ignore[arg-type]
    t = result.timings
    build = t.get("validate", 0) + t.get("arcs", 0) + t.get("model_build", 0)
    solve = sum(v for k, v in t.items() if k.startswith("level_"))
    return {
        "build_s": build,
        "solve_s": solve,
        "total_s": t["total"],
        "status": result.status,
        "probes": int(t.get("probes", 0)),
        "hei_fills": sorted(round(float(f), 3) for f in result.hei_fill["fill_ratio"]),
        **_levels(result),
    }


def run_engine_max_min(size: str, quick: bool) -> dict[str, Any]:
    """The engine with ``fairness="max_min"``: the two one-step fairness levels of before."""
    return run_engine(size, quick, "max_min")


def run_greedy(size: str, quick: bool) -> dict[str, Any]:
    from tracker.optimise import Policy, greedy_allocate

    s, c, d = generate(SIZES[size])
    result = greedy_allocate(s, c, d, Policy(max_distance_km=MAX_KM))
    t = result.timings
    return {
        "build_s": t["validate"] + t["arcs"],
        "solve_s": t["level_greedy"],
        "total_s": t["total"],
        "status": "heuristic",
        **_levels(result),
    }


def run_mcf(size: str, quick: bool) -> dict[str, Any]:
    """One min-cost flow: source -> request -> place -> sink, plus an expensive bypass arc
    so that it places as many as possible (the bypass costs more than any augmenting path)."""
    import pylmcf

    from tracker.optimise import Policy
    from tracker.optimise.arcs import build_instance
    from tracker.optimise.validate import validate

    s, c, d = generate(SIZES[size])
    t0 = time.perf_counter()
    inst = build_instance(validate(s, c, d, Policy(max_distance_km=MAX_KM)))
    n_r, n_p = len(inst.request_left), len(inst.place_left)
    src, sink = n_r + n_p, n_r + n_p + 1
    tails = np.concatenate([np.full(n_r, src), inst.arc_request, n_r + np.arange(n_p), [src]])
    heads = np.concatenate([np.arange(n_r), n_r + inst.arc_place, np.full(n_p, sink), [sink]])
    total = int(inst.request_left.sum())
    caps = np.concatenate(
        [
            inst.request_left,
            inst.request_left[inst.arc_request],
            np.maximum(inst.place_left, 0),
            [total],
        ]
    )
    bypass = int(inst.arc_cost.max(initial=0)) * (n_r + n_p + 2) + 1  # above any path
    costs = np.concatenate(
        [np.zeros(n_r, np.int64), inst.arc_cost, np.zeros(n_p, np.int64), [bypass]]
    )
    order = np.lexsort((heads, tails))
    graph = pylmcf.Graph(
        n_r + n_p + 2, tails[order].astype(np.int32), heads[order].astype(np.int32)
    )
    graph.set_edge_capacities(caps[order].astype(np.int64))
    graph.set_edge_costs(costs[order].astype(np.int64))
    supply = np.zeros(n_r + n_p + 2, np.int64)
    supply[src], supply[sink] = total, -total
    graph.set_node_supply(supply)
    t1 = time.perf_counter()
    graph.solve()
    t2 = time.perf_counter()
    flow = np.empty(len(order), np.int64)
    flow[order] = np.asarray(graph.result())
    placed = total - int(flow[-1]) + inst.pinned_total
    km = float(np.nansum(flow[n_r : n_r + len(inst.arc_request)] * inst.arc_km))
    return {
        "build_s": t1 - t0,
        "solve_s": t2 - t1,
        "total_s": t2 - t0,
        "status": "optimal",
        "placed": placed,
        "requested": inst.requested_total,
        "min_hei_fill": None,
        "max_sector_util": None,
        "learner_km": km,
    }


def run_naive(size: str, quick: bool) -> dict[str, Any]:
    """One binary per learner and compatible setting; only "most learners placed"."""
    import pulp

    from tracker.optimise import Policy
    from tracker.optimise.arcs import build_instance
    from tracker.optimise.validate import validate

    s, c, d = generate(SIZES[size])
    t0 = time.perf_counter()
    inst = build_instance(validate(s, c, d, Policy(max_distance_km=MAX_KM)))
    deg = np.bincount(inst.arc_request, minlength=len(inst.request_left))
    binaries = int((deg * inst.request_left).sum())
    if binaries > NAIVE_MAX_BINARIES:
        return {"status": f"skipped: {binaries / 1e6:.1f} M binaries", "binaries": binaries}
    model = pulp.LpProblem("naive", pulp.LpMaximize)
    per_place: dict[int, list[Any]] = {}
    everything = []
    starts = np.searchsorted(inst.arc_request, np.arange(len(inst.request_left) + 1))
    for r, need in enumerate(inst.request_left):
        arcs = range(starts[r], starts[r + 1])
        for i in range(int(need)):
            xs = [model.add_variable(f"x{r}_{i}_{a}", 0, 1, cat="Binary") for a in arcs]
            if xs:
                model += pulp.LpAffineExpression([(x, 1) for x in xs]) <= 1
            for a, x in zip(arcs, xs, strict=True):
                per_place.setdefault(int(inst.arc_place[a]), []).append(x)
            everything.extend(xs)
    for p, xs in per_place.items():
        model += pulp.LpAffineExpression([(x, 1) for x in xs]) <= int(inst.place_left[p])
    model += pulp.LpAffineExpression([(x, 1) for x in everything])
    t1 = time.perf_counter()
    limit = 30.0 if quick else NAIVE_TIME_LIMIT_S
    model.solve(pulp.HiGHS(msg=False, timeLimit=limit))
    t2 = time.perf_counter()
    highs = getattr(model, "solverModel", None)
    native = str(highs.getModelStatus()) if highs is not None else pulp.LpStatus[model.status]
    placed = round(pulp.value(model.objective) or 0)
    status = "optimal" if "Optimal" in native else f"timeout ({limit:.0f} s): {native}"
    return {
        "build_s": t1 - t0,
        "solve_s": t2 - t1,
        "total_s": t2 - t0,
        "status": status,
        "binaries": binaries,
        "placed": placed,
        "requested": inst.requested_total,
        "min_hei_fill": None,
        "max_sector_util": None,
        "learner_km": None,
    }


CAL_TIME_LIMIT_S = {"ics": 60.0, "region": 180.0, "nation": 600.0}


def _calendar(size: str) -> Any:
    from bench.calendar_instances import generate_calendar

    return generate_calendar(SIZES[size.removesuffix("-cal")])


def _cal_limit(size: str, quick: bool) -> float:
    """Seconds per level: ``--level-limit`` (passed to each run as BENCH_LEVEL_LIMIT_S), else
    the size's default (a quarter of it with ``--quick``)."""
    given = os.environ.get("BENCH_LEVEL_LIMIT_S")
    if given:
        return float(given)
    return CAL_TIME_LIMIT_S[size.removesuffix("-cal")] / (4 if quick else 1)


def run_cal_engine(size: str, quick: bool) -> dict[str, Any]:
    """The calendar engine, every level, with a time limit per level MILP."""
    from tracker.optimise import Policy, allocate

    s, c, d = _calendar(size)
    limit = _cal_limit(size, quick)
    result = allocate(s, c, d, Policy(max_distance_km=MAX_KM, time_limit_s=limit))
    t = result.timings
    return {
        "build_s": t.get("validate", 0) + t.get("arcs", 0),
        "solve_s": sum(v for k, v in t.items() if k.startswith("level_")),
        "total_s": t["total"],
        "status": result.status,
        "gaps": {k: (None if v == float("inf") else v) for k, v in result.gaps.items()},
        "level_s": {k[6:]: v for k, v in t.items() if k.startswith("level_")},
        "fills": sorted(round(float(f), 4) for f in result.hei_fill["fill_ratio"]),
        **_levels(result),
    }


def run_cal_greedy(size: str, quick: bool) -> dict[str, Any]:
    """First come, first served on the calendar (the engine's start plan)."""
    from tracker.optimise import Policy, validate
    from tracker.optimise.calendar_instance import build_calendar_instance
    from tracker.optimise.calendar_parts import greedy_start

    s, c, d = _calendar(size)
    t0 = time.perf_counter()
    inst = build_calendar_instance(validate(s, c, d, Policy(max_distance_km=MAX_KM)))
    t1 = time.perf_counter()
    x = greedy_start(inst)
    t2 = time.perf_counter()
    placed_h = np.bincount(inst.request_hei[inst.arc_request], weights=x, minlength=len(inst.heis))
    fills = placed_h / np.maximum(inst.hei_requested, 1)
    return {
        "build_s": t1 - t0,
        "solve_s": t2 - t1,
        "total_s": t2 - t0,
        "status": "heuristic",
        "placed": int(x.sum()),
        "requested": int(inst.hei_requested.sum()),
        "min_hei_fill": float(fills.min()),
        "fills": sorted(round(float(f), 4) for f in fills),
        "max_sector_util": None,
        "learner_km": float(np.nansum(x * inst.arc_km)),
    }


def run_cal_pulp(size: str, quick: bool) -> dict[str, Any]:
    """Straightforward PuLP + HiGHS: one integer variable per request and reachable setting,
    one row per setting and day (every day, not only the check days); level 1 only."""
    import pulp

    from tracker.optimise import Policy, validate
    from tracker.optimise.calendar_instance import build_calendar_instance

    s, c, d = _calendar(size)
    t0 = time.perf_counter()
    problem = validate(s, c, d, Policy(max_distance_km=MAX_KM))
    inst = build_calendar_instance(problem)
    start = problem.demand["start_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    end = problem.demand["end_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    model = pulp.LpProblem("calendar", pulp.LpMaximize)
    x = [model.add_variable(f"x{a}", 0, int(u), cat="Integer") for a, u in enumerate(inst.arc_ub)]
    by_request: dict[int, list[Any]] = {}
    by_day: dict[tuple[int, int], list[Any]] = {}
    for a, (r, st) in enumerate(zip(inst.arc_request, inst.arc_setting, strict=True)):
        by_request.setdefault(int(r), []).append(x[a])
        for day in range(int(start[r]), int(end[r]) + 1):
            by_day.setdefault((int(st), day), []).append(x[a])
    for r, xs in by_request.items():
        model += pulp.LpAffineExpression([(v, 1) for v in xs]) <= int(inst.request_learners[r])
    cap = _places_by_day(problem, s)
    for key, xs in by_day.items():
        model += pulp.LpAffineExpression([(v, 1) for v in xs]) <= cap.get(key, 0)
    model += pulp.LpAffineExpression([(v, 1) for v in x])
    t1 = time.perf_counter()
    limit = _cal_limit(size, quick)
    model.solve(pulp.HiGHS(msg=False, timeLimit=limit))
    t2 = time.perf_counter()
    highs = getattr(model, "solverModel", None)
    native = str(highs.getModelStatus()) if highs is not None else pulp.LpStatus[model.status]
    return {
        "build_s": t1 - t0,
        "solve_s": t2 - t1,
        "total_s": t2 - t0,
        "status": ("optimal" if "Optimal" in native else f"timeout ({limit:.0f} s)")
        + f", {len(by_day):,} day rows, level 1 only",
        "placed": round(pulp.value(model.objective) or 0),
        "requested": int(inst.hei_requested.sum()),
        "min_hei_fill": None,
        "max_sector_util": None,
        "learner_km": None,
    }


def _places_by_day(problem: Any, settings: Any) -> dict[tuple[int, int], int]:
    c = problem.capacity
    pos = {sid: i for i, sid in enumerate(problem.settings["setting_id"])}
    start = c["start_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    end = c["end_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    out: dict[tuple[int, int], int] = {}
    for sid, a, b, n in zip(c["setting_id"], start, end, c["places"], strict=True):
        for day in range(int(a), int(b) + 1):
            out[(pos[sid], day)] = int(n)
    return out


RUNNERS = {
    "engine": run_engine,
    "engine-maxmin": run_engine_max_min,
    "naive": run_naive,
    "greedy": run_greedy,
    "mcf": run_mcf,
    "cal-engine": run_cal_engine,
    "cal-greedy": run_cal_greedy,
    "cal-pulp": run_cal_pulp,
}


def _one(size: str, method: str, quick: bool) -> None:
    warnings.simplefilter("ignore")
    out = RUNNERS[method](size, quick)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out.update(
        {
            "size": size,
            "method": method,
            "peak_mb": _peak_mb(),
            "cpu_s": usage.ru_utime + usage.ru_stime,  # the wall clock of a shared machine lies
        }
    )
    print(json.dumps(out))


def _gaps(r: dict[str, Any]) -> str:
    """Proven gap per level (calendar engine) and the sorted HEI fills."""
    out = ""
    if r.get("gaps"):
        seconds = r.get("level_s", {})
        shown = ", ".join(
            f"{k.replace('_', ' ')} {'?' if v is None else f'{v:.2%}'}"
            + (f" ({seconds[k]:.1f} s)" if k in seconds else "")
            for k, v in r["gaps"].items()
        )
        out += f"; gaps: {shown}"
    if r.get("fills"):
        out += f"; fills {r['fills']}"
    return out


def _name(size: str) -> str:
    base = SIZES[size.removesuffix("-cal")].name
    return f"{base}, calendar" if size.endswith("-cal") else base


def _fmt(v: Any, spec: str) -> str:
    return "—" if v is None else format(v, spec)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="ics,region,nation")
    parser.add_argument("--methods", default="engine,greedy,mcf,naive")
    parser.add_argument("--quick", action="store_true", help="ICS only, naive limit 30 s")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
    parser.add_argument(
        "--level-limit", type=float, help="calendar methods: seconds per level (else by size)"
    )
    parser.add_argument("--one", nargs=2, metavar=("SIZE", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        _one(args.one[0], args.one[1], args.quick)
        return
    sizes = ["ics"] if args.quick else args.sizes.split(",")
    if args.level_limit is not None:
        os.environ["BENCH_LEVEL_LIMIT_S"] = str(args.level_limit)
    rows = []
    print(
        "| size | method | build s | solve s | total s | CPU s | peak MB | placed / requested | "
        "lowest HEI fill | highest sector use | learner-km | status |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size in sizes:
        for method in args.methods.split(","):
            cmd = [sys.executable, "-m", "bench.allocator", "--one", size, method]
            if args.quick:
                cmd.append("--quick")
            try:
                done = subprocess.run(
                    cmd, capture_output=True, text=True, check=False, timeout=args.timeout
                )
            except subprocess.TimeoutExpired:
                print(f"| {_name(size)} | {method} | stopped after {args.timeout:.0f} s |")
                continue
            if done.returncode != 0:
                print(f"| {size} | {method} | failed: {done.stderr.strip().splitlines()[-1:]} |")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append(r)
            placed = f"{r['placed']:,} / {r['requested']:,}" if r.get("placed") is not None else "—"
            print(
                f"| {_name(size)} | {method} | {_fmt(r.get('build_s'), '.2f')} | "
                f"{_fmt(r.get('solve_s'), '.2f')} | {_fmt(r.get('total_s'), '.2f')} | "
                f"{_fmt(r.get('cpu_s'), '.1f')} | "
                f"{r['peak_mb']:.0f} | {placed} | {_fmt(r.get('min_hei_fill'), '.3f')} | "
                f"{_fmt(r.get('max_sector_util'), '.3f')} | "
                f"{_fmt(r.get('learner_km'), ',.0f')} | {r['status']}{_gaps(r)} |",
                flush=True,
            )
    for size in sizes:
        got = {r["method"]: r for r in rows if r["size"] == size}
        if "engine" in got and "mcf" in got:
            ratio = got["engine"]["total_s"] / got["mcf"]["total_s"]
            print(f"{_name(size)}: engine end-to-end is {ratio:.1f}x the min-cost-flow bound")


if __name__ == "__main__":
    main()
