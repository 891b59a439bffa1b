"""Turn validated tables into index arrays: requests, places (setting x block) and the arcs
between them that no hard rule forbids.

Both solvers (``network.py`` and ``lp.py``) start from the same :class:`Instance`, so they
differ only in how they optimise. Pairs are generated per block and per (programme, required
sector) group, and distance pruning uses a k-d tree on the unit sphere, so a national instance
never materialises the full request x setting cross product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from tracker.optimise.constraints import (
    add_active_setting,
    add_distance_limit,
    add_programme_hosted,
    add_required_sector,
)
from tracker.optimise.geo import chord_for_km, haversine_km, unit_vectors
from tracker.optimise.model import SECTORS, AllocationProblem
from tracker.optimise.quality_review import prefer_not_reviewed


@dataclass(frozen=True)
class Instance:
    """Arrays the solvers work on. Counts for requests and places are what is left after pins."""

    request_left: np.ndarray  # learners still to place per request (after pins)
    request_hei: np.ndarray  # HEI index per request
    heis: tuple[str, ...]
    hei_requested: np.ndarray  # learners requested per HEI (whole run, pins included)
    hei_pinned: np.ndarray
    place_left: np.ndarray  # free places per capacity row (0 at inactive settings)
    place_sector: np.ndarray  # sector index per capacity row
    sector_places: np.ndarray  # places over each sector's active settings
    sector_pinned: np.ndarray
    arc_request: np.ndarray
    arc_place: np.ndarray
    arc_km: np.ndarray  # NaN when a location is unknown
    arc_cost: np.ndarray  # whole metres, 0 when unknown: integral costs keep flows exact
    pinned: pd.DataFrame  # request, place, learners, km (indices, not ids)
    arc_previous: np.ndarray | None  # previous plan's learners per arc, beyond any pin

    @property
    def pinned_total(self) -> int:
        return int(self.pinned["learners"].sum())

    @property
    def requested_total(self) -> int:
        return int(self.hei_requested.sum())


def _pairs_for_group(
    req_idx: np.ndarray,
    place_idx: np.ndarray,
    demand: pd.DataFrame,
    place_lat: np.ndarray,
    place_lon: np.ndarray,
    max_km: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """All (request, place) pairs of a compatible group, pruned by distance when possible."""
    if len(req_idx) == 0 or len(place_idx) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if max_km is None:
        return np.repeat(req_idx, len(place_idx)), np.tile(place_idx, len(req_idx))
    r_lat = demand["lat"].to_numpy()[req_idx]
    r_lon = demand["lon"].to_numpy()[req_idx]
    r_known = ~np.isnan(r_lat)
    p_known = ~np.isnan(place_lat[place_idx])
    parts_r: list[np.ndarray] = []
    parts_p: list[np.ndarray] = []
    # pairs with an unknown location cannot be pruned by distance
    unknown_r = req_idx[~r_known]
    parts_r.append(np.repeat(unknown_r, len(place_idx)))
    parts_p.append(np.tile(place_idx, len(unknown_r)))
    known_r = req_idx[r_known]
    unknown_p = place_idx[~p_known]
    parts_r.append(np.repeat(known_r, len(unknown_p)))
    parts_p.append(np.tile(unknown_p, len(known_r)))
    known_p = place_idx[p_known]
    if len(known_r) and len(known_p):
        tree = cKDTree(unit_vectors(place_lat[known_p], place_lon[known_p]))
        hits = tree.query_ball_point(
            unit_vectors(r_lat[r_known], r_lon[r_known]), chord_for_km(max_km), return_sorted=False
        )
        counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
        if counts.sum():
            flat = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits if len(h)])
            parts_r.append(np.repeat(known_r, counts))
            parts_p.append(known_p[flat])
    return np.concatenate(parts_r), np.concatenate(parts_p)


def request_groups(demand: pd.DataFrame, rows: np.ndarray) -> dict[tuple[str, str], np.ndarray]:
    """Requests (positions within ``rows``) by programme and required sector ("" for any):
    the requests of one group have the same candidate settings before distance."""
    programme, sector = demand["programme"].iloc[rows], demand["sector"].iloc[rows].fillna("")
    groups: dict[tuple[str, str], np.ndarray] = (
        demand.iloc[rows].groupby([programme, sector], sort=False).indices
    )
    return groups


def build_instance(problem: AllocationProblem) -> Instance:
    capacity, demand = problem.capacity, problem.demand
    at = _places(problem)
    place_setting, places, place_active = at.setting, at.places, at.active
    place_sector = at.setting_sector[place_setting]
    heis = tuple(sorted(set(demand["hei"])))
    hei_code = {h: i for i, h in enumerate(heis)}
    request_hei = demand["hei"].map(hei_code).to_numpy().astype(np.int64)
    learners = demand["learners"].to_numpy().astype(np.int64)

    pinned = _pinned(problem, at.lat, at.lon)
    pr = pinned["request"].to_numpy(dtype=np.int64)
    pp = pinned["place"].to_numpy(dtype=np.int64)
    pin_n = pinned["learners"].to_numpy(dtype=np.int64)
    request_left = learners - np.bincount(pr, weights=pin_n, minlength=len(demand)).astype(np.int64)
    place_left = np.where(place_active, places, 0) - np.bincount(
        pp, weights=pin_n, minlength=len(capacity)
    ).astype(np.int64)
    a_r, a_p, km = _arcs(problem, at, place_active & (places > 0))
    cost = np.where(np.isnan(km), 0, np.rint(np.nan_to_num(km) * 1000)).astype(np.int64)
    total = int(request_left.sum())
    cost = prefer_not_reviewed(cost, place_setting[a_p], problem.settings, problem.policy, total)

    arc_previous = None
    prev = problem.previous
    if prev is not None and problem.policy.stay_close_to_previous and len(a_r):
        arc_previous = _previous_on_arcs(prev, demand, capacity, a_r, a_p, pinned)

    hei_requested = np.bincount(request_hei, weights=learners, minlength=len(heis)).astype(np.int64)
    hei_pinned = np.bincount(request_hei[pr], weights=pin_n, minlength=len(heis)).astype(np.int64)
    sector_places = np.bincount(
        place_sector, weights=np.where(place_active, places, 0), minlength=len(SECTORS)
    ).astype(np.int64)
    sector_pinned = np.bincount(place_sector[pp], weights=pin_n, minlength=len(SECTORS)).astype(
        np.int64
    )
    return Instance(
        request_left=request_left,
        request_hei=request_hei,
        heis=heis,
        hei_requested=hei_requested,
        hei_pinned=hei_pinned,
        place_left=place_left,
        place_sector=place_sector,
        sector_places=sector_places,
        sector_pinned=sector_pinned,
        arc_request=a_r,
        arc_place=a_p,
        arc_km=km,
        arc_cost=cost,
        pinned=pinned,
        arc_previous=arc_previous,
    )


def _arcs(
    problem: AllocationProblem, at: _Places, open_place: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(request, place, km) of every pair no hard rule forbids, among the open places."""
    demand = problem.demand
    arc_r, arc_p = _candidate_pairs(problem, at, open_place)
    a_r = np.concatenate(arc_r) if arc_r else np.empty(0, np.int64)
    a_p = np.concatenate(arc_p) if arc_p else np.empty(0, np.int64)
    km = haversine_km(
        demand["lat"].to_numpy()[a_r], demand["lon"].to_numpy()[a_r], at.lat[a_p], at.lon[a_p]
    )
    keep = add_distance_limit(km, problem.policy.max_distance_km)
    a_r, a_p, km = a_r[keep], a_p[keep], km[keep]
    order = np.lexsort((a_p, a_r))
    return a_r[order], a_p[order], km[order]


