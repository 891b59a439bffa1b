"""Check pins (placements agreed in advance) against the same hard rules as the plan.

A pin that breaks a rule is an input error, named by the rule's human name
(:data:`tracker.optimise.constraints.RULES`), so the coordinator sees the same words here as
in the plan's explanation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tracker.optimise.constraints import RULES
from tracker.optimise.geo import haversine_km
from tracker.optimise.model import Pin, Policy, Problem
from tracker.optimise.quality_review import closed_rule


def pair_breaks(
    settings_row: pd.Series, demand_row: pd.Series, max_distance_km: float | None
) -> str | None:
    """The first hard rule a single (request, setting) pair breaks, by its human name."""
    if not bool(settings_row["active"]):
        return closed_rule(settings_row) or RULES["active_setting"]
    hosted = settings_row["programmes"]
    if hosted is not None and demand_row["programme"] not in hosted:
        return RULES["programme_hosted"]
    if demand_row["sector"] is not None and demand_row["sector"] != settings_row["sector"]:
        return RULES["required_sector"]
    if max_distance_km is not None:
        km = haversine_km(
            demand_row["lat"], demand_row["lon"], settings_row["lat"], settings_row["lon"]
        )
        if np.isfinite(km) and km > max_distance_km:
            return RULES["distance_limit"]
    return None


def _pin_problem(
    pin: Pin,
    row: int,
    settings: pd.DataFrame,
    demand: pd.DataFrame,
    s_index: dict[str, int],
    r_index: dict[str, int],
    policy: Policy,
) -> Problem | None:
    """What is wrong with one pin on its own, or ``None``."""
    if not isinstance(pin.learners, int | np.integer) or pin.learners <= 0:
        return Problem("pins", row, "learners", pin.learners, "must be a whole number above 0")
    if pin.request_id not in r_index:
        return Problem("pins", row, "request_id", pin.request_id, "unknown request")
    if pin.setting_id not in s_index:
        return Problem("pins", row, "setting_id", pin.setting_id, "unknown setting")
    request = demand.iloc[r_index[pin.request_id]]
    if request["block"] != pin.block:
        return Problem(
            "pins",
            row,
            "block",
            pin.block,
            f"request {pin.request_id} is for block {request['block']}",
        )
    broken = pair_breaks(settings.iloc[s_index[pin.setting_id]], request, policy.max_distance_km)
    if broken:
        return Problem(
            "pins",
            row,
            "setting_id",
            pin.setting_id,
            f"breaks the rule '{broken}' for request {pin.request_id}",
        )
    return None


def check_pins(
    pins: Sequence[Pin],
    settings: pd.DataFrame,
    capacity: pd.DataFrame,
    demand: pd.DataFrame,
    policy: Policy,
    problems: list[Problem],
) -> tuple[Pin, ...]:
    """The pins that are valid one by one; every problem (alone or in total) is appended."""
    out: list[Pin] = []
    s_index = {sid: i for i, sid in enumerate(settings["setting_id"])}
    r_index = {rid: i for i, rid in enumerate(demand["request_id"])}
    for pos, raw in enumerate(pins):
        pin = Pin(str(raw.request_id), str(raw.setting_id), str(raw.block), raw.learners)
        problem = _pin_problem(pin, pos + 1, settings, demand, s_index, r_index, policy)
        if problem is not None:
            problems.append(problem)
            continue
        out.append(Pin(pin.request_id, pin.setting_id, pin.block, int(pin.learners)))
    problems.extend(_pins_over_limits(out, capacity, demand, r_index))
    return tuple(out)


def _pins_over_limits(
    pins: Sequence[Pin], capacity: pd.DataFrame, demand: pd.DataFrame, r_index: dict[str, int]
) -> list[Problem]:
    """Pins that together give a request more than it asked, or a place more than it has."""
    places = {
        (s, b): int(p)
        for s, b, p in zip(
            capacity["setting_id"], capacity["block"], capacity["places"], strict=True
        )
    }
    per_request: dict[str, int] = {}
    per_place: dict[tuple[str, str], int] = {}
    for pin in pins:
        per_request[pin.request_id] = per_request.get(pin.request_id, 0) + pin.learners
        key = (pin.setting_id, pin.block)
        per_place[key] = per_place.get(key, 0) + pin.learners
    problems: list[Problem] = []
    for rid, n in per_request.items():
        asked = int(demand.iloc[r_index[rid]]["learners"])
        if n > asked:
            problems.append(
                Problem(
                    "pins",
                    None,
                    "learners",
                    n,
                    f"pins give request {rid} more learners than the {asked} "
                    f"it asked for (rule '{RULES['request_size']}')",
                )
            )
    for (sid, block), n in per_place.items():
        have = places.get((sid, block), 0)
        if n > have:
            problems.append(
                Problem(
                    "pins",
                    None,
                    "learners",
                    n,
                    f"pins put more learners at {sid} in block {block} than its "
                    f"{have} places (rule '{RULES['supervisor_capacity']}')",
                )
            )
    return problems
