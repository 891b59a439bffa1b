"""Turn a dated problem into arrays: arcs (request, setting) and one capacity row per setting
and check day.

A learner placed at a setting occupies a place on every day of the request's range, so an arc
exists only where the setting's capacity rows cover every one of those days with places (its
upper bound is the fewest places on any of them). The per-day rule only has to be checked on
the days where the set of learners present can grow or the places can shrink: the start day
of each request at the setting and the start day of each of its capacity rows (the elementary
intervals of the calendar). Everything else is as in ``arcs.py``: the same hard-rule filters
and the same exact distance pruning.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.optimise.arcs import _pairs_for_group, request_groups
from tracker.optimise.constraints import (
    add_active_setting,
    add_distance_limit,
    add_programme_hosted,
    add_required_sector,
)
from tracker.optimise.geo import haversine_km
from tracker.optimise.model import SECTORS, AllocationProblem
from tracker.optimise.quality_review import prefer_not_reviewed

_SPAN = 1_000_000  # day numbers of one setting never reach this: keys setting * _SPAN + day


@dataclass(frozen=True)
class CalendarInstance:
    """Arrays the calendar engine works on (indices into the validated tables)."""

    heis: tuple[str, ...]
    request_hei: np.ndarray
    request_learners: np.ndarray
    request_days: np.ndarray
    hei_requested: np.ndarray
    arc_request: np.ndarray
    arc_setting: np.ndarray
    arc_ub: np.ndarray  # fewest places over the request's days at the setting
    arc_km: np.ndarray
    arc_cost: np.ndarray  # whole metres
    row_indptr: np.ndarray  # capacity rows (setting x check day) as CSR over arcs
    row_arcs: np.ndarray
    row_places: np.ndarray
    row_setting: np.ndarray
    row_day: np.ndarray
    setting_sector: np.ndarray
    sector_place_days: np.ndarray  # place-days of each sector's active settings in the window
    window: tuple[np.datetime64, np.datetime64]


def _day(values: np.ndarray) -> np.ndarray:
    out: np.ndarray = values.astype("datetime64[D]").astype(np.int64)
    return out


def _covering(
    cap_key_start: np.ndarray,
    cap_end: np.ndarray,
    cap_places: np.ndarray,
    gaps: np.ndarray,
    a_s: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> np.ndarray:
    """Fewest places over each arc's days (0 when some day has no capacity row).

    Capacity rows are sorted by (setting, start) with keys ``setting * _SPAN + start``;
    ``gaps[i]`` counts the breaks in coverage before row ``i`` of the same sort.
    """
    first = np.searchsorted(cap_key_start, a_s * _SPAN + start, side="right") - 1
    last = np.searchsorted(cap_key_start, a_s * _SPAN + end, side="right") - 1
    ok = first >= 0
    first_c = np.clip(first, 0, None)
    ok &= (cap_key_start[first_c] // _SPAN) == a_s
    ok &= cap_end[first_c] >= start
    ok &= cap_end[np.clip(last, 0, None)] >= end
    ok &= gaps[np.clip(last, 0, None)] == gaps[first_c]
    fewest = cap_places[first_c].copy()
    width = int((last - first).max(initial=0))
    for k in range(1, width + 1):
        fewest = np.minimum(fewest, cap_places[np.minimum(first_c + k, np.clip(last, 0, None))])
    return np.where(ok, fewest, 0)


def build_calendar_instance(problem: AllocationProblem) -> CalendarInstance:
    settings, capacity, demand = problem.settings, problem.capacity, problem.demand
    s_pos = pd.Series(np.arange(len(settings)), index=settings["setting_id"].to_numpy())
    active = add_active_setting(settings["active"].to_numpy())
    sector_code = {s: i for i, s in enumerate(SECTORS)}
    setting_sector = settings["sector"].map(sector_code).to_numpy().astype(np.int64)
    cap_setting = s_pos.loc[capacity["setting_id"].to_numpy()].to_numpy().astype(np.int64)
    cap_start, cap_end = (
        _day(capacity["start_date"].to_numpy()),
        _day(capacity["end_date"].to_numpy()),
    )
    cap_places = capacity["places"].to_numpy().astype(np.int64)
    keep = active[cap_setting] & (cap_places > 0)
    order = np.lexsort((cap_start[keep], cap_setting[keep]))
    c_set, c_start = cap_setting[keep][order], cap_start[keep][order]
    c_end, c_places = cap_end[keep][order], cap_places[keep][order]
    new_setting = np.r_[True, c_set[1:] != c_set[:-1]]
    breaks = np.r_[False, (c_start[1:] != c_end[:-1] + 1) & ~new_setting[1:]]
    gaps = np.cumsum(breaks)
    key_start = c_set * _SPAN + c_start

    heis = tuple(sorted(set(demand["hei"])))
    request_hei = demand["hei"].map({h: i for i, h in enumerate(heis)}).to_numpy().astype(np.int64)
    learners = demand["learners"].to_numpy().astype(np.int64)
    r_start, r_end = _day(demand["start_date"].to_numpy()), _day(demand["end_date"].to_numpy())
    a_r, a_s = _candidate_pairs(problem, setting_sector, np.unique(c_set))
    km = haversine_km(
        demand["lat"].to_numpy()[a_r],
        demand["lon"].to_numpy()[a_r],
        settings["lat"].to_numpy()[a_s],
        settings["lon"].to_numpy()[a_s],
    )
    ub = _covering(key_start, c_end, c_places, gaps, a_s, r_start[a_r], r_end[a_r])
    ub = np.minimum(ub, learners[a_r])
    keep_arc = (ub > 0) & add_distance_limit(km, problem.policy.max_distance_km)
    a_r, a_s, km, ub = a_r[keep_arc], a_s[keep_arc], km[keep_arc], ub[keep_arc]
    order = np.lexsort((a_s, a_r))
    a_r, a_s, km, ub = a_r[order], a_s[order], km[order], ub[order]
    rows = _capacity_rows(a_s, r_start[a_r], r_end[a_r], ub, key_start, c_end, c_places)
    wanted = learners > 0
    lo = r_start[wanted].min() if wanted.any() else 0
    hi = r_end[wanted].max() if wanted.any() else -1
    overlap = np.clip(np.minimum(cap_end, hi) - np.maximum(cap_start, lo) + 1, 0, None)
    place_days = np.where(active[cap_setting], cap_places, 0) * overlap
    return CalendarInstance(
        heis=heis,
        request_hei=request_hei,
        request_learners=learners,
        request_days=r_end - r_start + 1,
        hei_requested=np.bincount(request_hei, weights=learners, minlength=len(heis)).astype(
            np.int64
        ),
        arc_request=a_r,
        arc_setting=a_s,
        arc_ub=ub,
        arc_km=km,
        arc_cost=prefer_not_reviewed(
            np.where(np.isnan(km), 0, np.rint(np.nan_to_num(km) * 1000)).astype(np.int64),
            a_s,
            settings,
            problem.policy,
            int(learners.sum()),
        ),
        **rows,
        setting_sector=setting_sector,
        sector_place_days=np.bincount(
            setting_sector[cap_setting], weights=place_days, minlength=len(SECTORS)
        ).astype(np.int64),
        window=(np.datetime64(int(lo), "D"), np.datetime64(int(hi), "D")),
    )


def _candidate_pairs(
    problem: AllocationProblem, setting_sector: np.ndarray, with_places: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(request, setting) pairs that the programme, sector and distance rules allow."""
    settings, demand = problem.settings, problem.demand
    hosted = list(settings["programmes"])
    lat, lon = settings["lat"].to_numpy(), settings["lon"].to_numpy()
    wanted = np.flatnonzero(demand["learners"].to_numpy() > 0)
    groups = request_groups(demand, wanted)
    sector_code = {s: i for i, s in enumerate(SECTORS)}
    parts_r, parts_s = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for (programme, sector), local in groups.items():
        ok = add_programme_hosted(hosted, programme)[with_places]
        ok &= add_required_sector(
            setting_sector[with_places], sector_code[sector] if sector else None
        )
        r, s = _pairs_for_group(
            wanted[local], with_places[ok], demand, lat, lon, problem.policy.max_distance_km
        )
        parts_r.append(r)
        parts_s.append(s)
    return np.concatenate(parts_r).astype(np.int64), np.concatenate(parts_s).astype(np.int64)


