"""System overview: recruitment, the pipeline flow, attrition trends, reasons, retention."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Input, Output, callback, ctx, html
from dash.exceptions import PreventUpdate
from sqlmodel import Session

from tracker.access import Principal
from tracker.auth import app_engine
from tracker.cache import app_report_cache
from tracker.components import (
    callback_principal,
    format_count,
    format_rate,
    graph,
    page_guard,
    page_header,
    stat_card,
)
from tracker.pages import _pipeline_ui as ui
from tracker.queries.pipeline import PipelineFilters, filter_options
from tracker.services.pipeline_reports import OverviewReport, overview_report

PAGE = "pipeline"
dash.register_page(__name__, path="/pipeline", name="System overview", order=10, access=PAGE)

HEADLINE_CARDS = (
    "starters",
    "fill_rate",
    "on_programme",
    "in_year_attrition_rate",
    "attrition_rate",
    "non_completion_rate",
    "completed_in_year",
    "local_retention",
)
BY_INTAKE_COLUMNS = (
    "intake_year",
    "commissioned_places",
    "starters",
    "fill_rate",
    "withdrawn",
    "transferred_out",
    "interrupted",
    "completed",
    "active",
    "attrition_rate",
    "non_completion_rate",
    "local_retention",
)


def _value(row: pd.Series, column: str) -> str:
    value = row[column]
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ".."
    return format_rate(value) if row["kind"] == "rate" else format_count(value)


def _change(row: pd.Series) -> str:
    change = row["change"]
    if change is None or (isinstance(change, float) and np.isnan(change)):
        return f"{row['previous_period']}: {_value(row, 'previous')}"
    shown = f"{change * 100:+.1f} points" if row["kind"] == "rate" else f"{change:+,.0f}"
    return f"{shown} on {row['previous_period']} ({_value(row, 'previous')})"


def _headlines(report: OverviewReport) -> Any:
    if report.headlines.empty:
        return None
    rows = report.headlines.set_index("measure")
    cards = [
        dbc.Col(
            stat_card(
                rows.loc[m, "label"],
                _value(rows.loc[m], "value"),
                _change(rows.loc[m]),
                card_id=f"{PAGE}-headline-{m.replace('_', '-')}",
            ),
            xs=12,
            sm=6,
            lg=3,
            className="mb-3",
        )
        for m in HEADLINE_CARDS
        if m in rows.index
    ]
    period = rows["period"].iloc[0]
    return html.Div(
        [
            html.P(
                f"Academic year {period}, against the same point last year.",
                className="small text-muted mb-2",
            ),
            dbc.Row(cards),
        ]
    )


def _content(report: OverviewReport) -> Any:
    if report.by_intake.numbers.empty:
        return ui.notice_empty(PAGE)
    numbers, text = report.by_intake.numbers, report.by_intake.text
    return html.Div(
        [
            ui.disclosure_notice(PAGE, report.note, report.exact),
            _headlines(report),
            dbc.Row(
                [
                    dbc.Col(
                        ui.chart_card(
                            "Recruitment against commissioned places",
                            graph(
                                f"{PAGE}-recruitment",
                                ui.recruitment_figure(numbers),
                                filename="recruitment",
                            ),
                            "Labels on the bars: recruitment fill rate (starters ÷ commissioned "
                            "places).",
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        ui.chart_card(
                            "Attrition trend",
                            graph(
                                f"{PAGE}-trend",
                                ui.trend_figure(numbers, report.in_year.numbers),
                                filename="attrition-trend",
                            ),
                            "Cohort attrition counts withdrawals so far, so recent intakes look "
                            "lower; RePAIR non-completion counts only cohorts due to finish.",
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                ]
            ),
            ui.chart_card(
                "Pipeline flow: starters through each year to completion and employment",
                graph(f"{PAGE}-flow", ui.sankey_figure(report.flows), filename="pipeline-flow"),
                "Every starter of the selected intakes, as of the date above. Flows hidden by "
                "disclosure control are left out."
                if not report.exact
                else "Every starter of the selected intakes, as of the date above.",
            ),
            html.Div(className="mb-3"),
            dbc.Row(
                [
                    dbc.Col(
                        ui.chart_card(
                            "Reasons for withdrawal",
                            graph(
                                f"{PAGE}-reasons",
                                ui.reasons_figure(report.reasons.numbers),
                                filename="withdrawal-reasons",
                            ),
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        ui.chart_card(
                            "Retention by intake year",
                            graph(
                                f"{PAGE}-retention",
                                ui.retention_figure(report.retention, series="intake_year"),
                                filename="retention",
                            ),
                            "Kaplan–Meier: share not yet withdrawn by months since start; "
                            "completers and transfers count until they leave.",
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                ]
            ),
            ui.table_card(
                "Recruitment and outcomes by intake year",
                f"{PAGE}-intake",
                ui.table(f"{PAGE}-intake-table", text, BY_INTAKE_COLUMNS),
            ),
            ui.table_card(
                "Withdrawals by reason",
                f"{PAGE}-reasons-table",
                ui.table(
                    f"{PAGE}-reasons-grid",
                    report.reasons.text,
                    ("reason", "withdrawn", "share"),
                    height=300,
                ),
            ),
        ]
    )


def _report(principal: Principal, filters: PipelineFilters) -> OverviewReport:
    with Session(app_engine()) as session:
        return overview_report(
            session,
            principal=principal,
            filters=filters,
            cache=app_report_cache(),
            policy=ui.app_disclosure_policy(),
        )


def _view(principal: Principal, filters: PipelineFilters) -> tuple[Any, Any]:
    """The as-of date and drawn content for a selection (see ``ui.drawn``)."""
    return ui.drawn(PAGE, principal, (filters,), lambda: _report(principal, filters), _content)


@page_guard(PAGE)
def layout(principal: Principal, **query: Any) -> Any:
    filters = PipelineFilters.from_query(query)
    with Session(app_engine()) as session:
        options = filter_options(session, principal=principal)
    as_of, content = _view(principal, filters)
    return html.Div(
        [
            page_header(
                "System overview",
                "Recruitment, progression, attrition and retention across the system.",
            ),
            ui.filter_bar(PAGE, options, filters),
            html.P(ui.as_of_text(as_of), className="small text-muted", id=f"{PAGE}-as-of"),
            ui.loading(html.Div(content, id=f"{PAGE}-content")),
        ]
    )


@callback(
    Output(f"{PAGE}-content", "children"),
    Output(f"{PAGE}-url", "search"),
    *ui.filter_inputs(PAGE),
    prevent_initial_call=True,
)
def update_overview(*values: ui.FilterValue) -> tuple[Any, str]:
    principal = callback_principal(PAGE)
    filters = ui.filters_from_values(values)
    _, content = _view(principal, filters)
    return content, filters.to_query()


@callback(
    Output(f"{PAGE}-intake-download", "data"),
    Input(f"{PAGE}-intake-csv", "n_clicks"),
    Input(f"{PAGE}-intake-xlsx", "n_clicks"),
    *ui.filter_states(PAGE),
    prevent_initial_call=True,
)
def download_intake_table(_csv: int | None, _xlsx: int | None, *values: ui.FilterValue) -> Any:
    principal = callback_principal(PAGE)
    if not ctx.triggered_id or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    report = _report(principal, ui.filters_from_values(values))
    return ui.send_table(
        report.by_intake.download(BY_INTAKE_COLUMNS),
        fmt="xlsx" if str(ctx.triggered_id).endswith("xlsx") else "csv",
        filename="outcomes-by-intake-year",
        note=report.note,
        as_of=report.as_of,
    )


@callback(
    Output(f"{PAGE}-reasons-table-download", "data"),
    Input(f"{PAGE}-reasons-table-csv", "n_clicks"),
    Input(f"{PAGE}-reasons-table-xlsx", "n_clicks"),
    *ui.filter_states(PAGE),
    prevent_initial_call=True,
)
def download_reasons_table(_csv: int | None, _xlsx: int | None, *values: ui.FilterValue) -> Any:
    principal = callback_principal(PAGE)
    if not ctx.triggered_id or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    report = _report(principal, ui.filters_from_values(values))
    return ui.send_table(
        report.reasons.download(("reason", "withdrawn", "share")),
        fmt="xlsx" if str(ctx.triggered_id).endswith("xlsx") else "csv",
        filename="withdrawal-reasons",
        note=report.note,
        as_of=report.as_of,
    )
