"""Saved scenarios side by side: the baseline and two or more saved scenarios, each year's
completions and local posts per field of a profession group and, for planners, placements
needed and the shortfall per sector.

Every figure is the one the page shows for that scenario on its own, as this viewer may see
it: the outlook's controlled numbers (``outlook_report``: rounded, small ones hidden outside
exact viewing) and ``placement_cells`` for the placements. Nothing is computed from exact
figures here, so nothing in the table, the chart, its hover text or the download can be
finer than the page's own figures. The comparison skips the cheapest expansion (seconds of
integer programming per scenario): the placement rows come from the shortfall alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session

from tracker.access import Principal
from tracker.measures import DEFAULT_POLICY, DisclosurePolicy
from tracker.refusals import Refused
from tracker.services.expansion import EXPANSION_ROLES, expansion_request, placement_shortfalls
from tracker.services.outlook import OutlookRequest, outlook_report
from tracker.services.outlook_scenarios import (
    OUTLOOK_YEARS,
    ScenarioEdits,
    placement_cells,
    scenario_of,
)
from tracker.services.pipeline_reports.common import figures_as_of
from tracker.services.saved_scenarios import load_scenario
from tracker.vocabulary import PROFESSION_GROUPS, SECTOR_ROWS

BASELINE = "Baseline"
#: At most this many saved scenarios beside the baseline (each costs an outlook and a
#: shortfall: a crafted request cannot ask for a hundred).
MAX_COMPARED = 4
KEY_COLUMNS = ("measure", "area", "year")
#: The measures compared, in the order the table lists them, and their words.
MEASURES = {
    "completions": "Completions",
    "local_posts": "Taking a local post",
    "requested": "Placements needed",
    "shortfall": "Placement shortfall",
}


@dataclass(frozen=True)
class Comparison:
    """``table``: KEY_COLUMNS (measure code, field or sector code, year) and one column per
    name in ``names`` (the baseline first), figures as the viewer may see them (NaN where
    hidden); ``placements`` says whether the placement rows are there (planners only);
    ``totals``: per scenario and year the group's completions summed over the fields shown
    (``hidden``: how many fields' figures were not shown and so are not in the sum)."""

    table: pd.DataFrame
    totals: pd.DataFrame
    names: tuple[str, ...]
    group: str
    exact: bool
    placements: bool
    note: str


def _outlook_rows(
    session: Session,
    principal: Principal,
    edits: ScenarioEdits,
    group: str,
    years: int,
    policy: DisclosurePolicy,
) -> tuple[pd.DataFrame, str, bool]:
    request = OutlookRequest(years=years, scenario=scenario_of(edits), with_track_record=False)
    report = outlook_report(session, principal=principal, request=request, policy=policy)
    numbers = report.outlook.numbers
    rows = numbers[numbers["profession_group"] == group]
    long = rows.melt(
        id_vars=["field", "year"],
        value_vars=["completions", "local_posts"],
        var_name="measure",
        value_name="value",
    ).rename(columns={"field": "area"})
    return long, report.note, report.exact


def _placement_rows(
    session: Session,
    principal: Principal,
    chosen: Sequence[ScenarioEdits],
    year: int,
    policy: DisclosurePolicy,
) -> list[pd.DataFrame]:
    """Placements needed and shortfall per sector and year of each scenario, as the
    viewer may see the page's heatmap."""
    requests = [expansion_request(scenario_of(e), year, e.options()) for e in chosen]
    out = []
    for rows in placement_shortfalls(session, principal=principal, requests=requests):
        cells = placement_cells(rows, principal=principal, policy=policy)
        long = cells.melt(
            id_vars=["sector", "year"],
            value_vars=["requested", "shortfall"],
            var_name="measure",
            value_name="value",
        )
        out.append(long.rename(columns={"sector": "area"}))
    return out


def _order(table: pd.DataFrame) -> pd.DataFrame:
    measure = {m: i for i, m in enumerate(MEASURES)}
    sector = {s: i for i, s in enumerate(SECTOR_ROWS)}

    def key(column: pd.Series) -> pd.Series:
        if column.name == "measure":
            return column.map(measure)
        if column.name == "area":
            return column.map(lambda a: (sector.get(a, len(sector)), str(a)))
        return column

    return table.sort_values(list(KEY_COLUMNS), key=key, ignore_index=True)


def compare_scenarios(
    session: Session,
    *,
    principal: Principal,
    scenario_ids: Sequence[int],
    group: str,
    years: int,
    policy: DisclosurePolicy = DEFAULT_POLICY,
) -> Comparison:
    """The baseline and the saved scenarios ``scenario_ids`` (ones this user may see) side
    by side for ``years`` ahead; placement rows to the outlook's last year for planners."""
    ids = list(dict.fromkeys(scenario_ids))
    if not 1 <= len(ids) <= MAX_COMPARED:
        raise Refused(f"Choose from 1 to {MAX_COMPARED} saved scenarios to compare.")
    if group not in PROFESSION_GROUPS:
        raise Refused("Choose a profession group from the list.")
    if years not in OUTLOOK_YEARS:
        raise Refused(f"Choose {OUTLOOK_YEARS.start} to {OUTLOOK_YEARS.stop - 1} years.")
    chosen = [(BASELINE, ScenarioEdits())] + [
        load_scenario(session, principal=principal, scenario_id=i) for i in ids
    ]
    names = [name for name, _ in chosen]
    if len(set(names)) < len(names):  # a saved scenario may itself be called "Baseline"
        names = [BASELINE] + [f"{n} (saved)" if n == BASELINE else n for n in names[1:]]
    as_of = figures_as_of(session)
    planning = principal.role in EXPANSION_ROLES and as_of is not None
    parts, note, exact, without = [], "", True, ""
    for name, (_, edits) in zip(names, chosen, strict=True):
        rows, note, exact = _outlook_rows(session, principal, edits, group, years, policy)
        parts.append(rows.assign(scenario=name))
    if planning and as_of is not None:
        try:
            placed = _placement_rows(
                session, principal, [e for _, e in chosen], as_of.year + years, policy
            )
        except Refused as exc:  # no requests to grow: the outlook rows alone
            planning, without = False, f" No placement figures: {exc}"
        else:
            parts = [
                pd.concat([rows, more.assign(scenario=name)], ignore_index=True)
                for name, rows, more in zip(names, parts, placed, strict=True)
            ]
    long = pd.concat(parts, ignore_index=True)
    completions = long[long["measure"] == "completions"]
    totals = (
        completions.groupby(["scenario", "year"], sort=False)["value"]
        .agg(completions="sum", hidden=lambda v: int(v.isna().sum()))
        .reset_index()
    )
    wide = long.pivot(index=list(KEY_COLUMNS), columns="scenario", values="value")
    table = wide.reindex(columns=names).reset_index()
    table.columns.name = None
    return Comparison(
        table=_order(table),
        totals=totals,
        names=tuple(names),
        group=group,
        exact=exact,
        placements=planning,
        note=note + without,
    )
