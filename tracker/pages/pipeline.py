"""System overview: recruitment, the pipeline flow, attrition trends, reasons, retention."""

from __future__ import annotations

from typing import Any

import dash
import numpy as np
import pandas as pd
from dash import html

from tracker import components as ui
from tracker.access import Principal
from tracker.queries.pipeline import PipelineFilters
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
    return ui.format_rate(value) if row["kind"] == "rate" else ui.format_count(value)


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
    cards = ui.stat_row(
        [
            ui.stat_card(
                rows.loc[m, "label"],
                _value(rows.loc[m], "value"),
                _change(rows.loc[m]),
                card_id=f"{PAGE}-headline-{m.replace('_', '-')}",
            )
            for m in HEADLINE_CARDS
            if m in rows.index
        ]
    )
    period = rows["period"].iloc[0]
    return html.Div(
        [
            html.P(
                f"Academic year {period}, against the same point last year.",
                className="small text-muted mb-2",
            ),
            cards,
        ]
    )


def _recruitment_and_trend(report: OverviewReport) -> Any:
    return ui.chart_row(
        ui.graph_card(
            "Recruitment against commissioned places",
            f"{PAGE}-recruitment",
            ui.figures.recruitment_figure(report.by_intake.numbers),
            filename="recruitment",
            note="Labels on the bars: recruitment fill rate (starters ÷ commissioned places).",
        ),
        ui.graph_card(
            "Attrition trend",
            f"{PAGE}-trend",
            ui.figures.trend_figure(report.by_intake.numbers, report.in_year.numbers),
            filename="attrition-trend",
            note="Cohort attrition counts withdrawals so far, so recent intakes look "
            "lower; RePAIR non-completion counts only cohorts due to finish.",
        ),
    )


def _reasons_and_retention(report: OverviewReport) -> Any:
    return ui.chart_row(
        ui.graph_card(
            "Reasons for withdrawal",
            f"{PAGE}-reasons",
            ui.figures.reasons_figure(report.reasons.numbers),
            filename="withdrawal-reasons",
        ),
        ui.graph_card(
            "Retention by intake year",
            f"{PAGE}-retention",
            ui.figures.retention_figure(report.retention, series="intake_year"),
            filename="retention",
            note="Kaplan–Meier: share not yet withdrawn by months since start; "
            "completers and transfers count until they leave.",
        ),
    )


def _content(report: OverviewReport) -> Any:
    if report.by_intake.numbers.empty:
        return ui.notice_empty(PAGE)
    text = report.by_intake.text
    return html.Div(
        [
            ui.disclosure_notice(PAGE, report.note, report.exact),
            _headlines(report),
            _recruitment_and_trend(report),
            ui.graph_card(
                "Pipeline flow: starters through each year to completion and employment",
                f"{PAGE}-flow",
                ui.figures.sankey_figure(report.flows),
                filename="pipeline-flow",
                note="Every starter of the selected intakes, as of the date above. Flows hidden by "
                "disclosure control are left out."
                if not report.exact
                else "Every starter of the selected intakes, as of the date above.",
            ),
            html.Div(className="mb-3"),
            _reasons_and_retention(report),
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


REPORT = ui.pipeline_report(PAGE, overview_report, _content)


@ui.page_guard(PAGE)
def layout(principal: Principal, **query: Any) -> Any:
    header = ui.page_header(
        "System overview", "Recruitment, progression, attrition and retention across the system."
    )
    return REPORT.layout(principal, PipelineFilters.from_query(query), header)


REPORT.follow_filters("update_overview")
REPORT.download(
    "intake", "outcomes-by-intake-year", lambda r: r.by_intake.download(BY_INTAKE_COLUMNS)
)
REPORT.download(
    "reasons-table",
    "withdrawal-reasons",
    lambda r: r.reasons.download(("reason", "withdrawn", "share")),
)
