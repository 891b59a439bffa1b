"""Second stage: named learners of each request into the places the plan gave that request.

Stage 1 allocates counts, so it never needs personal data; here each request is a small
assignment problem solved exactly: first place as many of its learners behind on practice
hours as possible (``behind_on_hours``), then as many of its learners as possible, each within
their own distance limit (reasonable adjustments), then prefer a sector the learner has not
had yet (placement variety), then the shortest journey. Placing the learners behind first
costs no other learner a place: in a bipartite matching any set of learners that can be
placed together is covered by some largest matching.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from tracker.optimise.cells import FALSE_WORDS, TRUE_WORDS
from tracker.optimise.geo import haversine_km
from tracker.optimise.model import AllocationResult, InputError, Problem

COLUMNS = [
    "learner_id",
    "request_id",
    "setting_id",
    "block",
    "sector",
    "distance_km",
    "new_sector",
    "reason_code",
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
    out["behind_on_hours"] = _flags(out, "behind_on_hours", problems)
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


#: An empty cell reads as no, as a missing column does.
FALSE = frozenset({*FALSE_WORDS, "", "nan", "none"})


def _flags(frame: pd.DataFrame, column: str, problems: list[Problem]) -> np.ndarray:
    """An optional yes/no column (absent or empty: no); anything else is named."""
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    words = frame[column].map(lambda v: str(v).strip().lower())
    for pos in np.flatnonzero(~words.isin(TRUE_WORDS | FALSE).to_numpy()):
        problems.append(
            Problem("learners", int(pos) + 2, column, frame[column].iat[pos], "must be yes or no")
        )
    flags: np.ndarray = words.isin(TRUE_WORDS).to_numpy()
    return flags


def assign_learners(
    result_or_placements: AllocationResult | pd.DataFrame,
    learners: pd.DataFrame,
    settings: pd.DataFrame,
) -> pd.DataFrame:
    """One row per learner: the setting they go to, or why they have none.

    ``learners``: learner_id, request_id, and optionally lat, lon, max_distance_km,
    sectors_had (';'-separated sectors of earlier placements), behind_on_hours (yes/no: placed
    before the request's other learners). Learners are swapped freely
    between the places the plan gave their request, so a learner with a tight limit gets a
    near place whenever some assignment allows it; a learner is never sent beyond their own
    limit (a reasonable adjustment is a hard rule), and ``reason_code`` / ``reason`` say why
    anyone is left without a place.
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
        g = slots_by_request.get(str(rid))
        if g is None:
            reason = f"no place was allocated to request {rid} (see the plan's unmet learners)"
            rows += [
                _row(p, None, None, None, np.nan, False, "no_place", reason)
                for p in group.itertuples(index=False)
            ]
            continue
        rows += _assign_request(str(rid), group, g, s)
    return pd.DataFrame(rows, columns=COLUMNS)


def _lexicographic_costs(
    metres: np.ndarray, allowed: np.ndarray, repeat: np.ndarray, behind: np.ndarray | None = None
) -> np.ndarray:
    """Integer costs whose minimum is lexicographic: most learners behind on hours within
    their own limit (when ``behind`` marks any), then most learners within their own limit,
    then fewest repeated sectors, then least travel.

    Each weight exceeds the largest possible total of everything below it, so no amount of
    travel can buy a repeated sector and no variety can buy a learner beyond their limit.
    Travel is coarsened (metres, then tens of metres, ...) only if the weights would no
    longer be exact in double precision, which the assignment solver uses. With learners
    behind, the matrix gains one "no place" column per learner (the cost of leaving them
    out), so every learner is matched and leaving out one behind costs the most.
    """
    n = max(min(metres.shape), 1)
    step = 1
    while True:
        travel = np.where(allowed, metres // step, 0)
        w_repeat = int(travel.max(initial=0)) * n + 1
        w_forbidden = (w_repeat + int(travel.max(initial=0))) * n + 1
        w_behind = w_forbidden * metres.shape[0] + 1
        largest = w_behind * (metres.shape[0] + 1) if behind is not None else w_forbidden * n
        if largest < 2**52:
            break
        step *= 10
    cost: np.ndarray = np.where(allowed, travel + w_repeat * repeat, w_forbidden).astype(np.float64)
    if behind is None:
        return cost
    left_out = w_forbidden + w_behind * behind.astype(np.float64)
    unplaced = np.full((len(behind), len(behind)), np.inf)  # each learner's own column
    np.fill_diagonal(unplaced, left_out)
    cost = np.where(allowed, cost, left_out[:, None])
    return np.hstack([cost, unplaced])


def _assign_request(
    rid: str, group: pd.DataFrame, g: pd.DataFrame, s: pd.DataFrame
) -> list[dict[str, object]]:
    """An exact assignment of one request's learners to its allocated places (Hungarian)."""
    counts = g["learners"].to_numpy(dtype=np.int64)
    slot_setting = np.repeat(g["setting_id"].to_numpy(), counts)
    slot_block = np.repeat(g["block"].astype(str).to_numpy(), counts)
    slot_sector = s.loc[slot_setting, "sector"].astype(str).to_numpy()
    km = haversine_km(
        group["lat"].to_numpy()[:, None],
        group["lon"].to_numpy()[:, None],
        s.loc[slot_setting, "lat"].to_numpy(dtype=float)[None, :],
        s.loc[slot_setting, "lon"].to_numpy(dtype=float)[None, :],
    )
    limit = group["max_distance_km"].to_numpy()[:, None]
    allowed = ~(km > limit)  # unknown distance or no personal limit: allowed
    repeat = np.array(
        [[sec in had for sec in slot_sector] for had in group["sectors_had"]], dtype=bool
    ).reshape(km.shape)
    metres = np.rint(np.nan_to_num(km) * 1000).astype(np.int64)
    behind = group["behind_on_hours"].to_numpy(dtype=bool)
    costs = _lexicographic_costs(metres, allowed, repeat, behind if behind.any() else None)
    who, where = linear_sum_assignment(costs)
    n_slots = len(slot_setting)
    chosen = {
        int(i): int(j) for i, j in zip(who, where, strict=True) if j < n_slots and allowed[i, j]
    }
    taken = set(chosen.values())
    rows: list[dict[str, object]] = []
    for i, p in enumerate(group.itertuples(index=False)):
        j = chosen.get(i)
        if j is not None:
            rows.append(
                _row(
                    p,
                    slot_setting[j],
                    slot_block[j],
                    slot_sector[j],
                    float(km[i, j]),
                    slot_sector[j] not in p.sectors_had,
                    None,
                    None,
                )
            )
            continue
        within = np.flatnonzero(allowed[i])
        if len(within) == 0:
            nearest = int(np.nanargmin(km[i])) if not np.isnan(km[i]).all() else 0
            code = "beyond_own_limit"
            reason = (
                f"none of the {n_slots} places allocated to request {rid} is within the "
                f"learner's own {p.max_distance_km:g} km limit; the nearest, setting "
                f"{slot_setting[nearest]}, is {km[i, nearest]:.1f} km away: the request "
                "needs a place nearer this learner"
            )
        elif len(group) > n_slots and all(j2 in taken for j2 in within):
            code = "more_learners_than_places"
            which = (
                "every allocated place"
                if len(within) == n_slots
                else f"the {len(within)} place(s) within this learner's own limit"
            )
            reason = (
                f"request {rid} has {len(group)} named learners and {n_slots} allocated "
                f"places; {which} went to other learners of the request, and no swap places "
                "more learners within their limits"
            )
        else:
            code = "own_limit_places_taken"
            reason = (
                f"the {len(within)} allocated place(s) within the learner's own "
                f"{p.max_distance_km:g} km limit went to other learners of request {rid} "
                "with limits of their own, and no swap places more learners within their "
                "limits: the request needs another place near this learner"
            )
        rows.append(_row(p, None, None, None, np.nan, False, code, reason))
    return rows


def _row(
    p: Any,
    setting: object,
    block: object,
    sector: object,
    km: float,
    new: bool,
    reason_code: str | None,
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
        "reason_code": reason_code,
        "reason": reason,
    }
