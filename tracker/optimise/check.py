"""Re-check every hard rule on a finished plan, knowing nothing of how it was produced.

Tests use :func:`check_plan` as an independent referee of both engines and of greedy; it
works on the validated tables only and names each violation by its rule's human name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from tracker.optimise.constraints import RULES
from tracker.optimise.geo import haversine_km

CHECK_COLUMNS = ["rule", "request_id", "setting_id", "block", "detail"]
Report = Callable[[str, object, object, object, str], None]


def check_plan(
    settings: pd.DataFrame,
    capacity: pd.DataFrame,
    demand: pd.DataFrame,
    placements: pd.DataFrame,
    *,
    max_distance_km: float | None = None,
    pins: Sequence[tuple[str, str, str, int]] = (),
) -> pd.DataFrame:
    """Every hard-rule violation in a plan (empty when the plan is valid).

    Columns: rule (human name), request_id, setting_id, block, detail.
    """
    rows: list[dict[str, object]] = []

    def bad(rule: str, request: object, setting: object, block: object, detail: str) -> None:
        rows.append(
            {
                "rule": RULES[rule],
                "request_id": request,
                "setting_id": setting,
                "block": block,
                "detail": detail,
            }
        )

    p = placements[placements["learners"] != 0]
    _check_pairs(settings, demand, p, max_distance_km, bad)
    _check_counts(capacity, demand, p, pins, bad)
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def _check_pairs(
    settings: pd.DataFrame,
    demand: pd.DataFrame,
    p: pd.DataFrame,
    max_distance_km: float | None,
    bad: Report,
) -> None:
    """The rules on each (request, setting) pair of the plan."""
    s = settings.set_index("setting_id")
    d = demand.set_index("request_id")
    for row in p.itertuples(index=False):
        if row.learners < 0:
            bad("request_size", row.request_id, row.setting_id, row.block, "negative learners")
        if row.request_id not in d.index or row.setting_id not in s.index:
            bad("programme_hosted", row.request_id, row.setting_id, row.block, "unknown id")
            continue
        req = d.loc[row.request_id]
        st = s.loc[row.setting_id]
        if str(row.block) != req["block"]:
            bad("request_size", row.request_id, row.setting_id, row.block, "wrong block")
        if not bool(st["active"]) and bool(st.get("closed", False)):
            bad("quality_review", row.request_id, row.setting_id, row.block, "under review")
        elif not bool(st["active"]):
            bad("active_setting", row.request_id, row.setting_id, row.block, "setting inactive")
        if st["programmes"] is not None and req["programme"] not in st["programmes"]:
            bad(
                "programme_hosted",
                row.request_id,
                row.setting_id,
                row.block,
                f"{req['programme']} not hosted",
            )
        if req["sector"] is not None and req["sector"] != st["sector"]:
            bad(
                "required_sector",
                row.request_id,
                row.setting_id,
                row.block,
                f"needs {req['sector']}, setting is {st['sector']}",
            )
        km = float(haversine_km(req["lat"], req["lon"], st["lat"], st["lon"]))
        if max_distance_km is not None and np.isfinite(km) and km > max_distance_km + 1e-9:
            bad("distance_limit", row.request_id, row.setting_id, row.block, f"{km:.1f} km")


def _check_counts(
    capacity: pd.DataFrame,
    demand: pd.DataFrame,
    p: pd.DataFrame,
    pins: Sequence[tuple[str, str, str, int]],
    bad: Report,
) -> None:
    """The rules on totals: places per setting and block, request sizes, pins kept."""
    d = demand.set_index("request_id")
    places = {
        (a, str(b)): int(n)
        for a, b, n in zip(
            capacity["setting_id"], capacity["block"], capacity["places"], strict=True
        )
    }
    for (sid, block), n in p.groupby(["setting_id", "block"])["learners"].sum().items():
        have = places.get((sid, str(block)), 0)
        if n > have:
            bad("supervisor_capacity", None, sid, block, f"{n} learners for {have} places")
    for rid, n in p.groupby("request_id")["learners"].sum().items():
        if rid in d.index and n > int(d.loc[rid, "learners"]):
            bad(
                "request_size",
                rid,
                None,
                d.loc[rid, "block"],
                f"{n} placed for {int(d.loc[rid, 'learners'])} requested",
            )
    if pins:
        got = p.groupby(["request_id", "setting_id", "block"])["learners"].sum()
        for rid, sid, block, n in pins:
            have_pinned = int(got.get((rid, sid, str(block)), 0))
            if have_pinned < n:
                bad("pinned_placements", rid, sid, block, f"{have_pinned} placed, {n} pinned")
