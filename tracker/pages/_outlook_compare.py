"""The Outlook page's comparison: the baseline and up to four saved scenarios side by side,
as a chart of each one's completions and a table of every figure, with its download.

Figures arrive from ``services.scenario_comparison`` exactly as the page shows each scenario
on its own (controlled for the viewer); this module only words and draws them.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Output, callback, html

from tracker import components as ui
from tracker.refusals import Refused
from tracker.services.outlook_scenarios import OUTLOOK_YEARS
from tracker.services.scenario_comparison import (
    MAX_COMPARED,
    MEASURES,
    Comparison,
    compare_scenarios,
)
from tracker.vocabulary import PROFESSION_GROUPS, SECTOR_ROWS

PAGE = "outlook"
Layout = Any
KEY_HEADERS = {"measure": "Measure", "area": "Field or sector", "year": "Year"}


def comparison_card(choices: list[dict[str, Any]]) -> Layout:
    """Choose saved scenarios, compare them: the chart, the table and its download."""
    return ui.card(
        "Compare saved scenarios",
        [
            dbc.Row(
                [
                    ui.filter_field(
                        f"Saved scenarios (up to {MAX_COMPARED})",
                        ui.dropdown(
                            f"{PAGE}-compare-choice", choices, placeholder="Choose scenarios"
                        ),
                        width=6,
                    ),
                    html.Div(
                        ui.button("Compare with the baseline", f"{PAGE}-compare"),
                        className="col-auto d-flex align-items-end mb-2",
                    ),
                ]
            ),
            ui.loading(html.Div(id=f"{PAGE}-compare-message", role="status")),
            ui.loading(ui.graph(f"{PAGE}-compare-chart", filename="scenario-comparison")),
            ui.loading(html.Div(id=f"{PAGE}-compare-table")),
        ],
        download=f"{PAGE}-compare-file",
        note="Each column holds the figures the page shows for that scenario on its own, for "
        "the profession group and years chosen above: completions and local posts per "
        "field, and for planners placements needed and the shortfall per sector (as on the "
        "heatmap). The chart adds up each scenario's fields whose figures are shown.",
    )


def _area(code: Any) -> str:
    if code in SECTOR_ROWS:
        return str(SECTOR_ROWS[code])
    text = str(code)
    return text[:1].upper() + text[1:]


def worded(comparison: Comparison) -> pd.DataFrame:
    """The comparison with words for measures and areas (what the grid and the file show)."""
    table = comparison.table.copy()
    table["measure"] = table["measure"].map(MEASURES)
    table["area"] = table["area"].map(_area)
    table["year"] = table["year"].astype(int)
    return table.rename(columns=KEY_HEADERS)


def comparison_grid(comparison: Comparison) -> Layout:
    """The table: one column per scenario (ids by position: names are the user's text)."""
    table = worded(comparison)
    keys = list(KEY_HEADERS.values())
    defs: list[dict[str, Any]] = [{"field": f"k{i}", "headerName": k} for i, k in enumerate(keys)]
    defs[0]["pinned"] = "left"
    defs += [
        {"field": f"s{i}", "headerName": name, "type": "rightAligned"}
        for i, name in enumerate(comparison.names)
    ]
    rows = [
        {
            **{f"k{i}": row[k] for i, k in enumerate(keys)},
            **{
                f"s{i}": ui.format_count(None if pd.isna(row[n]) else row[n])
                for i, n in enumerate(comparison.names)
            },
        }
        for _, row in table.iterrows()
    ]
    return ui.grid(f"{PAGE}-compare-grid", defs, rows, height=420)


def _compare(
    principal: Any, chosen: list[int] | None, group: str | None, years: int | None
) -> Comparison:
    if not isinstance(chosen, list) or not all(isinstance(i, int) for i in chosen):
        raise Refused("Choose saved scenarios from the list.")
    with ui.reading() as session:
        return compare_scenarios(
            session,
            principal=principal,
            scenario_ids=chosen,
            group=group or "nursing",
            years=years or OUTLOOK_YEARS.stop - 1,
            policy=ui.app_disclosure_policy(),
        )


@callback(
    Output(f"{PAGE}-compare-chart", "figure"),
    *ui.children(PAGE, "compare-table", "compare-message"),
    *ui.clicks(PAGE, "compare"),
    *ui.states(PAGE, "compare-choice", "group", "years"),
    prevent_initial_call=True,
)
def compare_saved(
    clicks: int | None, chosen: list[int] | None, group: str | None, years: int | None
) -> Any:
    """The chosen saved scenarios beside the baseline (computed on the button: seconds)."""
    principal = ui.callback_principal(PAGE)
    if not clicks:
        raise dash.exceptions.PreventUpdate
    try:
        comparison = _compare(principal, chosen, group, years)
    except Refused as exc:
        return {}, None, ui.message(f"No comparison: {exc}", "warning")
    named = PROFESSION_GROUPS.get(comparison.group, comparison.group)
    said = f"{named}: {', '.join(comparison.names)} side by side."
    return (
        ui.plain_figure(ui.comparison_figure(comparison.totals, comparison.names)),
        comparison_grid(comparison),
        html.Div(
            [
                ui.disclosure_notice(PAGE, comparison.note, comparison.exact),
                html.P(said, className="small mb-0"),
            ]
        ),
    )


@callback(
    *ui.table_download(f"{PAGE}-compare-file"),
    *ui.states(PAGE, "compare-choice", "group", "years"),
    prevent_initial_call=True,
)
def download_comparison(
    _csv: int | None,
    _xlsx: int | None,
    chosen: list[int] | None,
    group: str | None,
    years: int | None,
) -> Any:
    """The comparison table as a file, computed again with the same controls."""
    principal = ui.callback_principal(PAGE)
    fmt = ui.chosen_format()
    try:
        comparison = _compare(principal, chosen, group, years)
    except Refused:
        raise dash.exceptions.PreventUpdate from None
    return ui.send_table(
        worded(comparison),
        fmt=fmt,
        filename="scenario-comparison",
        note=comparison.note,
        headers="codes",
    )
