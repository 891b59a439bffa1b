"""Placement calendar: each HEI programme's placement weeks, and where HEIs overlap."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from dash import Input, Output, State, callback, ctx, dcc, html
from sqlmodel import Session

from tracker.access import AccessDenied, Principal
from tracker.auth import app_engine
from tracker.callback_inputs import IsoDate
from tracker.components import callback_principal, graph, page_guard, page_header
from tracker.db import session_scope
from tracker.pages import _capacity_ui as ui
from tracker.queries.options import block_options, organisation_options, programme_options
from tracker.services.calendar import save_calendar_entry
from tracker.services.capacity_reports import CalendarReport, calendar_report
from tracker.services.registers import SaveRefused

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


@page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with Session(app_engine()) as session:
        blocks = block_options(session)
        heis = organisation_options(session, heis=True)
        programmes = programme_options(session)
    if principal.is_hei:
        heis = heis[heis["code"] == principal.hei_code]
    block_choices = [
        {"label": f"{b} ({n})", "value": b}
        for b, n in zip(blocks["block"], blocks["name"], strict=True)
    ]
    programme_choices = [
        {"label": f"{c} ({n})", "value": c}
        for c, n in zip(programmes["code"], programmes["name"], strict=True)
    ]
    form = ui.card(
        "Add or move placement weeks",
        html.Div(
            [
                dbc.Row(
                    [
                        ui.filter_field(
                            "HEI",
                            ui.dropdown(
                                f"{PAGE}-hei",
                                ui.code_options(heis),
                                multi=False,
                                value=principal.hei_code if principal.is_hei else None,
                                placeholder="Choose",
                            ),
                        ),
                        ui.filter_field(
                            "Programme",
                            ui.dropdown(
                                f"{PAGE}-programme",
                                programme_choices,
                                multi=False,
                                placeholder="Choose",
                            ),
                        ),
                        ui.filter_field(
                            "Block",
                            ui.dropdown(
                                f"{PAGE}-block", block_choices, multi=False, placeholder="Choose"
                            ),
                            width=2,
                        ),
                        ui.filter_field(
                            "Year",
                            dbc.Input(
                                id=f"{PAGE}-year", type="number", min=1, max=6, step=1, value=1
                            ),
                            width=1,
                        ),
                        ui.filter_field(
                            "Start", dbc.Input(id=f"{PAGE}-start", type="date"), width=1
                        ),
                        ui.filter_field("End", dbc.Input(id=f"{PAGE}-end", type="date"), width=1),
                    ]
                ),
                dbc.Button("Save weeks", id=f"{PAGE}-save", color="primary", size="sm"),
            ]
        ),
    )
    return html.Div(
        [
            page_header(
                "Placement calendar",
                "Each HEI programme's placement weeks inside the system blocks; overlaps "
                "between HEIs in one profession group compete for the same supervisors.",
            ),
            dbc.Row(
                [
                    ui.filter_field(
                        "Profession groups",
                        ui.dropdown(f"{PAGE}-groups", ui.group_options()),
                        width=4,
                    )
                ]
            ),
            html.Div(id=f"{PAGE}-message"),
            dcc.Store(id=f"{PAGE}-refresh", data=0),
            ui.card(
                "Timeline",
                graph(f"{PAGE}-timeline", filename="placement-calendar"),
                download=f"{PAGE}-table",
                note="Shaded bands are the system blocks; bars are HEI programmes' weeks.",
            ),
            ui.card(
                "Overlaps between HEIs",
                ui.grid(
                    f"{PAGE}-overlaps",
                    ui.column_defs(OVERLAP_COLUMNS, numeric=["overlap_days"]),
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
    with Session(app_engine()) as session:
        return calendar_report(session, principal=principal, profession_groups=groups or [])


def _timeline(frame: pd.DataFrame, blocks: pd.DataFrame) -> go.Figure:
    if frame.empty:
        return ui.empty_figure("No calendar entries for this selection.")
    shown = frame.assign(
        row=frame["hei"]
        + " · "
        + frame["programme"]
        + " · year "
        + frame["year_of_study"].astype(str),
        finish=pd.to_datetime(frame["end_date"]) + pd.Timedelta(days=1),
        start=pd.to_datetime(frame["start_date"]),
    )
    fig = px.timeline(
        shown,
        x_start="start",
        x_end="finish",
        y="row",
        color="hei",
        hover_data={
            "block": True,
            "start_date": True,
            "end_date": True,
            "start": False,
            "finish": False,
            "row": False,
        },
        labels={"hei": "HEI", "row": ""},
    )
    for b in blocks.to_dict("records"):
        fig.add_vrect(
            x0=pd.Timestamp(b["start_date"]),
            x1=pd.Timestamp(b["end_date"]) + pd.Timedelta(days=1),
            fillcolor="#6c757d",
            opacity=0.08,
            line_width=0,
            annotation_text=b["block"],
            annotation_position="top left",
        )
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(
        height=max(300, 80 + 22 * shown["row"].nunique()),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
    )
    return fig


@callback(
    Output(f"{PAGE}-timeline", "figure"),
    Output(f"{PAGE}-overlaps", "rowData"),
    Input(f"{PAGE}-groups", "value"),
    Input(f"{PAGE}-refresh", "data"),
)
def update_calendar(groups: list[str] | None, _refresh: int | None) -> Any:
    principal = callback_principal(PAGE)
    report = _calendar(principal, groups)
    return _timeline(report.entries, report.blocks), ui.records(report.overlaps[OVERLAP_COLUMNS])


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
            raise SaveRefused([f"{m}: required" for m in missing])
        with session_scope(app_engine()) as session:
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
    except (SaveRefused, AccessDenied) as refused:
        problems = getattr(refused, "problems", [str(refused)])
        return ui.result_alert("Nothing was saved:", problems, ok=False), dash.no_update
    return ui.result_alert(f"Saved {hei} {programme} weeks in {block}."), (refresh or 0) + 1


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
    report = _calendar(principal, groups)
    frame = report.entries.drop(columns=["id"])
    trigger = str(ctx.triggered_id)
    fmt = "xlsx" if trigger.endswith("xlsx") else "csv"
    if "overlap" in trigger:
        overlaps = report.overlaps[OVERLAP_COLUMNS]
        return dash.no_update, ui.send_frame(
            overlaps, fmt=fmt, filename="calendar-overlaps", note="Overlapping weeks between HEIs."
        )
    return ui.send_frame(
        frame, fmt=fmt, filename="placement-calendar", note="HEI programmes' placement weeks."
    ), dash.no_update