def empty_place_arcs(problem: AllocationProblem) -> tuple[np.ndarray, np.ndarray]:
    """(request, place) pairs to the active capacity rows with no places, which the solvers
    leave out: where one supervisor would open a place, these are the learners it could take."""
    at = _places(problem)
    a_r, a_p, _ = _arcs(problem, at, at.active & (at.places == 0))
    return a_r, a_p


@dataclass(frozen=True)
class _Places:
    """Per capacity row ("place"): its setting's index, places, active flag and location; and
    each setting's sector index. What the arcs are drawn from, read once per problem."""

    setting: np.ndarray
    setting_sector: np.ndarray
    places: np.ndarray
    active: np.ndarray
    lat: np.ndarray
    lon: np.ndarray


def _places(problem: AllocationProblem) -> _Places:
    settings, capacity = problem.settings, problem.capacity
    s_pos = pd.Series(np.arange(len(settings)), index=settings["setting_id"].to_numpy())
    place_setting = s_pos.loc[capacity["setting_id"].to_numpy()].to_numpy()
    active = add_active_setting(settings["active"].to_numpy())
    sector_code = {s: i for i, s in enumerate(SECTORS)}
    setting_sector = settings["sector"].map(sector_code).to_numpy().astype(np.int64)
    places = capacity["places"].to_numpy().astype(np.int64)
    return _Places(
        setting=place_setting,
        setting_sector=setting_sector,
        places=places,
        active=active[place_setting],
        lat=settings["lat"].to_numpy()[place_setting],
        lon=settings["lon"].to_numpy()[place_setting],
    )


