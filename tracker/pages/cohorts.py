"""Cohort view: one HEI's cohorts or a programme over time, against the system."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, callback, ctx, html
from dash.exceptions import PreventUpdate
from sqlmodel import Session

from tracker.access import Principal
from tracker.auth import app_engine
from tracker.cache import app_report_cache
from tracker.components import callback_principal, graph, page_guard, page_header, stat_card
from tracker.measures import MEASURE_LABELS, TOTAL
from tracker.pages import _pipeline_ui as ui
from tracker.queries.pipeline import PipelineFilters, filter_options
from tracker.services.grid_rows import grid_block
from tracker.services.pipeline_reports import LEARNER_STATUS_COLUMNS, CohortReport, cohort_report

PAGE = "cohorts"
dash.register_page(__name__, path="/cohorts", name="Cohorts", order=12, access=PAGE)

STATUS_COLUMNS = ("active", "interrupted", "completed", "transferred_out", "withdrawn")
STATUS_COLOURS = {
    "active": ui.COLOURS["primary"],
    "interrupted": ui.COLOURS["warm"],
    "completed": ui.COLOURS["green"],
    "transferred_out": ui.COLOURS["grey"],
    "withdrawn": ui.COLOURS["alert"],
}
INTAKE_COLUMNS = (
    "intake",
    "commissioned_places",
    "starters",
    "active",
    "interrupted",
    "completed",
    "transferred_out",
    "withdrawn",
    "attrition_rate",
    "system_attrition_rate",
    "non_completion_rate",
    "system_non_completion_rate",
)


def _with_system(report: CohortReport, face: str) -> Any:
    """The selection's intake table with the system's rates beside each intake."""
    mine = getattr(report.by_intake, face)
    system = getattr(report.system_by_intake, face)
    system = system[["intake", "attrition_rate", "non_completion_rate"]]
    system = system.rename(
        columns={
            "attrition_rate": "system_attrition_rate",
            "non_completion_rate": "system_non_completion_rate",
        }
    )
    return mine.merge(system, on="intake", how="left")


def _status_figure(report: CohortReport) -> go.Figure:
    rows = report.by_intake.numbers.loc[report.by_intake.numbers["intake"] != TOTAL]
    if rows.empty:
        return ui.empty_figure()
    fig = go.Figure(
        [
            go.Bar(
                name=ui.label(col),
                x=rows["intake"],
                y=rows[col],
                marker_color=STATUS_COLOURS[col],
            )
            for col in STATUS_COLUMNS
        ]
    )
    return ui.apply_layout(fig, barmode="stack", yaxis_title="Learners", xaxis_title="Intake")


def _trend_figure(report: CohortReport) -> go.Figure:
    table = _with_system(report, "numbers")
    rows = table.loc[table["intake"] != TOTAL]
    if rows.empty:
        return ui.empty_figure()
    fig = go.Figure(
        [
            go.Scatter(
                x=rows["intake"],
                y=rows["attrition_rate"],
                name="Selection",
                mode="lines+markers",
                line={"color": ui.COLOURS["primary"]},
            ),
            go.Scatter(
                x=rows["intake"],
                y=rows["system_attrition_rate"],
                name="System",
                mode="lines+markers",
                line={"color": ui.COLOURS["grey"], "dash": "dot"},
            ),
        ]
    )
    return ui.apply_layout(
        fig,
        yaxis_tickformat=".0%",
        yaxis_title=MEASURE_LABELS["attrition_rate"],
        xaxis_title="Intake",
    )


def _cards(report: CohortReport) -> Any:
    cards = []
    for row in report.comparison.itertuples(index=False):
        cards.append(
            dbc.Col(
                stat_card(
                    MEASURE_LABELS[row.measure],
                    ui.rate_text(row.selection),
                    f"System: {ui.rate_text(row.system)}",
                    card_id=f"{PAGE}-{row.measure.replace('_', '-')}",
                ),
                xs=12,
                sm=6,
                lg=3,
                className="mb-3",
            )
        )
    return dbc.Row(cards)


def _content(report: CohortReport) -> Any:
    if report.by_intake.numbers.empty:
        return ui.notice_empty(PAGE)
    notes = [ui.disclosure_notice(PAGE, report.note, report.exact)]
    if report.system_note != report.note:
        notes.append(
            ui.notice(
                "System figures: " + report.system_note,
                color="info",
                component_id=f"{PAGE}-system-disclosure",
            )
        )
    parts: list[Any] = [
        *notes,
        _cards(report),
        dbc.Row(
            [
                dbc.Col(
                    ui.chart_card(
                        "Learners' current status by intake",
                        graph(f"{PAGE}-status", _status_figure(report), filename="cohort-status"),
                    ),
                    lg=6,
                    className="mb-3",
                ),
                dbc.Col(
                    ui.chart_card(
                        f"{MEASURE_LABELS['attrition_rate']}: selection and system",
                        graph(f"{PAGE}-trend", _trend_figure(report), filename="cohort-attrition"),
                        "System: the same programmes, profession groups, routes and intakes "
                        "at every HEI.",
                    ),
                    lg=6,
                    className="mb-3",
                ),
            ]
        ),
        dbc.Row(
            [
                dbc.Col(
                    ui.chart_card(
                        "Retention: selection and system",
                        graph(
                            f"{PAGE}-retention",
                            ui.retention_figure(report.retention, series="series"),
                            filename="cohort-retention",
                        ),
                        "Kaplan–Meier: share not yet withdrawn by months since start.",
                    ),
                    lg=6,
                    className="mb-3",
                ),
                dbc.Col(
                    ui.chart_card(
                        "Measures against the system average",
                        graph(
                            f"{PAGE}-comparison",
                            ui.comparison_figure(report.comparison),
                            filename="cohort-comparison",
                        ),
                    ),
                    lg=6,
                    className="mb-3",
                ),
            ]
        ),
        ui.table_card(
            "Outcomes by intake, with the system's rates",
            f"{PAGE}-intake",
            ui.table(f"{PAGE}-intake-table", _with_system(report, "text"), INTAKE_COLUMNS),
        ),
    ]
    if report.learners is not None:
        parts.append(
            ui.table_card(
                f"Learners ({len(report.learners):,})",
                f"{PAGE}-learners",
                ui.scrolling_table(f"{PAGE}-learners-table", LEARNER_STATUS_COLUMNS),
                "Learner-level statuses are shown to the owning HEI and administrators only. "
                "Type under a heading to filter; click a heading to sort.",
            )
        )
    return html.Div(parts)


def _report(principal: Principal, filters: PipelineFilters) -> CohortReport:
    with Session(app_engine()) as session:
        return cohort_report(
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
    scope = (
        f"Your HEI ({principal.hei_code}) against the whole system."
        if principal.is_hei
        else "Choose an HEI, programme and intakes; compared with the same at every HEI."
    )
    return html.Div(
        [
            page_header("Cohorts", scope),
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
def update_cohorts(*values: ui.FilterValue) -> tuple[Any, str]:
    principal = callback_principal(PAGE)
    filters = ui.filters_from_values(values)
    _, content = _view(principal, filters)
    return content, filters.to_query()


@callback(
    Output(f"{PAGE}-learners-table", "getRowsResponse"),
    Input(f"{PAGE}-learners-table", "getRowsRequest"),
    *ui.filter_states(PAGE),
    prevent_initial_call=True,
)
def learner_rows(request: Any, *values: ui.FilterValue) -> Any:
    principal = callback_principal(PAGE)
    report = _report(principal, ui.filters_from_values(values))
    if report.learners is None:  # figures under disclosure control: no learner rows
        raise PreventUpdate
    return grid_block(report.learners.loc[:, list(LEARNER_STATUS_COLUMNS)], request)


def _download(values: Any, which: str) -> Any:
    principal = callback_principal(PAGE)
    if not ctx.triggered_id or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    report = _report(principal, ui.filters_from_values(values))
    if report.by_intake.numbers.empty:  # no learners in the selection: nothing to download
        raise PreventUpdate
    fmt = "xlsx" if str(ctx.triggered_id).endswith("xlsx") else "csv"
    if which == "learners":
        if report.learners is None:
            raise PreventUpdate
        frame = report.learners.loc[:, list(LEARNER_STATUS_COLUMNS)]
        return ui.send_table(
            frame, fmt=fmt, filename="cohort-learners", note=report.note, as_of=report.as_of
        )
    mine = report.by_intake.download([c for c in INTAKE_COLUMNS if not c.startswith("system_")])
    system = report.system_by_intake.download(["intake", "attrition_rate", "non_completion_rate"])
    frame = mine.merge(
        system.rename(
            columns={
                "attrition_rate": "system_attrition_rate",
                "non_completion_rate": "system_non_completion_rate",
            }
        ),
        on="intake",
        how="left",
    ).loc[:, list(INTAKE_COLUMNS)]
    note = report.note + " System figures: " + report.system_note
    return ui.send_table(
        frame, fmt=fmt, filename="cohort-outcomes-by-intake", note=note, as_of=report.as_of
    )


@callback(
    Output(f"{PAGE}-intake-download", "data"),
    Input(f"{PAGE}-intake-csv", "n_clicks"),
    Input(f"{PAGE}-intake-xlsx", "n_clicks"),
    *ui.filter_states(PAGE),
    prevent_initial_call=True,
)
def download_intake_table(_csv: int | None, _xlsx: int | None, *values: ui.FilterValue) -> Any:
    return _download(values, "intake")


@callback(
    Output(f"{PAGE}-learners-download", "data"),
    Input(f"{PAGE}-learners-csv", "n_clicks"),
    Input(f"{PAGE}-learners-xlsx", "n_clicks"),
    *ui.filter_states(PAGE),
    prevent_initial_call=True,
)
def download_learner_table(_csv: int | None, _xlsx: int | None, *values: ui.FilterValue) -> Any:
    return _download(values, "learners")