def _dominated(present: np.ndarray, places: np.ndarray) -> np.ndarray:
    """Check days whose row is implied by a neighbour's: the same learners or fewer, and as
    many places or more (of two equal rows the later one is kept)."""
    out = np.zeros(len(places), bool)
    if len(places) < 2:
        return out
    subset_next = ~(present[:-1] & ~present[1:]).any(axis=1)
    out[:-1] |= subset_next & (places[1:] <= places[:-1])
    subset_prev = ~(present[1:] & ~present[:-1]).any(axis=1)
    same = ~(present[1:] ^ present[:-1]).any(axis=1) & (places[1:] == places[:-1])
    out[1:] |= subset_prev & (places[:-1] <= places[1:]) & ~same
    return out


def _capacity_rows(
    a_s: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    ub: np.ndarray,
    key_start: np.ndarray,
    c_end: np.ndarray,
    c_places: np.ndarray,
) -> dict[str, np.ndarray]:
    """One row per setting and check day: learners present that day <= places that day.

    Check days are the arcs' start days and the capacity rows' start days inside an arc;
    a row whose learners could never exceed its places is left out.
    """
    indptr, members, places, row_setting, row_day = [0], [], [], [], []
    by_setting = np.argsort(a_s, kind="stable")
    bounds = np.flatnonzero(np.diff(a_s[by_setting])) + 1
    for arcs in np.split(by_setting, bounds) if len(a_s) else []:
        s = int(a_s[arcs[0]])
        lo, hi = np.searchsorted(key_start, [s * _SPAN, (s + 1) * _SPAN])
        cap_days = key_start[lo:hi] - s * _SPAN
        check = np.unique(np.concatenate([start[arcs], cap_days]))
        check = check[(check >= start[arcs].min()) & (check <= end[arcs].max())]
        present = (start[arcs][None, :] <= check[:, None]) & (check[:, None] <= end[arcs][None, :])
        row_cap = c_places[lo:hi][np.searchsorted(cap_days, check, side="right") - 1]
        for i in np.flatnonzero((present.sum(axis=1) > 0) & ~_dominated(present, row_cap)):
            inside = arcs[present[i]]
            if int(ub[inside].sum()) <= int(row_cap[i]):
                continue
            members.append(inside)
            indptr.append(indptr[-1] + len(inside))
            places.append(int(row_cap[i]))
            row_setting.append(s)
            row_day.append(int(check[i]))
    return {
        "row_indptr": np.asarray(indptr, np.int64),
        "row_arcs": np.concatenate(members) if members else np.empty(0, np.int64),
        "row_places": np.asarray(places, np.int64),
        "row_setting": np.asarray(row_setting, np.int64),
        "row_day": np.asarray(row_day, np.int64),
    }
