"""Every allocation rule, once, under the name coordinators use for it.

Rules that decide whether a learner may go to a setting at all (active setting, programme
hosted, required sector, distance limit) are applied as filters on the candidate pairs before
any model is built: an arc that breaks them never exists, which is exact and keeps the model
small. Rules that limit how many learners go somewhere (supervisor capacity, request size,
the fairness bounds) are rows, added by the ``add_<rule>`` functions to a PuLP model, and are
arc capacities in the network solver. :func:`tracker.optimise.check.check_plan`
re-checks every hard rule on a finished plan, independently of how it was produced.

The fairness levels' integral bounds (:func:`hei_floor`, :func:`sector_ceiling`) are defined
here, beside their rows, once for both engines: the network solver turns them into arc
capacities, the PuLP models into rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import pulp

if TYPE_CHECKING:  # arcs.py imports the filters below; the instance type is only a hint here
    from tracker.optimise.arcs import Instance

_EPS = 1e-9

RULES: Mapping[str, str] = MappingProxyType(
    {
        "active_setting": "active setting",
        "quality_review": "setting under quality review",
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
        "prefer_settings_not_under_review": "prefer settings not under quality review",
    }
)
"""Code name -> the human name used in explanations, tests and the interface."""

HARD_RULES: tuple[str, ...] = (
    "active_setting",
    "quality_review",
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


def _at_most_per_group(
    model: pulp.LpProblem, x: Variables, group_of_arc: np.ndarray, bound: np.ndarray, name: str
) -> None:
    """For every group with arcs, the learners on its arcs stay within its bound; the rows
    are named ``<name>_<group>`` so an infeasible model names the rule it breaks."""
    for g, expr in _grouped_sums(x, group_of_arc).items():
        model += expr <= int(bound[g]), f"{name}_{g}"


def add_supervisor_capacity(
    model: pulp.LpProblem, x: Variables, place_of_arc: np.ndarray, places: np.ndarray
) -> None:
    """No setting takes more learners in a block than its places."""
    _at_most_per_group(model, x, place_of_arc, places, "supervisor_capacity")


def add_request_size(
    model: pulp.LpProblem, x: Variables, request_of_arc: np.ndarray, learners: np.ndarray
) -> None:
    """No request gets more learners than it asked for."""
    _at_most_per_group(model, x, request_of_arc, learners, "request_size")


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


def hei_floor(z: float, inst: Instance) -> np.ndarray:
    """Learners each HEI must get, beyond its pins, for a lowest fill ratio of ``z``: the
    bound of the "fair share between HEIs" rule, ``ceil(z * requested_h)`` less the pins."""
    need = np.ceil(z * inst.hei_requested - _EPS).astype(np.int64) - inst.hei_pinned
    floor: np.ndarray = np.maximum(need, 0)
    return floor


def add_fair_share_between_sectors(
    model: pulp.LpProblem, x: Variables, sector_of_arc: np.ndarray, maximum: np.ndarray
) -> None:
    """No sector takes more than its integral share ceiling of learners."""
    _at_most_per_group(model, x, sector_of_arc, maximum, "fair_share_sector")


def sector_ceiling(u: float, inst: Instance) -> np.ndarray:
    """Learners each sector may take, beyond its pins, for a highest utilisation of ``u``: the
    bound of the "fair share between sectors" rule, ``floor(u * places_s)`` less the pins."""
    ceiling: np.ndarray = np.floor(u * inst.sector_places + _EPS).astype(np.int64)
    ceiling -= inst.sector_pinned
    return ceiling
