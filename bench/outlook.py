"""Outlook, a scenario's shortfall and the cheapest expansion on the demo data:
``python -m bench.outlook [--scales 1,10]``.

Each scale runs in its own process (peak memory is its own) on a fresh SQLite demo database
(``python -m tracker demo --scale N``'s data, in a temporary folder). Timed, as the services
answer the Outlook page and the ``outlook`` and ``expansion`` commands, as an administrator:

* outlook: the 10-year supply outlook with its backtest (``outlook_report``), the baseline;
* shortfall: one scenario's placement shortfall to its year without the expansion
  (``placement_shortfalls``, what the saved-scenario comparison computes per scenario);
* expansion: that scenario year's cheapest expansion with the allocator's check
  (``plan_expansion``, what the page's "Plan placements" button and ``expansion`` run).

The scenario is the documents' "+92% adult nursing by 2031, linear; +2 supervisors in every
care home from 2027", planned for 2029. Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCENARIO = {
    "intake_change": {"adult nursing": {"percent": 92, "by_year": 2031, "shape": "linear"}},
    "capacity_change": [{"sector": "care_home", "add_supervisors": 2, "from_year": 2027}],
}
YEAR = 2029
OUTLOOK_YEARS = 10
HEADER = (
    "| scale | learners | settings | requests | demo data s (CPU) | outlook s (CPU) "
    "| shortfall s (CPU) | expansion s (CPU) | supervisors added | at settings "
    "| placed / requested | status | checked | peak MB |"
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(work: Any) -> tuple[Any, tuple[float, float]]:
    """What ``work()`` returns, with its wall-clock and CPU seconds (the machine is shared:
    the CPU seconds say what the work itself took)."""
    started, cpu = time.perf_counter(), time.process_time()
    out = work()
    return out, (time.perf_counter() - started, time.process_time() - cpu)


def run_scale(scale: int, folder: Path) -> dict[str, Any]:
    """One scale: the demo database, then the three computations, each timed on its own
    (wall clock and CPU seconds)."""
    from sqlmodel import Session, func, select

    from tracker.access import SYSTEM
    from tracker.db import make_engine, session_scope, upgrade
    from tracker.measures.outlook_scenario import parse_scenario
    from tracker.models import Learner, PlacementRequest, PlacementSetting
    from tracker.services.demo import generate_demo
    from tracker.services.expansion import expansion_request, placement_shortfalls, plan_expansion
    from tracker.services.outlook import OutlookRequest, outlook_report

    engine = make_engine(f"sqlite:///{(folder / 'tracker.db').as_posix()}")
    upgrade(engine)

    def demo() -> None:
        with Session(engine) as session:
            generate_demo(session, scale=scale)
            session.commit()

    _, demo_s = _timed(demo)
    request = expansion_request(parse_scenario(SCENARIO), YEAR)
    outlook = OutlookRequest(years=OUTLOOK_YEARS, with_track_record=True)
    with session_scope(engine) as session:
        sizes = [
            session.exec(select(func.count()).select_from(table)).one()
            for table in (Learner, PlacementSetting, PlacementRequest)
        ]
        _, outlook_s = _timed(lambda: outlook_report(session, principal=SYSTEM, request=outlook))
        _, shortfall_s = _timed(
            lambda: placement_shortfalls(session, principal=SYSTEM, requests=[request])
        )
        report, expansion_s = _timed(
            lambda: plan_expansion(session, principal=SYSTEM, request=request)
        )
    engine.dispose()
    plan = report.plan
    return {
        "scale": scale,
        "sizes": sizes,
        "seconds": [demo_s, outlook_s, shortfall_s, expansion_s],
        "supervisors": plan.supervisors_added,
        "settings": len(plan.settings),
        "placed": [plan.placeable, plan.requested],
        "status": plan.status,
        "checked": report.checked,
        "peak_mb": _peak_mb(),
    }


def _row(r: dict[str, Any]) -> str:
    demo, *timed = (f"{wall:.1f} ({cpu:.1f})" for wall, cpu in r["seconds"])
    learners, settings, requests = r["sizes"]
    return (
        f"| {r['scale']} | {learners:,} | {settings:,} | {requests:,} | {demo} "
        f"| {' | '.join(timed)} | {r['supervisors']:,} "
        f"| {r['settings']:,} | {r['placed'][0]:,} / {r['placed'][1]:,} | {r['status']} "
        f"| {'yes' if r['checked'] else 'NO'} | {r['peak_mb']:.0f} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="1,10", help="demo scales, comma-separated")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per scale")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        with tempfile.TemporaryDirectory(prefix="bench-outlook-") as folder:
            print(json.dumps(run_scale(args.one, Path(folder))))
        return
    print(HEADER)
    print("|---" * (HEADER.count("|") - 1) + "|")
    for scale in (int(s) for s in args.scales.split(",")):
        command = [sys.executable, "-m", "bench.outlook", "--one", str(scale)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            print(f"| {scale} | stopped after {args.timeout:.0f} s |")
            continue
        if done.returncode != 0:
            print(f"| {scale} | failed: {done.stderr.strip().splitlines()[-1:]} |")
            continue
        print(_row(json.loads(done.stdout.strip().splitlines()[-1])), flush=True)


if __name__ == "__main__":
    main()
