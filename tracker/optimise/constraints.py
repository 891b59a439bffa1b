"""Every allocation rule, once, under the name coordinators use for it.

Rules that decide whether a learner may go to a setting at all (active setting, programme
hosted, required sector, distance limit) are applied as filters on the candidate pairs before
any model is built: an arc that breaks them never exists, which is exact and keeps the model
small. Rules that limit how many learners go somewhere (supervisor capacity, request size,
the fairness bounds) are rows, added by the ``add_<rule>`` functions to a PuLP model, and are
arc capacities in the network solver. :func:`check_plan` re-checks every hard rule on a
finished plan, independently of how it was produced.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pulp

from tracker.optimise.geo import haversine_km

RULES: dict[str, str] = {
    "active_setting": "active setting",
    "programme_hosted": "programme hosted",
    "required_sector": "required sector",
    "distance_limit": "distance limit",
    "supervisor_capacity": "supervisor capacity",
    "request_size": "request size",
    "pinned_placements": "pinned placements",
    "most_learners_placed": "most learners placed",
    "fair_share_between_heis": "fair share between HEIs",
    "fair_share_between_sectors": "fair share between sectors",
    "least_travel": "least travel",
    "stay_close_to_previous": "stay close to the previous plan",
}
"""Code name -> the human name used in explanations, tests and the interface."""

HARD_RULES: tuple[str, ...] = (
    "active_setting",
    "programme_hosted",
    "required_sector",
    "distance_limit",
    "supervisor_capacity",
    "request_size",
    "pinned_placements",
)


# --- rules that filter candidate (request, setting) pairs ------------------------------------


def add_active_setting(active: np.ndarray) -> np.ndarray:
    """Inactive settings take nobody: mask of settings that may host."""
    return np.asarray(active, dtype=bool)


def add_programme_hosted(hosted: Sequence[frozenset[str] | None], programme: str) -> np.ndarray:
    """Settings that host this programme (``None`` means the setting hosts any programme)."""
    return np.fromiter((h is None or programme in h for h in hosted), dtype=bool, count=len(hosted))


def add_required_sector(sectors: np.ndarray, required: int | str | None) -> np.ndarray:
    """Settings of the sector a request requires; every setting when it requires none."""
    if required is None:
        return np.ones(len(sectors), dtype=bool)
    return np.asarray(sectors == required, dtype=bool)


def add_distance_limit(km: np.ndarray, max_distance_km: float | None) -> np.ndarray:
    """Pairs within the straight-line limit; a pair with an unknown location is kept."""
    if max_distance_km is None:
        return np.ones(len(km), dtype=bool)
    return ~(km > max_distance_km)


# --- rules that are rows of the model ----------------------------------------------------------

Variables = Sequence[pulp.LpVariable]


def _grouped_sums(x: Variables, groups: np.ndarray) -> dict[int, pulp.LpAffineExpression]:
    """One expression per group, built from (variable, 1) pairs without quadratic copying."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    bounds = np.flatnonzero(np.diff(sorted_groups)) + 1
    out: dict[int, pulp.LpAffineExpression] = {}
    for chunk in np.split(order, bounds):
        if len(chunk):
            out[int(groups[chunk[0]])] = pulp.LpAffineExpression([(x[i], 1) for i in chunk])
    return out


def add_supervisor_capacity(
    model: pulp.LpProblem, x: Variables, place_of_arc: np.ndarray, places: np.ndarray
) -> None:
    """No setting takes more learners in a block than its places."""
    for p, expr in _grouped_sums(x, place_of_arc).items():
        model += expr <= int(places[p]), f"supervisor_capacity_{p}"


def add_request_size(
    model: pulp.LpProblem, x: Variables, request_of_arc: np.ndarray, learners: np.ndarray
) -> None:
    """No request gets more learners than it asked for."""
    for r, expr in _grouped_sums(x, request_of_arc).items():
        model += expr <= int(learners[r]), f"request_size_{r}"


def add_most_learners_placed(model: pulp.LpProblem, x: Variables, placed: int) -> None:
    """Keep level 1 while later levels are optimised."""
    model += pulp.LpAffineExpression([(v, 1) for v in x]) >= placed, "most_learners_placed"


def add_fair_share_between_heis(
    model: pulp.LpProblem, x: Variables, hei_of_arc: np.ndarray, minimum: np.ndarray
) -> None:
    """Each HEI gets at least its integral fair-share floor of learners."""
    sums = _grouped_sums(x, hei_of_arc)
    for h, low in enumerate(minimum):
        if low > 0:
            model += sums.get(h, pulp.LpAffineExpression()) >= int(low), f"fair_share_hei_{h}"


def add_fair_share_between_sectors(
    model: pulp.LpProblem, x: Variables, sector_of_arc: np.ndarray, maximum: np.ndarray
) -> None:
    """No sector takes more than its integral share ceiling of learners."""
    for s, expr in _grouped_sums(x, sector_of_arc).items():
        model += expr <= int(maximum[s]), f"fair_share_sector_{s}"


# --- checking a finished plan --------------------------------------------------------------


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

    Works on the validated tables, with no knowledge of the model, so tests can use it as an
    independent referee. Columns: rule (human name), request_id, setting_id, block, detail.
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
        if not bool(st["active"]):
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
    return pd.DataFrame(rows, columns=["rule", "request_id", "setting_id", "block", "detail"])
