"""The cheapest expansion explained: per setting, per capacity row, and per request left out.

Kept apart from the model (``expansion.py``) so that what a planner reads can change without
touching the integer programme.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tracker.optimise.explain import _host_mask, _sector_phrase
from tracker.optimise.model import SECTOR_NAMES, AllocationProblem

SETTING_COLUMNS = [
    "setting_id",
    "sector",
    "supervisors_added",
    "places_added",
    "learners_let_in",
    "cost",
    "blocks",
    "explanation",
]
PLACE_COLUMNS = [
    "setting_id",
    "block",
    "sector",
    "places",
    "learners_per_supervisor",
    "places_added",
    "places_after",
    "placed",
    "learners_let_in",
]
UNPLACED_COLUMNS = [
    "request_id",
    "hei",
    "programme",
    "block",
    "learners",
    "unplaced",
    "reason_code",
    "reason",
]


def places_table(
    problem: AllocationProblem,
    today: tuple[np.ndarray, np.ndarray],
    added: np.ndarray,
    placed: np.ndarray,
) -> pd.DataFrame:
    """Every capacity row: places ``today`` (and learners per supervisor), added, after, and
    the learners the plan puts there; ``learners_let_in`` are those beyond today's places
    (who need the added supervisors)."""
    c = problem.capacity
    base, per = today
    sector = problem.settings.set_index("setting_id")["sector"]
    return pd.DataFrame(
        {
            "setting_id": c["setting_id"].to_numpy(),
            "block": c["block"].to_numpy(),
            "sector": sector.loc[c["setting_id"]].to_numpy(),
            "places": base,
            "learners_per_supervisor": per,
            "places_added": added,
            "places_after": base + added,
            "placed": placed,
            "learners_let_in": np.maximum(placed - base, 0),
        },
        columns=PLACE_COLUMNS,
    )


def settings_table(
    problem: AllocationProblem, places: pd.DataFrame, added: np.ndarray, cost: np.ndarray
) -> pd.DataFrame:
    """One row per setting that gains supervisors, most supervisors first, with a sentence."""
    s = problem.settings
    chosen = np.flatnonzero(added > 0)
    rows = []
    for i in chosen:
        sid, sector = s["setting_id"].iloc[i], s["sector"].iloc[i]
        mine = places[(places["setting_id"] == sid) & (places["places_added"] > 0)]
        by_block = _by_block(mine)
        n_added, let_in = int(added[i]), int(mine["learners_let_in"].sum())
        rows.append(
            {
                "setting_id": sid,
                "sector": sector,
                "supervisors_added": n_added,
                "places_added": int(mine["places_added"].sum()),
                "learners_let_in": let_in,
                "cost": float(cost[i] * n_added),
                "blocks": ", ".join(str(b) for b in mine["block"]),
                "explanation": (
                    f"{n_added} more supervisor{'s' if n_added != 1 else ''} at {sid} "
                    f"({SECTOR_NAMES[str(sector)]}) {'add' if n_added != 1 else 'adds'} "
                    f"{by_block} and {'let' if n_added != 1 else 'lets'} in "
                    f"{let_in} learner{'s' if let_in != 1 else ''} beyond today's places"
                ),
            }
        )
    table = pd.DataFrame(rows, columns=SETTING_COLUMNS)
    return table.sort_values(
        ["supervisors_added", "setting_id"], ascending=[False, True], ignore_index=True
    )


def _by_block(mine: pd.DataFrame) -> str:
    """The places a setting gains, said once when every block gains the same."""
    added = mine["places_added"].tolist()
    if len(set(added)) == 1:
        each = f"{added[0]} place{'s' if added[0] != 1 else ''}"
        return each if len(added) == 1 else f"{each} in each of {len(added)} blocks"
    return (
        "places ("
        + ", ".join(f"block {b}: +{n}" for b, n in zip(mine["block"], added, strict=True))
        + ")"
    )


def expanded_capacity(problem: AllocationProblem, added: np.ndarray) -> pd.DataFrame:
    """The allocator's capacity table with the added places: what ``allocate`` is run on."""
    c = problem.capacity
    return pd.DataFrame(
        {
            "setting_id": c["setting_id"].to_numpy(),
            "block": c["block"].to_numpy(),
            "places": c["places"].to_numpy().astype(np.int64) + added,
        }
    )


def unplaced_table(
    problem: AllocationProblem, placed: np.ndarray, has_arc: np.ndarray, cap: int | None
) -> pd.DataFrame:
    """Requests with learners no expansion places, and the first fact that stops them."""
    d, c = problem.demand, problem.capacity
    short = d["learners"].to_numpy() - placed
    out = []
    for r in np.flatnonzero(short > 0):
        req = d.iloc[r]
        code, reason = (
            _capped_reason(cap, int(short[r]))
            if has_arc[r]
            else _unreachable_reason(problem, req, c)
        )
        out.append(
            {
                "request_id": req["request_id"],
                "hei": req["hei"],
                "programme": req["programme"],
                "block": req["block"],
                "learners": int(req["learners"]),
                "unplaced": int(short[r]),
                "reason_code": code,
                "reason": reason,
            }
        )
    return pd.DataFrame(out, columns=UNPLACED_COLUMNS)


def _capped_reason(cap: int | None, short: int) -> tuple[str, str]:
    if cap is None:  # only a time limit can leave a reachable learner out without a cap
        return "time_limit", f"the time limit stopped the search with {short} still to place"
    return "capped", (
        f"with at most {cap} more supervisor{'s' if cap != 1 else ''} per setting, "
        f"{short} learner{'s' if short != 1 else ''} still cannot be placed"
    )


def _unreachable_reason(
    problem: AllocationProblem, req: pd.Series, capacity: pd.DataFrame
) -> tuple[str, str]:
    """Why no setting could take this request however many supervisors it had."""
    prog, block, who = req["programme"], req["block"], _sector_phrase(req["sector"])
    hosts = _host_mask(problem.settings, prog, req["sector"])
    if not hosts.any():
        return "not_hosted", f"no active {who}setting hosts {prog}"
    hosting = set(problem.settings["setting_id"].to_numpy()[hosts])
    offered = capacity["setting_id"].isin(hosting) & (capacity["block"] == block)
    if not offered.any():
        return "not_offered_in_block", f"no {who}setting hosting {prog} offers block {block}"
    km = problem.policy.max_distance_km
    within = "" if km is None or math.isnan(req["lat"]) else f" within {km:g} km"
    return "out_of_reach", f"no {who}setting hosting {prog} offers block {block}{within}"
