"""Stage 2 with named staff at integrated-care-system size: ``python -m bench.staff``.

Stage 1 allocates the seeded ICS instance (about 5,000 learners, 400 settings, 4 blocks of 8
weeks); each placed request gets its named learners (a few not ready, a few with tight travel
limits) and every setting its practice staff (supervisors, assessors per field hosted, an
educator per allied-health/social-work programme; roughly one person per two places, limits
of 1-3 learners, a few not yet prepared); a few settings' audits have expired. Prints one
line of figures.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date, timedelta

import numpy as np
import pandas as pd

from bench.instances import SIZES, generate
from tracker.optimise import allocate
from tracker.optimise.practice import assign_staff

FIELD = {
    "nursing_adult": "adult nursing",
    "nursing_mh": "mental health nursing",
    "nursing_child": "children's nursing",
    "midwifery": "midwifery",
    "physio": "physiotherapy",
    "ot": "occupational therapy",
    "paramedic": "paramedic science",
    "social_work": "social work",
}
NMC = ("nursing_adult", "nursing_mh", "nursing_child", "midwifery")
START = date(2027, 1, 4)


def _block_dates(block: str) -> tuple[date, date]:
    start = START + timedelta(weeks=9 * (int(block) - 1))
    return start, start + timedelta(days=7 * 8 - 3)


def build(size: str, seed: int = 7) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    settings, capacity, demand = generate(SIZES[size], seed)
    plan = allocate(settings, capacity, demand).placements
    dates = [_block_dates(str(b)) for b in plan["block"]]
    placements = plan[["request_id", "setting_id", "block", "learners"]].assign(
        start_date=[d[0].isoformat() for d in dates],
        end_date=[d[1].isoformat() for d in dates],
        programme=plan["programme"].to_numpy(),
    )
    req = demand.set_index("request_id")
    learners = []
    for r in demand.itertuples(index=False):
        end = _block_dates(str(r.block))[1]
        for n in range(int(r.learners)):
            ready = end + timedelta(days=int(rng.integers(-40, 400)))
            learners.append(
                {
                    "learner_id": f"{r.request_id}-{n}",
                    "request_id": r.request_id,
                    "programme": r.programme,
                    "field": FIELD[r.programme],
                    "lat": r.lat,
                    "lon": r.lon,
                    "max_distance_km": 15 if rng.random() < 0.05 else None,
                    "sectors_had": "acute" if rng.random() < 0.3 else None,
                    "ready_until": None if rng.random() < 0.01 else ready.isoformat(),
                }
            )
    staff = []
    peak = capacity.groupby("setting_id")["places"].max()
    hosted = placements.groupby("setting_id")["programme"].agg(lambda s: sorted(set(s)))
    for sid, programmes in hosted.items():
        places = int(peak.get(sid, 2))
        for k in range(max(1, places // 2)):
            staff.append((f"{sid}-PS{k}", sid, "practice_supervisor", "adult nursing", 2))
        for p in programmes:
            role = "practice_assessor" if p in NMC else "practice_educator"
            for k in range(max(1, places // (4 if p in NMC else 2))):
                staff.append((f"{sid}-{p}-{k}", sid, role, FIELD[p], 3))
    prepared = [
        (START + timedelta(days=30)) if rng.random() < 0.03 else (START - timedelta(days=200))
        for _ in staff
    ]
    staff_frame = pd.DataFrame(
        staff, columns=["staff_id", "setting_id", "roles", "field", "max_learners"]
    ).assign(prepared_on=[d.isoformat() for d in prepared])
    audits = pd.DataFrame(
        {
            "setting_id": settings["setting_id"],
            "audited_on": "2025-09-01",
            "expires_on": [
                "2027-03-01" if rng.random() < 0.03 else "2027-09-01" for _ in settings.index
            ],
            "outcome": "approved",
            "programmes": "*",
        }
    )
    del req
    return {
        "placements": placements.astype(str),
        "learners": pd.DataFrame(learners).astype(object),
        "settings": settings.astype(str),
        "staff": staff_frame.astype(str),
        "audits": audits.astype(str),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="ics", choices=sorted(SIZES))
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    case = build(args.size)
    built = time.perf_counter() - t0
    result = assign_staff(
        case["placements"], case["learners"], case["settings"], case["staff"], case["audits"]
    )
    total = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    codes = result.unassigned["reason_code"].value_counts().to_dict()
    print(
        f"| {SIZES[args.size].name} | {len(case['learners']):,} learners | "
        f"{len(case['staff']):,} staff | {len(result.assignments):,} fully assigned | "
        f"stage 1 + inputs {built:.1f} s | stage 2 {result.seconds:.1f} s | total {total:.1f} s | "
        f"{peak_mb:.0f} MB | {result.status} | {codes} |"
    )


if __name__ == "__main__":
    main()