def _pinned(
    problem: AllocationProblem, place_lat: np.ndarray, place_lon: np.ndarray
) -> pd.DataFrame:
    """Pins as (request, place, learners, km) indices, one row per request and place."""
    demand, capacity = problem.demand, problem.capacity
    r_pos = pd.Series(np.arange(len(demand)), index=demand["request_id"].to_numpy())
    place_key = pd.Series(
        np.arange(len(capacity)),
        index=pd.MultiIndex.from_arrays([capacity["setting_id"], capacity["block"]]),
    )
    pin_rows = [
        (int(r_pos[p.request_id]), int(place_key[(p.setting_id, p.block)]), p.learners)
        for p in problem.pins
    ]
    pinned = pd.DataFrame(pin_rows, columns=["request", "place", "learners"])
    pinned = pinned.groupby(["request", "place"], as_index=False)["learners"].sum()
    pr = pinned["request"].to_numpy(dtype=np.int64)
    pp = pinned["place"].to_numpy(dtype=np.int64)
    pinned["km"] = haversine_km(
        demand["lat"].to_numpy()[pr], demand["lon"].to_numpy()[pr], place_lat[pp], place_lon[pp]
    )
    return pinned


def _candidate_pairs(
    problem: AllocationProblem, at: _Places, open_place: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Candidate arcs, block by block and (programme, required sector) group by group."""
    settings, capacity, demand = problem.settings, problem.capacity, problem.demand
    max_km = problem.policy.max_distance_km
    sector_code = {s: i for i, s in enumerate(SECTORS)}
    hosted = list(settings["programmes"])
    learners = demand["learners"].to_numpy().astype(np.int64)
    # candidate arcs, block by block and group by group
    arc_r: list[np.ndarray] = []
    arc_p: list[np.ndarray] = []
    host_cache: dict[str, np.ndarray] = {}
    blocks = capacity["block"].to_numpy()
    dem_block = demand["block"].to_numpy()
    wanted = learners > 0
    for block in pd.unique(dem_block[wanted]):
        in_block = np.flatnonzero(open_place & (blocks == block))
        req_block = np.flatnonzero(wanted & (dem_block == block))
        groups = request_groups(demand, req_block)
        for (programme, sector), local in groups.items():
            if programme not in host_cache:
                host_cache[programme] = add_programme_hosted(hosted, programme)
            ok = host_cache[programme][at.setting[in_block]]
            ok &= add_required_sector(
                at.setting_sector[at.setting[in_block]], sector_code[sector] if sector else None
            )
            r, p = _pairs_for_group(req_block[local], in_block[ok], demand, at.lat, at.lon, max_km)
            arc_r.append(r)
            arc_p.append(p)
    return arc_r, arc_p


def _previous_on_arcs(
    prev: pd.DataFrame,
    demand: pd.DataFrame,
    capacity: pd.DataFrame,
    a_r: np.ndarray,
    a_p: np.ndarray,
    pinned: pd.DataFrame,
) -> np.ndarray:
    """Learners the previous plan had on each arc, less what pins already keep there."""
    r_pos = pd.Series(np.arange(len(demand)), index=demand["request_id"].to_numpy())
    p_pos = pd.Series(
        np.arange(len(capacity)),
        index=pd.MultiIndex.from_arrays([capacity["setting_id"], capacity["block"]]),
    )
    prev = prev.groupby(["request_id", "setting_id", "block"], as_index=False)["learners"].sum()
    known = prev["request_id"].isin(r_pos.index)
    keys = pd.MultiIndex.from_arrays([prev["setting_id"], prev["block"]])
    known &= keys.isin(p_pos.index)
    prev = prev[known]
    req = r_pos.loc[prev["request_id"].to_numpy()].to_numpy()
    plc = p_pos.loc[pd.MultiIndex.from_arrays([prev["setting_id"], prev["block"]])].to_numpy()
    # every index here carries the same level names: pandas refuses to align a named
    # MultiIndex with an unnamed one ("cannot join with no overlapping index names")
    names = ["request", "place"]
    amount = pd.Series(
        prev["learners"].to_numpy(), index=pd.MultiIndex.from_arrays([req, plc], names=names)
    )
    if len(pinned):
        pins = pd.Series(
            pinned["learners"].to_numpy(),
            index=pd.MultiIndex.from_arrays(
                [pinned["request"].to_numpy(), pinned["place"].to_numpy()], names=names
            ),
        )
        amount = amount.sub(pins, fill_value=0).clip(lower=0)
    arc_index = pd.MultiIndex.from_arrays([a_r, a_p], names=names)
    counts: np.ndarray = amount.reindex(arc_index, fill_value=0).to_numpy().astype(np.int64)
    return counts
