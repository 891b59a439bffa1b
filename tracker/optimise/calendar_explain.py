"""What a coordinator needs to trust a calendar plan: placements with their dates, fill per
HEI, utilisation per sector in learner-days over place-days, why each unmet learner is unmet,
the full settings (on which days) that held the fairness levels where they are.

Sector utilisation counts the place-days of the sector's active settings over the run's
window (the span from the earliest request start to the latest request end), as
``docs/optimiser.md`` records.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tracker.optimise.bottlenecks import BOTTLENECK_COLUMNS
from tracker.optimise.calendar_instance import CalendarInstance
from tracker.optimise.explain import (
    PLACEMENT_COLUMNS,
    UNMET_COLUMNS,
    _host_mask,
    _sector_phrase,
    utilisation_tables,
)
from tracker.optimise.leximin_explain import HEIS
from tracker.optimise.model import AllocationProblem, Held

CALENDAR_PLACEMENT_COLUMNS = [*PLACEMENT_COLUMNS, "start_date", "end_date"]


def _iso(day: object) -> str:
    return str(pd.Timestamp(day).date())


def calendar_placements(
    problem: AllocationProblem, inst: CalendarInstance, flow: np.ndarray
) -> pd.DataFrame:
    used = np.flatnonzero(flow > 0)
    d, s = problem.demand, problem.settings
    r, st = inst.arc_request[used], inst.arc_setting[used]
    out = pd.DataFrame(
        {
            "request_id": d["request_id"].to_numpy()[r],
            "setting_id": s["setting_id"].to_numpy()[st],
            "block": d["block"].to_numpy()[r],
            "learners": flow[used].astype(np.int64),
            "hei": d["hei"].to_numpy()[r],
            "programme": d["programme"].to_numpy()[r],
            "sector": s["sector"].to_numpy()[st],
            "distance_km": np.round(inst.arc_km[used].astype(float), 3),
            "pinned": np.zeros(len(used), np.int64),
            "start_date": [_iso(v) for v in d["start_date"].to_numpy()[r]],
            "end_date": [_iso(v) for v in d["end_date"].to_numpy()[r]],
        },
        columns=CALENDAR_PLACEMENT_COLUMNS,
    )
    return out.sort_values(["start_date", "request_id", "setting_id"], ignore_index=True)


def calendar_fairness(
    problem: AllocationProblem, inst: CalendarInstance, flow: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Fill per HEI; learner-days over place-days per sector and per setting."""
    placed_h = np.bincount(
        inst.request_hei[inst.arc_request], weights=flow, minlength=len(inst.heis)
    )
    hei = pd.DataFrame(
        {
            "hei": list(inst.heis),
            "requested": inst.hei_requested,
            "placed": placed_h.astype(np.int64),
        }
    )
    hei["fill_ratio"] = np.where(
        hei["requested"] > 0, hei["placed"] / hei["requested"].clip(1), 1.0
    )
    learner_days = flow * inst.request_days[inst.arc_request]
    n_s = len(problem.settings)
    used_days = np.bincount(inst.arc_setting, weights=learner_days, minlength=n_s).astype(np.int64)
    lo, hi = (int(v.astype(np.int64)) for v in inst.window)
    c = problem.capacity
    start = c["start_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    end = c["end_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    active = problem.settings.set_index("setting_id")["active"].loc[c["setting_id"]].to_numpy()
    overlap = np.clip(np.minimum(end, hi) - np.maximum(start, lo) + 1, 0, None)
    per_row = pd.Series(np.where(active, c["places"].to_numpy(), 0) * overlap)
    place_days = per_row.groupby(c["setting_id"].to_numpy()).sum()
    setting = pd.DataFrame(
        {
            "setting_id": problem.settings["setting_id"],
            "sector": problem.settings["sector"],
            "block": "",
            "places": place_days.reindex(problem.settings["setting_id"], fill_value=0).to_numpy(),
            "placed": used_days,
        }
    )
    return hei, *utilisation_tables(setting)


def full_rows(inst: CalendarInstance, flow: np.ndarray) -> np.ndarray:
    """Capacity rows (setting x check day) that the plan fills to the last place."""
    if len(inst.row_arcs) == 0:
        return np.empty(0, np.int64)
    load = np.add.reduceat(flow[inst.row_arcs], inst.row_indptr[:-1])
    return np.flatnonzero(load >= inst.row_places)


def _binding_settings(
    inst: CalendarInstance, flow: np.ndarray, r: int, full: np.ndarray
) -> list[int]:
    """Settings in reach of request ``r`` that are full on some day of its range."""
    arcs = np.flatnonzero(inst.arc_request == r)
    if len(arcs) == 0 or len(full) == 0:
        return []
    settings = set(inst.arc_setting[arcs].tolist())
    rows = full[np.isin(inst.row_setting[full], list(settings))]
    return sorted({int(inst.row_setting[i]) for i in rows})


def calendar_unmet(
    problem: AllocationProblem, inst: CalendarInstance, flow: np.ndarray, hei: pd.DataFrame
) -> pd.DataFrame:
    d, s = problem.demand, problem.settings
    placed_r = np.bincount(inst.arc_request, weights=flow, minlength=len(d)).astype(np.int64)
    short = d["learners"].to_numpy() - placed_r
    full = full_rows(inst, flow)
    fill = hei.set_index("hei")["fill_ratio"]
    max_km = problem.policy.max_distance_km
    has_arc = np.zeros(len(d), bool)
    has_arc[inst.arc_request] = True
    rows: list[dict[str, object]] = []
    for r in np.flatnonzero(short > 0):
        req = d.iloc[r]
        who, prog = _sector_phrase(req["sector"]), req["programme"]
        dates = f"{_iso(req['start_date'])} to {_iso(req['end_date'])}"
        within = (
            f" within {max_km:g} km" if max_km is not None and not math.isnan(req["lat"]) else ""
        )
        if not has_arc[r]:
            hosts = _host_mask(s, prog, req["sector"])
            if not hosts.any():
                code, text = "not_hosted", f"no active {who}setting hosts {prog}"
            else:
                code, text = (
                    "no_places_on_dates",
                    f"no {who}setting hosting {prog}{within} has places on every day from {dates}",
                )
        else:
            bound = _binding_settings(inst, flow, int(r), full)
            names = ", ".join(str(s["setting_id"].iat[i]) for i in bound[:5]) or "none"
            code = "fair_share" if len(inst.heis) > 1 else "too_few_places"
            text = (
                f"the {who}settings hosting {prog}{within} are full on some day from {dates} "
                f"(full: {names}); {req['hei']} is {float(fill.get(req['hei'], 0.0)):.0%} filled"
            )
        rows.append(
            {
                "request_id": req["request_id"],
                "hei": req["hei"],
                "programme": prog,
                "block": req["block"],
                "learners": int(short[r]),
                "reason_code": code,
                "reason": text,
            }
        )
    return pd.DataFrame(rows, columns=UNMET_COLUMNS).astype({"learners": "int64"})


def calendar_bottlenecks(
    problem: AllocationProblem, inst: CalendarInstance, flow: np.ndarray
) -> pd.DataFrame:
    """Full (setting, day) rows in reach of a request with unmet learners that covers the day."""
    columns = BOTTLENECK_COLUMNS
    placed_r = np.bincount(inst.arc_request, weights=flow, minlength=len(problem.demand))
    unmet_r = problem.demand["learners"].to_numpy() - placed_r
    full = full_rows(inst, flow)
    out = []
    for i in full:
        members = inst.row_arcs[inst.row_indptr[i] : inst.row_indptr[i + 1]]
        waiting = int(unmet_r[np.unique(inst.arc_request[members])].sum())
        if waiting <= 0:
            continue
        sid = problem.settings["setting_id"].iat[int(inst.row_setting[i])]
        out.append(
            {
                "setting_id": sid,
                "block": _iso(np.datetime64(int(inst.row_day[i]), "D")),
                "sector": problem.settings["sector"].iat[int(inst.row_setting[i])],
                "places": int(inst.row_places[i]),
                "placed": int(flow[members].sum()),
                "unmet_in_reach": waiting,
                "learners_per_supervisor": np.nan,
                "supervisors_to_add": np.nan,
            }
        )
    table = pd.DataFrame(out, columns=columns)
    return table.sort_values(
        ["unmet_in_reach", "setting_id", "block"], ascending=[False, True, True], ignore_index=True
    )


def fairness_held(
    problem: AllocationProblem, inst: CalendarInstance, flow: np.ndarray, hei: pd.DataFrame
) -> tuple[Held, ...]:
    """Which HEIs the fairness level held at which fill, and the full settings that held them
    (one round per fill value, lowest first)."""
    if len(hei) < 2:
        return ()
    d, s = problem.demand, problem.settings
    placed_r = np.bincount(inst.arc_request, weights=flow, minlength=len(d))
    full = full_rows(inst, flow)
    held: list[Held] = []
    ordered = hei[hei["requested"] > 0].sort_values(["fill_ratio", "hei"])
    for step, (ratio, group) in enumerate(ordered.groupby("fill_ratio", sort=True), start=1):
        members = tuple((str(h), float(ratio)) for h in group["hei"])
        if ratio >= 1.0:
            held.append(Held(HEIS, step, members, (), "fully_placed"))
            continue
        bound: set[int] = set()
        for h in group["hei"]:
            short = np.flatnonzero(
                (d["hei"].to_numpy() == h) & (d["learners"].to_numpy() > placed_r)
            )
            for r in short:
                bound.update(_binding_settings(inst, flow, int(r), full))
        places = tuple((str(s["setting_id"].iat[i]), "") for i in sorted(bound))
        held.append(Held(HEIS, step, members, places, "full" if places else "no_places"))
    return tuple(held)


def calendar_held_lines(held: tuple[Held, ...]) -> tuple[str, ...]:
    """The rounds of ``fairness_held`` as the plan's text explanation."""
    lines = []
    for round_ in held:
        names = ", ".join(name for name, _ in round_.members)
        if round_.reason == "fully_placed":
            lines.append(f"level {round_.round}: {names} fully placed (100%)")
            continue
        why = ", ".join(setting for setting, _ in round_.places[:8])
        reason = (
            f"the settings in reach of its unmet learners are full on their dates: {why}"
            if why
            else "no setting in reach has places on every day of its unmet requests"
        )
        lines.append(f"level {round_.round}: {names} held at {round_.members[0][1]:.1%}: {reason}")
    return tuple(lines)
