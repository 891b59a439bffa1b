"""What a coordinator needs to trust a plan: the placements in their own words, fairness
figures, why each unmet learner is unmet, and where extra places would help most.

Unmet reasons are derived from facts of the instance, checked in order: nobody hosts the
programme; nobody hosting it has places in that block; nobody with places is within the
distance limit; the places within reach are all taken (by other HEIs' learners at their fair
share, by the same HEI's other requests, or there are simply too few of them).

Bottlenecks (where more supervisors would place more learners, exactly how many) are in
``bottlenecks.py``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from tracker.optimise.arcs import Instance
from tracker.optimise.model import (
    SECTOR_NAMES,
    SECTORS,
    AllocationProblem,
    AllocationResult,
    ObjectiveLevels,
    Status,
)

PLACEMENT_COLUMNS = [
    "request_id",
    "setting_id",
    "block",
    "learners",
    "hei",
    "programme",
    "sector",
    "distance_km",
    "pinned",
]
UNMET_COLUMNS = ["request_id", "hei", "programme", "block", "learners", "reason_code", "reason"]


def placements_table(problem: AllocationProblem, inst: Instance, flow: np.ndarray) -> pd.DataFrame:
    """One row per (request, setting, block) with learners, pins included."""
    used = flow > 0
    parts = pd.DataFrame(
        {
            "request": np.concatenate([inst.arc_request[used], inst.pinned["request"].to_numpy()]),
            "place": np.concatenate([inst.arc_place[used], inst.pinned["place"].to_numpy()]),
            "learners": np.concatenate([flow[used], inst.pinned["learners"].to_numpy()]),
            "km": np.concatenate([inst.arc_km[used], inst.pinned["km"].to_numpy(dtype=float)]),
            "pinned": np.concatenate(
                [np.zeros(int(used.sum()), np.int64), inst.pinned["learners"].to_numpy()]
            ),
        }
    )
    if parts.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in PLACEMENT_COLUMNS}).astype(
            {"learners": "int64", "pinned": "int64", "distance_km": "float64"}
        )
    agg = parts.groupby(["request", "place"], as_index=False).agg(
        learners=("learners", "sum"), km=("km", "first"), pinned=("pinned", "sum")
    )
    d, c = problem.demand, problem.capacity
    sector = problem.settings.set_index("setting_id")["sector"]
    out = pd.DataFrame(
        {
            "request_id": d["request_id"].to_numpy()[agg["request"]],
            "setting_id": c["setting_id"].to_numpy()[agg["place"]],
            "block": c["block"].to_numpy()[agg["place"]],
            "learners": agg["learners"].to_numpy().astype(np.int64),
            "hei": d["hei"].to_numpy()[agg["request"]],
            "programme": d["programme"].to_numpy()[agg["request"]],
            "distance_km": agg["km"].round(3).to_numpy(),
            "pinned": agg["pinned"].to_numpy().astype(np.int64),
        }
    )
    out.insert(6, "sector", sector.loc[out["setting_id"]].to_numpy())
    return out.sort_values(["block", "request_id", "setting_id"], ignore_index=True)


def fairness_tables(
    problem: AllocationProblem, placements: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Fill ratio per HEI, utilisation per sector and per setting and block."""
    d = problem.demand
    requested = d.groupby("hei")["learners"].sum()
    placed = placements.groupby("hei")["learners"].sum().reindex(requested.index, fill_value=0)
    hei = pd.DataFrame(
        {
            "hei": requested.index,
            "requested": requested.to_numpy(),
            "placed": placed.to_numpy().astype(np.int64),
        }
    )
    hei["fill_ratio"] = np.where(
        hei["requested"] > 0, hei["placed"] / hei["requested"].clip(1), 1.0
    )

    s = problem.settings.set_index("setting_id")
    cap = problem.capacity.copy()
    cap["sector"] = s.loc[cap["setting_id"], "sector"].to_numpy()
    cap["places"] = np.where(s.loc[cap["setting_id"], "active"].to_numpy(), cap["places"], 0)
    got = placements.groupby(["setting_id", "block"])["learners"].sum()
    key = pd.MultiIndex.from_arrays([cap["setting_id"], cap["block"]])
    cap["placed"] = got.reindex(key, fill_value=0).to_numpy().astype(np.int64)
    setting = cap[["setting_id", "sector", "block", "places", "placed"]].reset_index(drop=True)
    return hei, *utilisation_tables(setting)


