"""Placement calendar: each HEI programme's placement weeks, and where HEIs overlap."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html

from tracker.access import Principal
from tracker.callback_inputs import IsoDate
from tracker.components import (
    callback_principal,
    card,
    chosen_format,
    graph,
    page_guard,
    page_header,
    reading,
    result_alert,
    send_table,
    writing,
)
from tracker.components.alerts import refused_alert
from tracker.components.capacity_figures import calendar_timeline
from tracker.components.fields import (
    block_choices,
    code_options,
    coded_options,
    dropdown,
    filter_field,
    group_options,
)
from tracker.components.grids import column_defs, grid, records
from tracker.queries.options import block_options, organisation_options, programme_options
from tracker.refusals import Refused
from tracker.services.calendar import save_calendar_entry
from tracker.services.capacity_reports import CalendarReport, calendar_report

PAGE = "calendar"
dash.register_page(__name__, path="/calendar", name="Calendar", order=22, access=PAGE)

OVERLAP_COLUMNS = [
    "hei_a",
    "programme_a",
    "hei_b",
    "programme_b",
    "profession_group",
    "overlap_start",
    "overlap_end",
    "overlap_days",
]


def _form(block_list: Any, heis: Any, principal: Principal, programme_choices: Any) -> Any:
    return card(
        "Add or move placement weeks",
        html.Div(
            [
                dbc.Row(
                    [
                        filter_field(
                            "HEI",
                            dropdown(
                                f"{PAGE}-hei",
                                code_options(heis),
                                multi=False,
                                value=principal.hei_code if principal.is_hei else None,
                                placeholder="Choose",
                            ),
                        ),
                        filter_field(
                            "Programme",
                            dropdown(
                                f"{PAGE}-programme",
                                programme_choices,
                                multi=False,
                                placeholder="Choose",
                            ),
                        ),
                        filter_field(
                            "Block",
                            dropdown(
                                f"{PAGE}-block", block_list, multi=False, placeholder="Choose"
                            ),
                            width=2,
                        ),
                        filter_field(
                            "Year",
                            dbc.Input(
                                id=f"{PAGE}-year", type="number", min=1, max=6, step=1, value=1
                            ),
                            width=1,
                        ),
                        filter_field("Start", dbc.Input(id=f"{PAGE}-start", type="date"), width=1),
                        filter_field("End", dbc.Input(id=f"{PAGE}-end", type="date"), width=1),
                    ]
                ),
                dbc.Button("Save weeks", id=f"{PAGE}-save", color="primary", size="sm"),
            ]
        ),
    )


@page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with reading() as session:
        blocks = block_options(session)
        heis = organisation_options(session, heis=True)
        programmes = programme_options(session)
    if principal.is_hei:
        heis = heis[heis["code"] == principal.hei_code]
    block_list = block_choices(blocks)
    programme_choices = coded_options(programmes)
    form = _form(block_list, heis, principal, programme_choices)
    return html.Div(
        [
            page_header(
                "Placement calendar",
                "Each HEI programme's placement weeks inside the system blocks; overlaps "
                "between HEIs in one profession group compete for the same supervisors.",
            ),
            dbc.Row(
                [
                    filter_field(
                        "Profession groups",
                        dropdown(f"{PAGE}-groups", group_options()),
                        width=4,
                    )
                ]
            ),
            html.Div(id=f"{PAGE}-message"),
            dcc.Store(id=f"{PAGE}-refresh", data=0),
            card(
                "Timeline",
                graph(f"{PAGE}-timeline", filename="placement-calendar"),
                download=f"{PAGE}-table",
                note="Shaded bands are the system blocks; bars are HEI programmes' weeks.",
            ),
            card(
                "Overlaps between HEIs",
                grid(
                    f"{PAGE}-overlaps",
                    column_defs(OVERLAP_COLUMNS, numeric=["overlap_days"]),
                    height=300,
                    row_id=None,
                ),
                download=f"{PAGE}-overlap",
                note="Pairs of different HEIs' entries in one profession group whose weeks "
                "overlap, with the shared days.",
            ),
            form,
        ]
    )


def _calendar(principal: Principal, groups: list[str] | None) -> CalendarReport:
    with reading() as session:
        return calendar_report(session, principal=principal, profession_groups=groups or [])


@callback(
    Output(f"{PAGE}-timeline", "figure"),
    Output(f"{PAGE}-overlaps", "rowData"),
    Input(f"{PAGE}-groups", "value"),
    Input(f"{PAGE}-refresh", "data"),
)
def update_calendar(groups: list[str] | None, _refresh: int | None) -> Any:
    principal = callback_principal(PAGE)
    report = _calendar(principal, groups)
    return calendar_timeline(report.entries, report.blocks), records(
        report.overlaps[OVERLAP_COLUMNS]
    )


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-refresh", "data"),
    Input(f"{PAGE}-save", "n_clicks"),
    State(f"{PAGE}-hei", "value"),
    State(f"{PAGE}-programme", "value"),
    State(f"{PAGE}-block", "value"),
    State(f"{PAGE}-year", "value"),
    State(f"{PAGE}-start", "value"),
    State(f"{PAGE}-end", "value"),
    State(f"{PAGE}-refresh", "data"),
    prevent_initial_call=True,
)
def save_weeks(
    _save: int | None,
    hei: str | None,
    programme: str | None,
    block: str | None,
    year: int | None,
    start: IsoDate | None,
    end: IsoDate | None,
    refresh: int | None,
) -> Any:
    principal = callback_principal(PAGE)
    try:
        missing = [
            n
            for n, v in (
                ("HEI", hei),
                ("programme", programme),
                ("block", block),
                ("start", start),
                ("end", end),
            )
            if not v
        ]
        if missing:
            raise Refused([f"{m}: required" for m in missing])
        with writing() as session:
            save_calendar_entry(
                session,
                principal=principal,
                hei=str(hei),
                programme=str(programme),
                block=str(block),
                year_of_study=int(year or 1),
                start_date=date.fromisoformat(str(start)),
                end_date=date.fromisoformat(str(end)),
            )
    except Refused as refused:
        return refused_alert(refused), dash.no_update
    return result_alert(f"Saved {hei} {programme} weeks in {block}."), (refresh or 0) + 1


@callback(
    Output(f"{PAGE}-table-download", "data"),
    Output(f"{PAGE}-overlap-download", "data"),
    Input(f"{PAGE}-table-csv", "n_clicks"),
    Input(f"{PAGE}-table-xlsx", "n_clicks"),
    Input(f"{PAGE}-overlap-csv", "n_clicks"),
    Input(f"{PAGE}-overlap-xlsx", "n_clicks"),
    State(f"{PAGE}-groups", "value"),
    prevent_initial_call=True,
)
def download_calendar(
    _table_csv: int | None,
    _table_xlsx: int | None,
    _overlap_csv: int | None,
    _overlap_xlsx: int | None,
    groups: list[str] | None,
) -> Any:
    principal = callback_principal(PAGE)
    fmt = chosen_format()
    report = _calendar(principal, groups)
    frame = report.entries.drop(columns=["id"])
    if "overlap" in str(ctx.triggered_id):
        overlaps = report.overlaps[OVERLAP_COLUMNS]
        return dash.no_update, send_table(
            overlaps, fmt=fmt, filename="calendar-overlaps", note="Overlapping weeks between HEIs."
        )
    return send_table(
        frame, fmt=fmt, filename="placement-calendar", note="HEI programmes' placement weeks."
    ), dash.no_update
