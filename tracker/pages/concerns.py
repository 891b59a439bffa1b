"""Areas of concern: a funnel plot of attrition, so small cohorts are not over-read."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Output, callback, html

from tracker import components as ui
from tracker.access import Principal
from tracker.queries.pipeline import PipelineFilters
from tracker.services.pipeline_reports import FUNNEL_UNITS, ConcernsReport, concerns_report
from tracker.vocabulary import label

PAGE = "concerns"
dash.register_page(__name__, path="/concerns", name="Areas of concern", order=11, access=PAGE)

UNIT_LABELS = {"programme": "Programme at each HEI", "cohort": "Each intake (cohort)"}
ATTRITION = label("attrition_rate", figures=True)
TABLE_COLUMNS = ("flag", "starters", "withdrawn", "attrition_rate")


def _unit(value: Any) -> str:
    return value if isinstance(value, str) and value in FUNNEL_UNITS else "programme"


def _search(filters: PipelineFilters, unit: str) -> str:
    search = filters.to_query()
    if unit == "programme":
        return search
    return f"{search}&unit={unit}" if search else f"?unit={unit}"


def _content(report: ConcernsReport) -> Any:
    if report.table.numbers.empty:
        return ui.notice_empty(PAGE)
    unit = list(report.unit)
    flagged = report.flagged
    hidden = (
        f" {report.hidden_units} units with fewer than 23 starters are not plotted: their rates "
        "may not be shown outside their HEI."
        if report.hidden_units
        else ""
    )
    if flagged.empty:
        listing: Any = ui.notice("No unit lies outside the 95% limits.", color="light")
    else:
        listing = ui.table(f"{PAGE}-flagged-table", flagged, [*unit, *TABLE_COLUMNS], height=260)
    all_units = report.table.text.merge(report.points[[*unit, "flag"]], on=unit, how="left").fillna(
        {"flag": "not plotted"}
    )
    return html.Div(
        [
            ui.disclosure_notice(PAGE, report.note, report.exact),
            ui.chart_row(
                ui.graph_card(
                    f"Funnel plot: {ATTRITION} against cohort size",
                    f"{PAGE}-funnel",
                    ui.figures.funnel_figure(
                        report.points, report.limits, report.system_rate, unit
                    ),
                    filename="attrition-funnel-plot",
                    note="Lines: 95% and 99.8% control limits around the system rate "
                    f"({report.system_rate:.1%}), exact binomial. A point outside the "
                    "99.8% limits is very unlikely to be chance; between 95% and 99.8% "
                    "it merits a look. Limits widen for small cohorts, so a high rate on "
                    "few learners is not over-read." + hidden,
                ),
                ui.card(
                    f"Outside the limits ({len(flagged)})",
                    listing,
                    title_id=f"{PAGE}-flagged-count",
                    body_id=f"{PAGE}-flagged",
                    full_height=True,
                ),
                widths=(8, 4),
            ),
            ui.table_card(
                "Every unit",
                f"{PAGE}-units",
                ui.table(f"{PAGE}-units-table", all_units, [*unit, *TABLE_COLUMNS]),
            ),
        ]
    )


REPORT = ui.pipeline_report(PAGE, concerns_report, _content)


@ui.page_guard(PAGE)
def layout(principal: Principal, unit: str = "programme", **query: Any) -> Any:
    filters = PipelineFilters.from_query(query)
    unit = _unit(unit)
    header = ui.page_header(
        "Areas of concern",
        "Which programmes or cohorts lose more learners than chance would explain?",
    )
    compare = html.Div(
        [
            html.Span("Compare", id=f"{PAGE}-unit-label", className="small me-2"),
            dbc.RadioItems(
                id=f"{PAGE}-unit",
                options=[{"label": v, "value": k} for k, v in UNIT_LABELS.items()],
                value=unit,
                inline=True,
                label_class_name="small",
            ),
        ],
        className="d-flex align-items-center mb-2",
    )
    return REPORT.layout(principal, filters, header, compare, unit=unit)


@callback(
    *ui.children(PAGE, "content"),
    Output(f"{PAGE}-url", "search"),
    *ui.inputs(PAGE, "unit"),
    *ui.filter_inputs(PAGE),
    prevent_initial_call=True,
)
def update_concerns(unit: Any, *values: ui.FilterValue) -> tuple[Any, str]:
    principal = ui.callback_principal(PAGE)
    filters = ui.filters_from_values(values)
    unit = _unit(unit)
    _, content = REPORT.view(principal, filters, unit=unit)
    return content, _search(filters, unit)


@callback(
    *ui.table_download(f"{PAGE}-units"),
    *ui.states(PAGE, "unit"),
    *ui.filter_states(PAGE),
    prevent_initial_call=True,
)
def download_units_table(
    _csv: int | None, _xlsx: int | None, unit: Any, *values: ui.FilterValue
) -> Any:
    principal = ui.callback_principal(PAGE)
    fmt = ui.chosen_format()
    report = REPORT.report(principal, ui.filters_from_values(values), unit=_unit(unit))
    by = list(report.unit)
    frame = report.table.download([*by, "starters", "withdrawn", "attrition_rate"])
    frame = frame.merge(report.points[[*by, "flag"]], on=by, how="left")
    frame["flag"] = frame["flag"].fillna("not plotted")
    return ui.send_table(
        frame,
        fmt=fmt,
        filename="attrition-funnel-units",
        note=report.note,
        as_of=report.as_of,
        headers="figures",
    )