def utilisation_tables(setting: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per sector and per setting: placed over places (whatever unit both are counted in)."""
    setting = setting.copy()
    setting["utilisation"] = np.where(
        setting["places"] > 0, setting["placed"] / setting["places"].clip(lower=1), 0.0
    )
    by_sector = setting.groupby("sector")[["places", "placed"]].sum()
    sector = by_sector.reindex([x for x in SECTORS if x in by_sector.index]).reset_index()
    sector = sector[sector["places"] > 0].reset_index(drop=True)
    sector["utilisation"] = sector["placed"] / sector["places"]
    return sector, setting


def objective_levels(
    problem: AllocationProblem,
    placements: pd.DataFrame,
    hei: pd.DataFrame,
    sector: pd.DataFrame,
    moved: int | None = None,
) -> ObjectiveLevels:
    """The value each level reached, read off the finished plan's tables."""
    learner_km = float(
        np.nansum(
            placements["learners"].to_numpy() * placements["distance_km"].to_numpy(dtype=float)
        )
    )
    has_req = hei["requested"] > 0
    return ObjectiveLevels(
        requested=int(problem.demand["learners"].sum()),
        placed=int(placements["learners"].sum()),
        min_hei_fill=float(hei.loc[has_req, "fill_ratio"].min()) if has_req.any() else 1.0,
        max_sector_utilisation=float(sector["utilisation"].max()) if len(sector) else 0.0,
        learner_km=round(learner_km, 3),
        moved_learners=moved,
    )


def plan_result(
    problem: AllocationProblem,
    status: Status,
    tables: Sequence[pd.DataFrame],
    solver: str,
    timings: Mapping[str, float],
    messages: Sequence[str] = (),
    moved: int | None = None,
) -> AllocationResult:
    """The result of a finished solve from its ``tables`` (placements, unmet, HEI fill,
    sector and setting utilisation, bottlenecks, in that order), with the levels they reached:
    the network/LP path and the calendar path build the same result this one way."""
    placements, unmet, hei, sector, setting, bottlenecks = tables
    levels = objective_levels(problem, placements, hei, sector, moved)
    plan = (status, placements, unmet, hei, sector, setting, bottlenecks, levels)
    return AllocationResult(*plan, solver, timings, problem.policy, tuple(messages))


def _sector_phrase(sector: object) -> str:
    return (
        ""
        if sector is None or (isinstance(sector, float) and math.isnan(sector))
        else (SECTOR_NAMES[str(sector)] + " ")
    )


def unmet_table(
    problem: AllocationProblem,
    inst: Instance,
    flow: np.ndarray,
    placements: pd.DataFrame,
    hei_fill: pd.DataFrame,
) -> pd.DataFrame:
    d = problem.demand
    placed_r = (
        placements.groupby("request_id")["learners"]
        .sum()
        .reindex(d["request_id"], fill_value=0)
        .to_numpy()
    )
    short = d["learners"].to_numpy() - placed_r
    rows = np.flatnonzero(short > 0)
    if len(rows) == 0:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in UNMET_COLUMNS}).astype(
            {"learners": "int64"}
        )
    s, c = problem.settings, problem.capacity
    max_km = problem.policy.max_distance_km
    active = s.set_index("setting_id")["active"]
    c_active = active.loc[c["setting_id"]].to_numpy()
    setting_of_place = (
        pd.Series(np.arange(len(s)), index=s["setting_id"]).loc[c["setting_id"]].to_numpy()
    )
    place_total = np.where(c_active, c["places"].to_numpy(), 0)
    at_place, hei_at_place = _learners_at_places(c, inst.heis, placements)
    hei_code = {h: i for i, h in enumerate(inst.heis)}
    fill = hei_fill.set_index("hei")["fill_ratio"]
    lowest = _lowest_fill(hei_fill)
    arc_order = np.argsort(inst.arc_request, kind="stable")
    arc_starts = np.searchsorted(inst.arc_request[arc_order], np.arange(len(d) + 1))
    host_cache: dict[tuple[object, object], np.ndarray] = {}
    out: list[dict[str, object]] = []
    for r in rows:
        req = d.iloc[r]
        prog, block, hei = req["programme"], req["block"], req["hei"]
        who = _sector_phrase(req["sector"])
        within = ""
        if max_km is not None and not math.isnan(req["lat"]):
            within = f" within {max_km:g} km"
        arcs = arc_order[arc_starts[r] : arc_starts[r + 1]]
        if len(arcs) == 0:
            key = (prog, req["sector"])
            if key not in host_cache:
                host_cache[key] = _host_mask(s, prog, req["sector"])
            hosts = host_cache[key]
            in_block = (
                hosts[setting_of_place] & (c["block"].to_numpy() == block) & (place_total > 0)
            )
            code, text = _unreached_reason(
                bool(hosts.any()), bool(in_block.any()), who, prog, block, within
            )
        else:
            places = np.unique(inst.arc_place[arcs])
            hei_in_reach = int(hei_at_place[places, hei_code[hei]].sum())
            code, text = _reached_reason(
                in_reach=int(place_total[places].sum()),
                other_hei=int(at_place[places].sum()) - hei_in_reach,
                same_hei=hei_in_reach - int(placed_r[r]),
                where=f"{who}settings hosting {prog} in block {block}{within}",
                hei=str(hei),
                fill=float(fill.get(hei, 0.0)),
                lowest=lowest,
                learners=int(req["learners"]),
            )
        out.append(
            {
                "request_id": req["request_id"],
                "hei": hei,
                "programme": prog,
                "block": block,
                "learners": int(short[r]),
                "reason_code": code,
                "reason": text,
            }
        )
    return pd.DataFrame(out, columns=UNMET_COLUMNS)


