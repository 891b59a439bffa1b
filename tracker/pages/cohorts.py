"""Cohort view: one HEI's cohorts or a programme over time, against the system."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html
from dash.exceptions import PreventUpdate

from tracker.access import Principal
from tracker.components import (
    callback_principal,
    chart_card,
    chosen_format,
    graph,
    notice,
    page_guard,
    page_header,
    reading,
    send_table,
    stat_card,
    stat_row,
    table_card,
)
from tracker.components import figures as fig
from tracker.components.alerts import disclosure_notice, notice_empty
from tracker.components.cards import rate_text
from tracker.components.drawn import drawn, report_cache
from tracker.components.grids import scrolling_table, table
from tracker.components.guard import app_disclosure_policy
from tracker.components.pipeline_filters import (
    FilterValue,
    dashboard,
    filter_inputs,
    filter_states,
    filters_from_values,
)
from tracker.queries.pipeline import PipelineFilters
from tracker.services.grid_rows import grid_block
from tracker.services.pipeline_reports import LEARNER_STATUS_COLUMNS, CohortReport, cohort_report
from tracker.vocabulary import label

PAGE = "cohorts"
dash.register_page(__name__, path="/cohorts", name="Cohorts", order=12, access=PAGE)

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


def _cards(report: CohortReport) -> Any:
    return stat_row(
        [
            stat_card(
                label(row.measure, figures=True),
                rate_text(row.selection),
                f"System: {rate_text(row.system)}",
                card_id=f"{PAGE}-{row.measure.replace('_', '-')}",
            )
            for row in report.comparison.itertuples(index=False)
        ]
    )


def _parts(notes: Any, report: Any) -> Any:
    return [
        *notes,
        _cards(report),
        dbc.Row(
            [
                dbc.Col(
                    chart_card(
                        "Learners' current status by intake",
                        graph(
                            f"{PAGE}-status",
                            fig.status_figure(report.by_intake.numbers),
                            filename="cohort-status",
                        ),
                    ),
                    lg=6,
                    className="mb-3",
                ),
                dbc.Col(
                    chart_card(
                        f"{label('attrition_rate', figures=True)}: selection and system",
                        graph(
                            f"{PAGE}-trend",
                            fig.selection_trend_figure(_with_system(report, "numbers")),
                            filename="cohort-attrition",
                        ),
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
                    chart_card(
                        "Retention: selection and system",
                        graph(
                            f"{PAGE}-retention",
                            fig.retention_figure(report.retention, series="series"),
                            filename="cohort-retention",
                        ),
                        "Kaplan–Meier: share not yet withdrawn by months since start.",
                    ),
                    lg=6,
                    className="mb-3",
                ),
                dbc.Col(
                    chart_card(
                        "Measures against the system average",
                        graph(
                            f"{PAGE}-comparison",
                            fig.comparison_figure(report.comparison),
                            filename="cohort-comparison",
                        ),
                    ),
                    lg=6,
                    className="mb-3",
                ),
            ]
        ),
        table_card(
            "Outcomes by intake, with the system's rates",
            f"{PAGE}-intake",
            table(f"{PAGE}-intake-table", _with_system(report, "text"), INTAKE_COLUMNS),
        ),
    ]


def _content(report: CohortReport) -> Any:
    if report.by_intake.numbers.empty:
        return notice_empty(PAGE)
    notes = [disclosure_notice(PAGE, report.note, report.exact)]
    if report.system_note != report.note:
        notes.append(
            notice(
                "System figures: " + report.system_note,
                color="info",
                component_id=f"{PAGE}-system-disclosure",
            )
        )
    parts = _parts(notes, report)
    if report.learners is not None:
        parts.append(
            table_card(
                f"Learners ({len(report.learners):,})",
                f"{PAGE}-learners",
                scrolling_table(f"{PAGE}-learners-table", LEARNER_STATUS_COLUMNS),
                "Learner-level statuses are shown to the owning HEI and administrators only. "
                "Type under a heading to filter; click a heading to sort.",
            )
        )
    return html.Div(parts)


def _report(principal: Principal, filters: PipelineFilters) -> CohortReport:
    with reading() as session:
        return cohort_report(
            session,
            principal=principal,
            filters=filters,
            cache=report_cache(),
            policy=app_disclosure_policy(),
        )


def _view(principal: Principal, filters: PipelineFilters) -> tuple[Any, Any]:
    """The as-of date and drawn content for a selection (see ``components.drawn``)."""
    return drawn(PAGE, principal, (filters,), lambda: _report(principal, filters), _content)


@page_guard(PAGE)
def layout(principal: Principal, **query: Any) -> Any:
    filters = PipelineFilters.from_query(query)
    scope = (
        f"Your HEI ({principal.hei_code}) against the whole system."
        if principal.is_hei
        else "Choose an HEI, programme and intakes; compared with the same at every HEI."
    )
    header = page_header("Cohorts", scope)
    return dashboard(PAGE, principal, filters, header, _view(principal, filters))


@callback(
    Output(f"{PAGE}-content", "children"),
    Output(f"{PAGE}-url", "search"),
    *filter_inputs(PAGE),
    prevent_initial_call=True,
)
def update_cohorts(*values: FilterValue) -> tuple[Any, str]:
    principal = callback_principal(PAGE)
    filters = filters_from_values(values)
    _, content = _view(principal, filters)
    return content, filters.to_query()


@callback(
    Output(f"{PAGE}-learners-table", "getRowsResponse"),
    Input(f"{PAGE}-learners-table", "getRowsRequest"),
    *filter_states(PAGE),
    prevent_initial_call=True,
)
def learner_rows(request: Any, *values: FilterValue) -> Any:
    principal = callback_principal(PAGE)
    report = _report(principal, filters_from_values(values))
    if report.learners is None:  # figures under disclosure control: no learner rows
        raise PreventUpdate
    return grid_block(report.learners.loc[:, list(LEARNER_STATUS_COLUMNS)], request)


def _download(values: Any, which: str) -> Any:
    principal = callback_principal(PAGE)
    fmt = chosen_format()
    report = _report(principal, filters_from_values(values))
    if report.by_intake.numbers.empty:  # no learners in the selection: nothing to download
        raise PreventUpdate
    if which == "learners":
        if report.learners is None:
            raise PreventUpdate
        frame = report.learners.loc[:, list(LEARNER_STATUS_COLUMNS)]
        return send_table(
            frame,
            fmt=fmt,
            filename="cohort-learners",
            note=report.note,
            as_of=report.as_of,
            headers="figures",
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
    return send_table(
        frame,
        fmt=fmt,
        filename="cohort-outcomes-by-intake",
        note=note,
        as_of=report.as_of,
        headers="figures",
    )


@callback(
    Output(f"{PAGE}-intake-download", "data"),
    Input(f"{PAGE}-intake-csv", "n_clicks"),
    Input(f"{PAGE}-intake-xlsx", "n_clicks"),
    *filter_states(PAGE),
    prevent_initial_call=True,
)
def download_intake_table(_csv: int | None, _xlsx: int | None, *values: FilterValue) -> Any:
    return _download(values, "intake")


@callback(
    Output(f"{PAGE}-learners-download", "data"),
    Input(f"{PAGE}-learners-csv", "n_clicks"),
    Input(f"{PAGE}-learners-xlsx", "n_clicks"),
    *filter_states(PAGE),
    prevent_initial_call=True,
)
def download_learner_table(_csv: int | None, _xlsx: int | None, *values: FilterValue) -> Any:
    return _download(values, "learners")
