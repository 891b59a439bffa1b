"""The Outlook page's drawn views: the outlook chart and its track record, and the placement
shortfall and expansion plan, from the reports exactly as the services return them (figures
the viewer may not see are already rounded or hidden there)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import html

from tracker import components as ui
from tracker.access import Principal
from tracker.services.expansion import ExpansionReport
from tracker.services.outlook import OutlookReport
from tracker.services.outlook_scenarios import placement_cells
from tracker.vocabulary import PROFESSION_GROUPS

PAGE = "outlook"
Layout = Any
RECORD_COLUMNS = ["profession_group", "predicted", "actual", "mape"]
PLAN_COLUMNS = ["setting_id", "sector", "supervisors_added", "places_added", "explanation"]
SHORTFALL_COLUMNS = ["sector", "year", "places", "requested", "shortfall"]


def outlook_rows(report: OutlookReport, group: str | None) -> pd.DataFrame:
    """The outlook's rows of one profession group, as the chart and its download show them."""
    numbers = report.outlook.numbers
    if numbers.empty or group is None:
        return numbers
    return numbers[numbers["profession_group"] == group]


def outlook_download(report: OutlookReport, group: str | None) -> pd.DataFrame:
    table = report.outlook.download()
    if table.empty or group is None:
        return table
    return table[table["profession_group"] == group].reset_index(drop=True)


def record_download(report: OutlookReport) -> pd.DataFrame:
    """The track record for a file: MAPE as a fraction to 4 places (empty where hidden)."""
    table = report.track_record.loc[:, RECORD_COLUMNS].copy()
    table["mape"] = pd.to_numeric(table["mape"], errors="coerce").round(4)
    return table


def _record_defs() -> list[dict[str, Any]]:
    """The track record's columns: a handful of rows, so no filters (their icons cost the
    headings room); the profession group wraps rather than cutting "Allied health
    professions" short, and the figures are right-aligned."""
    defs = ui.column_defs(RECORD_COLUMNS, numeric=RECORD_COLUMNS[1:])
    defs[0].update({"wrapText": True, "autoHeight": True, "minWidth": 150})
    return defs


def _record_rows(report: OutlookReport) -> list[dict[str, Any]]:
    table = report.track_record.loc[:, RECORD_COLUMNS].copy()
    rows = []
    for row in table.itertuples(index=False):
        rows.append(
            {
                "profession_group": row.profession_group,
                "predicted": ui.format_count(row.predicted),
                "actual": ui.format_count(row.actual),
                "mape": ui.format_rate(row.mape),
            }
        )
    return rows


def outlook_view(report: OutlookReport, group: str | None, years: int) -> tuple[Any, ...]:
    """The chart's figure, the accuracy table and the note under them."""
    rows = outlook_rows(report, group)
    figure = ui.plain_figure(ui.outlook_figure(rows))
    accuracy = ui.grid(
        f"{PAGE}-accuracy", _record_defs(), _record_rows(report), height=310, filters=False
    )
    named = PROFESSION_GROUPS.get(group or "", "every profession group")
    note = html.Div(
        [
            ui.disclosure_notice(PAGE, report.note, report.exact),
            html.P(
                f"{named}: completions per year for {years} years, each field's band the "
                f"{report.level:.0%} likely range; dashed lines, those expected to take a "
                "post locally.",
                className="small text-muted mb-0",
            ),
        ]
    )
    return figure, accuracy, note


def track_record_text(report: OutlookReport) -> str:
    """How well the method predicted the recent past, in one sentence."""
    shown = report.track_record.dropna(subset=["mape"])
    if shown.empty:
        return "No track record to show: too few completions in the years compared."
    parts = [
        f"{PROFESSION_GROUPS.get(r.profession_group, r.profession_group)} {ui.format_rate(r.mape)}"
        for r in shown.itertuples(index=False)
    ]
    return (
        "How well this method predicted the last two years (the outlook made two years ago "
        "against the completions since recorded), mean absolute percentage error: "
        + ", ".join(parts)
        + "."
    )


def plan_table(report: ExpansionReport, principal: Principal | None = None) -> pd.DataFrame:
    """One row per setting that gains supervisors: where, how many, and why (register
    figures, the same for every viewer allowed the plan)."""
    return report.plan.settings.loc[:, PLAN_COLUMNS].reset_index(drop=True)


def shortfall_table(report: ExpansionReport, principal: Principal) -> pd.DataFrame:
    """Places against placements needed per sector and year, as this viewer may see them."""
    cells = placement_cells(
        report.shortfall, principal=principal, policy=ui.app_disclosure_policy()
    )
    return cells.loc[:, SHORTFALL_COLUMNS]


def placements_view(
    report: ExpansionReport, principal: Principal, seconds: float
) -> tuple[Any, ...]:
    """The heatmap, the plan grid and the sentence that sums them up."""
    plan = report.plan
    checked = (
        "the allocator, re-run on the expanded capacity, places every one of them"
        if report.checked
        else "the allocator's check did not confirm it"
    )
    summary = (
        f"To host {report.year}'s {plan.requested:,} requested learners (today's requests "
        f"grown with the learners in training): {plan.supervisors_added:,} extra supervisors "
        f"at {len(plan.settings):,} settings place {plan.placeable:,}; {checked}. "
        f"Computed in {seconds:.1f} s."
    )
    if not plan.unplaced.empty:
        summary += f" {int(plan.unplaced['unplaced'].sum()):,} learners no expansion can place."
    rows = ui.records(plan_table(report))
    return (
        ui.plain_figure(
            ui.shortfall_heatmap(
                placement_cells(
                    report.shortfall, principal=principal, policy=ui.app_disclosure_policy()
                )
            )
        ),
        ui.grid(f"{PAGE}-plan-grid", PLAN_COLUMNS, rows, height=360),
        ui.message(summary, "success" if report.checked else "warning"),
    )
