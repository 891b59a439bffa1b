"""System overview: recruitment, the pipeline flow, attrition trends, reasons, retention."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Input, Output, callback, html

from tracker.access import Principal
from tracker.components import (
    callback_principal,
    chart_card,
    chosen_format,
    format_count,
    format_rate,
    graph,
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
from tracker.components.drawn import drawn, report_cache
from tracker.components.grids import table
from tracker.components.guard import app_disclosure_policy
from tracker.components.pipeline_filters import (
    FilterValue,
    dashboard,
    filter_inputs,
    filter_states,
    filters_from_values,
)
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
    cards = stat_row(
        [
            stat_card(
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
    return dbc.Row(
        [
            dbc.Col(
                chart_card(
                    "Recruitment against commissioned places",
                    graph(
                        f"{PAGE}-recruitment",
                        fig.recruitment_figure(report.by_intake.numbers),
                        filename="recruitment",
                    ),
                    "Labels on the bars: recruitment fill rate (starters ÷ commissioned places).",
                ),
                lg=6,
                className="mb-3",
            ),
            dbc.Col(
                chart_card(
                    "Attrition trend",
                    graph(
                        f"{PAGE}-trend",
                        fig.trend_figure(report.by_intake.numbers, report.in_year.numbers),
                        filename="attrition-trend",
                    ),
                    "Cohort attrition counts withdrawals so far, so recent intakes look "
                    "lower; RePAIR non-completion counts only cohorts due to finish.",
                ),
                lg=6,
                className="mb-3",
            ),
        ]
    )


def _reasons_and_retention(report: OverviewReport) -> Any:
    return dbc.Row(
        [
            dbc.Col(
                chart_card(
                    "Reasons for withdrawal",
                    graph(
                        f"{PAGE}-reasons",
                        fig.reasons_figure(report.reasons.numbers),
                        filename="withdrawal-reasons",
                    ),
                ),
                lg=6,
                className="mb-3",
            ),
            dbc.Col(
                chart_card(
                    "Retention by intake year",
                    graph(
                        f"{PAGE}-retention",
                        fig.retention_figure(report.retention, series="intake_year"),
                        filename="retention",
                    ),
                    "Kaplan–Meier: share not yet withdrawn by months since start; "
                    "completers and transfers count until they leave.",
                ),
                lg=6,
                className="mb-3",
            ),
        ]
    )


def _content(report: OverviewReport) -> Any:
    if report.by_intake.numbers.empty:
        return notice_empty(PAGE)
    text = report.by_intake.text
    return html.Div(
        [
            disclosure_notice(PAGE, report.note, report.exact),
            _headlines(report),
            _recruitment_and_trend(report),
            chart_card(
                "Pipeline flow: starters through each year to completion and employment",
                graph(f"{PAGE}-flow", fig.sankey_figure(report.flows), filename="pipeline-flow"),
                "Every starter of the selected intakes, as of the date above. Flows hidden by "
                "disclosure control are left out."
                if not report.exact
                else "Every starter of the selected intakes, as of the date above.",
            ),
            html.Div(className="mb-3"),
            _reasons_and_retention(report),
            table_card(
                "Recruitment and outcomes by intake year",
                f"{PAGE}-intake",
                table(f"{PAGE}-intake-table", text, BY_INTAKE_COLUMNS),
            ),
            table_card(
                "Withdrawals by reason",
                f"{PAGE}-reasons-table",
                table(
                    f"{PAGE}-reasons-grid",
                    report.reasons.text,
                    ("reason", "withdrawn", "share"),
                    height=300,
                ),
            ),
        ]
    )


def _report(principal: Principal, filters: PipelineFilters) -> OverviewReport:
    with reading() as session:
        return overview_report(
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
    header = page_header(
        "System overview", "Recruitment, progression, attrition and retention across the system."
    )
    return dashboard(PAGE, principal, filters, header, _view(principal, filters))


@callback(
    Output(f"{PAGE}-content", "children"),
    Output(f"{PAGE}-url", "search"),
    *filter_inputs(PAGE),
    prevent_initial_call=True,
)
def update_overview(*values: FilterValue) -> tuple[Any, str]:
    principal = callback_principal(PAGE)
    filters = filters_from_values(values)
    _, content = _view(principal, filters)
    return content, filters.to_query()


def _download(prefix: str, columns: tuple[str, ...], filename: str, table_of: Any) -> None:
    """Register the CSV/Excel download of one of the page's tables (buttons ``prefix``)."""

    @callback(
        Output(f"{PAGE}-{prefix}-download", "data"),
        Input(f"{PAGE}-{prefix}-csv", "n_clicks"),
        Input(f"{PAGE}-{prefix}-xlsx", "n_clicks"),
        *filter_states(PAGE),
        prevent_initial_call=True,
    )
    def download_table(_csv: int | None, _xlsx: int | None, *values: FilterValue) -> Any:
        principal = callback_principal(PAGE)
        fmt = chosen_format()
        report = _report(principal, filters_from_values(values))
        return send_table(
            table_of(report).download(columns),
            fmt=fmt,
            filename=filename,
            note=report.note,
            as_of=report.as_of,
            headers="figures",
        )

    download_table.__name__ = f"download_{prefix.replace('-', '_')}"


_download("intake", BY_INTAKE_COLUMNS, "outcomes-by-intake-year", lambda r: r.by_intake)
_download(
    "reasons-table", ("reason", "withdrawn", "share"), "withdrawal-reasons", lambda r: r.reasons
)
