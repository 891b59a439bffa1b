"""The Outlook page's scenarios: a handful of numbers from its editor, turned into the outlook
and the placement figures they bring.

The page keeps a scenario as these few numbers (``ScenarioEdits``, in a ``dcc.Store``), never
as tables, and asks here for what they change: the supply outlook (``outlook_report``) and the
placement shortfall with its cheapest expansion (``plan_expansion``). Every change is zero by
default, and a scenario whose every change is zero is no scenario at all, so it reproduces the
baseline exactly. Values come from a browser: they are bounded here, so a crafted request can
neither run a century-long projection nor add a million supervisors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlmodel import Session

from tracker.access import Principal
from tracker.measures import DEFAULT_POLICY, DisclosurePolicy
from tracker.measures.disclosure import round_counts
from tracker.measures.outlook_scenario import (
    ALL,
    MAX_TARGET_PER_LEARNER,
    Scenario,
    parse_scenario,
)
from tracker.optimise.expansion import ExpansionOptions
from tracker.services.expansion import (
    DatedCapacityChange,
    ExpansionReport,
    dated_changes,
    expansion_request,
    plan_expansion,
)
from tracker.services.outlook import OutlookReport, OutlookRequest, outlook_report
from tracker.services.pipeline_reports.common import figures_as_of, viewer_policy
from tracker.vocabulary import SECTOR_ROWS, SECTORS

#: Years the page may project: from five to ten, as the planning documents look ahead.
OUTLOOK_YEARS = range(5, 11)
MAX_PERCENT = 500.0
MAX_SUPERVISORS = 50
FIRST_YEAR, LAST_YEAR = 2000, 2100


#: The sectors of the policy target the editor offers: "at least one community or
#: care-home placement per learner per year".
TARGET_SECTORS = ("community", "care_home")
MAX_COST = 1_000_000.0
SHAPES = ("linear", "step")


@dataclass(frozen=True)
class ScenarioEdits:
    """The editor's numbers. ``intake_for``: a profession group, a programme code or ``*``
    (every programme), reached by ``intake_by`` linearly or as a step (``intake_shape``);
    withdrawal and local employment changes apply to every programme from ``change_from``;
    capacity adds ``supervisors`` at every setting of ``sector`` from ``capacity_from``;
    ``target_per_learner`` community or care-home placements per learner per year at least
    (0: no target); the cheapest expansion costs ``costs`` per supervisor by sector (others
    1) and adds at most ``cap_per_setting`` at one setting (None: no cap)."""

    intake_for: str = ALL
    intake_percent: float = 0.0
    intake_by: int | None = None
    withdrawal_points: float = 0.0
    local_points: float = 0.0
    change_from: int | None = None
    sector: str | None = None
    supervisors: int = 0
    capacity_from: int | None = None
    intake_shape: str = "linear"
    target_per_learner: float = 0.0
    costs: tuple[tuple[str, float], ...] = ()
    cap_per_setting: int | None = None

    def is_baseline(self) -> bool:
        """Whether nothing changes (then the outlook and placements are the baseline's)."""
        return not (
            self.intake_percent
            or self.withdrawal_points
            or self.local_points
            or self.supervisors
            or self.target_per_learner
        )

    def stored(self) -> dict[str, Any]:
        """The few numbers as the page's store keeps them (costs as sector -> cost)."""
        return {**asdict(self), "costs": dict(self.costs)}

    def options(self) -> ExpansionOptions:
        """The cheapest expansion's costs and cap."""
        return ExpansionOptions(
            cost_per_supervisor=dict(self.costs), max_added_per_setting=self.cap_per_setting
        )


def _year(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"{what} must be a year such as 2031.")
    if not FIRST_YEAR <= int(value) <= LAST_YEAR:
        raise ValueError(f"{what} must be a year from {FIRST_YEAR} to {LAST_YEAR}.")
    return int(value)


def _number(value: Any, what: str, low: float, high: float) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise ValueError(f"{what} must be a number.")
    if not low <= value <= high:
        raise ValueError(f"{what} must be from {low:g} to {high:g}.")
    return float(value)


def _shape(value: Any) -> str:
    if value in (None, ""):
        return "linear"
    if value not in SHAPES:
        raise ValueError("The intake change's shape must be linear or step.")
    return str(value)


def _cap(value: Any) -> int | None:
    if value is None:
        return None
    cap = _number(value, "Most supervisors added per setting", 1, MAX_SUPERVISORS)
    if cap != int(cap):
        raise ValueError("Most supervisors added per setting must be a whole number.")
    return int(cap)


def _costs(stored: Any, typed: Mapping[str, Any]) -> tuple[tuple[str, float], ...]:
    """Cost per supervisor by sector, from the store (sector -> cost) or the editor's
    ``cost_<sector>`` fields; a sector left empty, or costing 1, is the default."""
    if stored is not None and not isinstance(stored, dict):
        raise ValueError("Costs per supervisor must be given by sector.")
    given = {**(stored or {}), **{k.removeprefix("cost_"): c for k, c in typed.items()}}
    out = []
    for sector, cost in given.items():
        if sector not in SECTORS:
            raise ValueError(f"Unknown scenario value 'cost_{sector}'.")
        if cost is None:
            continue
        name = f"Cost per supervisor in {SECTORS[sector].lower()}"
        value = _number(cost, name, 0.01, MAX_COST)
        if value != 1.0:
            out.append((sector, value))
    return tuple(sorted(out))


def edits_from(values: Mapping[str, Any] | None) -> ScenarioEdits:
    """The editor's (or the store's) values checked and bounded; ValueError says which is
    wrong. A change without its year is refused rather than silently ignored."""
    v = dict(values or {})
    costs = _costs(v.pop("costs", None), {k: v.pop(k) for k in list(v) if k.startswith("cost_")})
    unknown = sorted(set(v) - set(ScenarioEdits.__dataclass_fields__))
    if unknown:
        raise ValueError(f"Unknown scenario value {unknown[0]!r}.")
    target = v.get("intake_for") or ALL
    sector = v.get("sector") or None
    if not isinstance(target, str) or not (sector is None or isinstance(sector, str)):
        raise ValueError("Choose what the intake change applies to from the list.")
    supervisors = _number(v.get("supervisors"), "Extra supervisors", 0, MAX_SUPERVISORS)
    edits = ScenarioEdits(
        intake_for=target,
        intake_percent=_number(v.get("intake_percent"), "Intake change", -100, MAX_PERCENT),
        intake_by=_year(v.get("intake_by"), "The intake change's target year"),
        withdrawal_points=_number(v.get("withdrawal_points"), "Withdrawals change", -100, 100),
        local_points=_number(v.get("local_points"), "Local employment change", -100, 100),
        change_from=_year(v.get("change_from"), "The year withdrawal changes start"),
        sector=sector,
        supervisors=int(supervisors),
        capacity_from=_year(v.get("capacity_from"), "The year extra supervisors start"),
        intake_shape=_shape(v.get("intake_shape")),
        target_per_learner=_number(
            v.get("target_per_learner"),
            "Community or care-home placements per learner",
            0,
            MAX_TARGET_PER_LEARNER,
        ),
        costs=costs,
        cap_per_setting=_cap(v.get("cap_per_setting")),
    )
    if supervisors != int(supervisors):
        raise ValueError("Extra supervisors must be a whole number.")
    for needed, year, what in (
        (edits.intake_percent, edits.intake_by, "the intake change's target year"),
        (edits.withdrawal_points or edits.local_points, edits.change_from, "the year from"),
        (edits.supervisors, edits.capacity_from, "the year the supervisors start"),
    ):
        if needed and year is None:
            raise ValueError(f"Give {what} for the change.")
    return edits


def scenario_document(edits: ScenarioEdits) -> dict[str, Any]:
    """The scenario as the JSON file ``python -m tracker outlook --scenario`` (and
    ``expansion --scenario``) reads: only the changes that are not zero, so the baseline is
    ``{}``. The page exports this, and builds its own figures from it too."""
    data: dict[str, Any] = {}
    if edits.intake_percent:
        data["intake_change"] = {
            edits.intake_for: {
                "percent": edits.intake_percent,
                "by_year": edits.intake_by,
                "shape": edits.intake_shape,
            }
        }
    for key, points in (
        ("withdrawal_change_points", edits.withdrawal_points),
        ("local_employment_change_points", edits.local_points),
    ):
        if points:
            data[key] = {ALL: {"points": points, "from_year": edits.change_from}}
    if edits.supervisors:
        data["capacity_change"] = [
            {
                "sector": edits.sector,
                "add_supervisors": edits.supervisors,
                "from_year": edits.capacity_from,
            }
        ]
    if edits.target_per_learner:
        data["policy_target"] = {
            "sectors": list(TARGET_SECTORS),
            "per_learner": edits.target_per_learner,
        }
    return data


def scenario_of(edits: ScenarioEdits) -> Scenario:
    """The outlook's scenario: only the changes that are not zero (none: the baseline)."""
    return parse_scenario(scenario_document(edits))


def capacity_changes_of(edits: ScenarioEdits) -> tuple[DatedCapacityChange, ...]:
    """The scenario's capacity change, dated (none when no supervisors are added)."""
    return dated_changes(scenario_of(edits))


def scenario_outlook(
    session: Session,
    *,
    principal: Principal,
    edits: ScenarioEdits,
    years: int,
    policy: DisclosurePolicy = DEFAULT_POLICY,
) -> OutlookReport:
    """The outlook under the scenario for 5 to 10 years, with its track record, as this
    viewer may see it (the report scopes and controls it)."""
    if years not in OUTLOOK_YEARS:
        raise ValueError(f"Choose {OUTLOOK_YEARS.start} to {OUTLOOK_YEARS.stop - 1} years.")
    request = OutlookRequest(years=years, scenario=scenario_of(edits))
    return outlook_report(session, principal=principal, request=request, policy=policy)


def scenario_placements(
    session: Session,
    *,
    principal: Principal,
    edits: ScenarioEdits,
    year: int,
    policy: DisclosurePolicy = DEFAULT_POLICY,
) -> ExpansionReport:
    """The scenario's placement shortfall to ``year`` and the cheapest expansion hosting that
    year's placements; the year must be one of the next ten after the data's as-of date."""
    as_of = figures_as_of(session)
    if as_of is not None and not as_of.year < year <= as_of.year + OUTLOOK_YEARS.stop - 1:
        raise ValueError(
            f"Choose a year from {as_of.year + 1} to {as_of.year + OUTLOOK_YEARS.stop - 1}."
        )
    request = expansion_request(scenario_of(edits), year, edits.options())
    return plan_expansion(session, principal=principal, request=request, policy=policy)


def placement_cells(
    shortfall: pd.DataFrame, *, principal: Principal, policy: DisclosurePolicy = DEFAULT_POLICY
) -> pd.DataFrame:
    """Sector x year totals of a shortfall table (``ExpansionReport.shortfall``,
    ``placement_shortfalls``): places, placements needed, spare and shortfall, as this viewer
    may see them.

    The shortfall adds each group and block's own, so places elsewhere do not hide it.
    Placements needed are projected from learner counts, so outside exact viewing they are
    protected as counts (rounded, small ones hidden, and with them the spare and shortfall
    that would give them away); places are register figures and stay as they are.
    """
    rows = shortfall.dropna(subset=["sector"])
    cells = rows.groupby(["sector", "year"], as_index=False)[
        ["placements", "places", "shortfall"]
    ].sum()
    cells["requested"] = cells["placements"].round()
    cells["shortfall"] = cells["shortfall"].round()
    chosen = viewer_policy(principal, policy)
    if not chosen.exact:
        for column in ("requested", "shortfall"):
            exact = cells[column].astype(float).to_numpy()
            small = (exact >= 1) & (exact <= chosen.small_max)
            cells[column] = np.where(small, np.nan, round_counts(exact, chosen.rounding_base))
        cells.loc[cells["requested"].isna(), "shortfall"] = np.nan
    cells["spare"] = cells["places"] - cells["requested"]
    order = {s: i for i, s in enumerate(SECTOR_ROWS)}
    return cells.sort_values(
        ["sector", "year"], key=lambda s: s.map(order) if s.name == "sector" else s
    )[["sector", "year", "places", "requested", "spare", "shortfall"]].reset_index(drop=True)
