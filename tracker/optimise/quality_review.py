"""Settings under quality review: the hard rule and the soft preference, and their reasons.

The review is input data: the settings table's optional ``quality_review`` column holds the
reason a setting is under review (empty: it is not). What the allocator does with it is the
policy's ``quality_review``:

- ``"no_new_learners"`` (the hard rule "setting under quality review"): the setting is closed
  to new learners before any model is built, exactly as an inactive setting, so every engine
  obeys it unchanged; pins there are refused under the rule's name, and a request that lost
  places this way is explained by the review (code ``quality_review``) with its reason.
- ``"prefer_others"`` (the soft level "prefer settings not under quality review", after least
  travel): the least-travel level's integral arc costs become ``cost * W + under_review``
  with ``W`` above the number of learners to place, so of all plans with the least travel
  the one with the fewest learners at settings under review is chosen, and a setting under
  review still takes learners wherever another would cost travel or a learner unplaced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tracker.optimise.constraints import RULES
from tracker.optimise.geo import haversine_km

if TYPE_CHECKING:  # the model imports nothing from here; the types are hints only
    from tracker.optimise.model import AllocationProblem, Policy

CODE = "quality_review"


def review_as_inactive(settings: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """The validated settings with the hard rule applied: ``closed`` marks active settings
    under review that the policy closes to new learners, and they are no longer active."""
    under = settings["review"].notna().to_numpy()
    hard = policy.quality_review == "no_new_learners"
    closed = under & settings["active"].to_numpy() & hard
    return settings.assign(active=settings["active"].to_numpy() & ~closed, closed=closed)


def closed_rule(settings_row: pd.Series) -> str | None:
    """The rule's human name when a setting is closed by its quality review, else None."""
    return RULES[CODE] if bool(settings_row.get("closed", False)) else None


def prefer_not_reviewed(
    cost: np.ndarray, arc_setting: np.ndarray, settings: pd.DataFrame, policy: Policy, total: int
) -> np.ndarray:
    """Least travel's integral arc costs with the soft level after it: ``cost * W`` plus one
    per learner on an arc to a setting under review, ``W`` above the ``total`` learners to
    place, so travel is never traded for it (unchanged unless the policy prefers others and
    an arc reaches a setting under review)."""
    if policy.quality_review != "prefer_others" or len(cost) == 0:
        return cost
    reviewed = settings["review"].notna().to_numpy()[arc_setting]
    if not reviewed.any():
        return cost
    weight = int(total) + 1
    out: np.ndarray = cost.astype(np.int64) * weight + reviewed.astype(np.int64)
    return out


def with_review_reasons(problem: AllocationProblem, unmet: pd.DataFrame) -> pd.DataFrame:
    """Unmet requests that settings closed by a review could have taken (hosting the
    programme, of the sector asked for, with places in the block, within the distance
    limit) explained by the review first: code ``quality_review`` and its reason."""
    s = problem.settings
    if not len(unmet) or "closed" not in s.columns or not s["closed"].any():
        return unmet
    closed = s[s["closed"].to_numpy()]
    demand = problem.demand.set_index("request_id")
    out = unmet.copy()
    for pos, row in enumerate(unmet.itertuples(index=False)):
        request = demand.loc[row.request_id]
        names = _closed_in_reach(closed, problem, request)
        if names:
            shown = "; ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            out.iat[pos, out.columns.get_loc("reason_code")] = CODE
            out.iat[pos, out.columns.get_loc("reason")] = f"{RULES[CODE]}: {shown}; {row.reason}"
    return out


def _closed_in_reach(closed: pd.DataFrame, problem: AllocationProblem, request: Any) -> list[str]:
    """'SETTING (reason)' for each closed setting the request could otherwise have used."""
    c = problem.capacity
    if problem.calendar:
        start, end = request["start_date"], request["end_date"]
        overlaps = (c["start_date"] <= end) & (c["end_date"] >= start)
    else:
        overlaps = c["block"] == request["block"]
    with_places = set(c.loc[overlaps & (c["places"] > 0), "setting_id"])
    limit = problem.policy.max_distance_km
    names = []
    for st in closed.itertuples(index=False):
        if st.setting_id not in with_places:
            continue
        if st.programmes is not None and request["programme"] not in st.programmes:
            continue
        if request["sector"] is not None and request["sector"] != st.sector:
            continue
        if limit is not None:
            km = haversine_km(request["lat"], request["lon"], st.lat, st.lon)
            if np.isfinite(km) and km > limit:
                continue
        names.append(f"{st.setting_id} ({st.review})")
    return names
