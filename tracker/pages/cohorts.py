"""Cohort view: one HEI's cohorts or a programme over time, against the system."""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import Input, Output, callback, html
from dash.exceptions import PreventUpdate

from tracker import components as ui
from tracker.access import Principal
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
    return ui.stat_row(
        [
            ui.stat_card(
                label(row.measure, figures=True),
                ui.rate_text(row.selection),
                f"System: {ui.rate_text(row.system)}",
                card_id=f"{PAGE}-{row.measure.replace('_', '-')}",
            )
            for row in report.comparison.itertuples(index=False)
        ]
    )


def _parts(notes: Any, report: Any) -> Any:
    return [
        *notes,
        _cards(report),
        ui.chart_row(
            ui.graph_card(
                "Learners' current status by intake",
                f"{PAGE}-status",
                ui.figures.status_figure(report.by_intake.numbers),
                filename="cohort-status",
            ),
            ui.graph_card(
                f"{label('attrition_rate', figures=True)}: selection and system",
                f"{PAGE}-trend",
                ui.figures.selection_trend_figure(_with_system(report, "numbers")),
                filename="cohort-attrition",
                note="System: the same programmes, profession groups, routes and intakes "
                "at every HEI.",
            ),
        ),
        ui.chart_row(
            ui.graph_card(
                "Retention: selection and system",
                f"{PAGE}-retention",
                ui.figures.retention_figure(report.retention, series="series"),
                filename="cohort-retention",
                note="Kaplan–Meier: share not yet withdrawn by months since start.",
            ),
            ui.graph_card(
                "Measures against the system average",
                f"{PAGE}-comparison",
                ui.figures.comparison_figure(report.comparison),
                filename="cohort-comparison",
            ),
        ),
        ui.table_card(
            "Outcomes by intake, with the system's rates",
            f"{PAGE}-intake",
            ui.table(f"{PAGE}-intake-table", _with_system(report, "text"), INTAKE_COLUMNS),
        ),
    ]


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
    parts = _parts(notes, report)
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


REPORT = ui.pipeline_report(PAGE, cohort_report, _content)


@ui.page_guard(PAGE)
def layout(principal: Principal, **query: Any) -> Any:
    scope = (
        f"Your HEI ({principal.hei_code}) against the whole system."
        if principal.is_hei
        else "Choose an HEI, programme and intakes; compared with the same at every HEI."
    )
    header = ui.page_header("Cohorts", scope)
    return REPORT.layout(principal, PipelineFilters.from_query(query), header)


REPORT.follow_filters("update_cohorts")


@callback(
    Output(f"{PAGE}-learners-table", "getRowsResponse"),
    Input(f"{PAGE}-learners-table", "getRowsRequest"),
    *ui.filter_states(PAGE),
    prevent_initial_call=True,
)
def learner_rows(request: Any, *values: ui.FilterValue) -> Any:
    principal = ui.callback_principal(PAGE)
    report = REPORT.report(principal, ui.filters_from_values(values))
    if report.learners is None:  # figures under disclosure control: no learner rows
        raise PreventUpdate
    return grid_block(report.learners.loc[:, list(LEARNER_STATUS_COLUMNS)], request)


def _learners_table(report: CohortReport) -> pd.DataFrame:
    """The learner-level download: none for an empty selection or controlled figures."""
    if report.by_intake.numbers.empty or report.learners is None:
        raise PreventUpdate
    return report.learners.loc[:, list(LEARNER_STATUS_COLUMNS)]


def _intake_table(report: CohortReport) -> pd.DataFrame:
    """The intake download: the selection's figures with the system's rates beside them."""
    if report.by_intake.numbers.empty:  # no learners in the selection: nothing to download
        raise PreventUpdate
    mine = report.by_intake.download([c for c in INTAKE_COLUMNS if not c.startswith("system_")])
    system = report.system_by_intake.download(["intake", "attrition_rate", "non_completion_rate"])
    return mine.merge(
        system.rename(
            columns={
                "attrition_rate": "system_attrition_rate",
                "non_completion_rate": "system_non_completion_rate",
            }
        ),
        on="intake",
        how="left",
    ).loc[:, list(INTAKE_COLUMNS)]


REPORT.download(
    "intake",
    "cohort-outcomes-by-intake",
    _intake_table,
    lambda r: r.note + " System figures: " + r.system_note,
)
REPORT.download("learners", "cohort-learners", _learners_table)
