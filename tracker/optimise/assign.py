"""Second stage: named learners of each request into the places the plan gave that request.

Stage 1 allocates counts, so it never needs personal data; here each request is a small
assignment problem solved exactly: first place as many of its learners as possible within
each learner's own distance limit (reasonable adjustments), then prefer a sector the learner
has not had yet (placement variety), then the shortest journey.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from tracker.optimise.geo import haversine_km
from tracker.optimise.model import AllocationResult, InputError, Problem

_FORBIDDEN = 1e9
_REPEAT_SECTOR = 1e5

COLUMNS = [
    "learner_id",
    "request_id",
    "setting_id",
    "block",
    "sector",
    "distance_km",
    "new_sector",
    "reason",
]


def _learners(learners: pd.DataFrame) -> pd.DataFrame:
    problems = [
        Problem("learners", None, c, None, "required column is missing")
        for c in ("learner_id", "request_id")
        if c not in learners.columns
    ]
    if problems:
        raise InputError(problems)
    out = learners.reset_index(drop=True).copy()
    out["learner_id"] = out["learner_id"].astype(str).str.strip()
    out["request_id"] = out["request_id"].astype(str).str.strip()
    for pos in np.flatnonzero(out["learner_id"].duplicated().to_numpy()):
        problems.append(
            Problem(
                "learners", int(pos) + 2, "learner_id", out["learner_id"].iat[pos], "duplicate id"
            )
        )
    for column in ("lat", "lon", "max_distance_km"):
        raw = out[column] if column in out.columns else pd.Series(np.nan, index=out.index)
        out[column] = pd.to_numeric(raw, errors="coerce").astype(float)
        bad = raw.notna() & out[column].isna() & (raw.astype(str).str.strip() != "")
        for pos in np.flatnonzero(bad.to_numpy()):
            problems.append(
                Problem("learners", int(pos) + 2, column, raw.iat[pos], "must be a number")
            )
    if (out["max_distance_km"] <= 0).any():
        for pos in np.flatnonzero((out["max_distance_km"] <= 0).to_numpy()):
            problems.append(
                Problem(
                    "learners",
                    int(pos) + 2,
                    "max_distance_km",
                    out["max_distance_km"].iat[pos],
                    "must be greater than 0",
                )
            )
    if problems:
        raise InputError(problems)
    had = out["sectors_had"] if "sectors_had" in out.columns else pd.Series("", index=out.index)
    out["sectors_had"] = [
        frozenset(s.strip() for s in str(v).split(";") if s.strip())
        if isinstance(v, str)
        else frozenset()
        for v in had
    ]
    return out


def assign_learners(
    result_or_placements: AllocationResult | pd.DataFrame,
    learners: pd.DataFrame,
    settings: pd.DataFrame,
) -> pd.DataFrame:
    """One row per learner: the setting they go to, or why they have none.

    ``learners``: learner_id, request_id, and optionally lat, lon, max_distance_km,
    sectors_had (';'-separated sectors of earlier placements).
    """
    placements = (
        result_or_placements.placements
        if isinstance(result_or_placements, AllocationResult)
        else result_or_placements
    )
    people = _learners(learners)
    s = settings.copy()
    s["setting_id"] = s["setting_id"].astype(str).str.strip()
    for column in ("lat", "lon"):
        s[column] = pd.to_numeric(s[column], errors="coerce") if column in s.columns else np.nan
    s = s.set_index("setting_id")
    pl = placements.copy()
    pl["request_id"] = pl["request_id"].astype(str)
    pl["setting_id"] = pl["setting_id"].astype(str)
    slots_by_request = {rid: g for rid, g in pl[pl["learners"] > 0].groupby("request_id")}
    rows: list[dict[str, object]] = []
    for rid, group in people.groupby("request_id", sort=False):
        g = slots_by_request.get(rid)
        if g is None:
            for p in group.itertuples(index=False):
                rows.append(
                    _row(
                        p, None, None, None, np.nan, False, "no place was allocated to this request"
                    )
                )
            continue
        slot_setting = np.repeat(g["setting_id"].to_numpy(), g["learners"].to_numpy())
        slot_block = np.repeat(g["block"].astype(str).to_numpy(), g["learners"].to_numpy())
        slot_sector = s.loc[slot_setting, "sector"].astype(str).to_numpy()
        km = haversine_km(
            group["lat"].to_numpy()[:, None],
            group["lon"].to_numpy()[:, None],
            s.loc[slot_setting, "lat"].to_numpy(dtype=float)[None, :],
            s.loc[slot_setting, "lon"].to_numpy(dtype=float)[None, :],
        )
        limit = group["max_distance_km"].to_numpy()[:, None]
        allowed = ~(km > limit)  # unknown distance or no personal limit: allowed
        repeat = np.array([[sec in had for sec in slot_sector] for had in group["sectors_had"]])
        cost = np.where(allowed, np.nan_to_num(km) + _REPEAT_SECTOR * repeat, _FORBIDDEN)
        who, where = linear_sum_assignment(cost)
        chosen = dict(zip(who.tolist(), where.tolist(), strict=True))
        for i, p in enumerate(group.itertuples(index=False)):
            j = chosen.get(i)
            if j is None or not allowed[i, j]:
                reason = (
                    "more learners than places allocated to this request"
                    if j is None
                    else "no allocated place within the learner's own distance limit"
                )
                rows.append(_row(p, None, None, None, np.nan, False, reason))
                continue
            rows.append(
                _row(
                    p,
                    slot_setting[j],
                    slot_block[j],
                    slot_sector[j],
                    float(km[i, j]),
                    slot_sector[j] not in p.sectors_had,
                    None,
                )
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def _row(
    p: Any,
    setting: object,
    block: object,
    sector: object,
    km: float,
    new: bool,
    reason: str | None,
) -> dict[str, object]:
    return {
        "learner_id": p.learner_id,
        "request_id": p.request_id,
        "setting_id": setting,
        "block": block,
        "sector": sector,
        "distance_km": None if np.isnan(km) else round(km, 3),
        "new_sector": new,
        "reason": reason,
    }