def _lowest_fill(hei_fill: pd.DataFrame) -> float:
    asked = hei_fill["requested"].to_numpy() > 0
    return float(hei_fill["fill_ratio"].to_numpy()[asked].min()) if asked.any() else 1.0


def _host_mask(settings: pd.DataFrame, programme: object, sector: object) -> np.ndarray:
    """Active settings that host the programme (in the required sector, if any)."""
    hosted = list(settings["programmes"])
    mask = np.fromiter((h is None or programme in h for h in hosted), bool, len(hosted))
    mask &= settings["active"].to_numpy()
    if sector is not None:
        mask &= (settings["sector"] == sector).to_numpy()
    return mask


def _learners_at_places(
    capacity: pd.DataFrame, heis: tuple[str, ...], placements: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Learners of the plan at each place (capacity row), in total and by HEI."""
    c = capacity
    place_key = pd.Series(
        np.arange(len(c)), index=pd.MultiIndex.from_arrays([c["setting_id"], c["block"]])
    )
    at_place = np.zeros(len(c), np.int64)
    pl_place = (
        place_key.loc[
            pd.MultiIndex.from_arrays([placements["setting_id"], placements["block"]])
        ].to_numpy()
        if len(placements)
        else (np.empty(0, np.int64))
    )
    np.add.at(at_place, pl_place, placements["learners"].to_numpy().astype(np.int64))
    hei_code = {h: i for i, h in enumerate(heis)}
    hei_at_place = np.zeros((len(c), len(heis)), np.int64)
    if len(placements):
        np.add.at(
            hei_at_place,
            (pl_place, placements["hei"].map(hei_code).to_numpy()),
            placements["learners"].to_numpy().astype(np.int64),
        )
    return at_place, hei_at_place


def _unreached_reason(
    hosted: bool, in_block: bool, who: str, prog: object, block: object, within: str
) -> tuple[str, str]:
    """Why a request with no arc at all is unmet: the first fact that rules every place out."""
    if not hosted:
        return "not_hosted", f"no active {who}setting hosts {prog}"
    if not in_block:
        return "no_places_in_block", f"no {who}setting hosting {prog} has places in block {block}"
    return "out_of_reach", f"no {who}setting hosting {prog} has places in block {block}{within}"


def _reached_reason(
    *,
    in_reach: int,
    other_hei: int,
    same_hei: int,
    where: str,
    hei: str,
    fill: float,
    lowest: float,
    learners: int,
) -> tuple[str, str]:
    """Why a request with places in reach is unmet: who took those places."""
    if other_hei > 0:
        return "fair_share", (
            f"places exist but went to other HEIs' fair share: {other_hei} of the "
            f"{in_reach} places at {where} went to other HEIs' learners; {hei} is "
            f"{fill:.0%} filled, the lowest HEI {lowest:.0%}"
        )
    if same_hei > 0:
        return (
            "own_other_requests",
            f"the {in_reach} places at {where} went to {hei}'s other requests",
        )
    return "too_few_places", f"only {in_reach} places at {where}, for {learners} learners"
