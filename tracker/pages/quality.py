"""Placement quality from learners' evaluations, per setting, provider organisation or sector:
response counts, mean scores with intervals, the trend over terms and comments; and settings
under quality review, which coordinators start and end here.

Coordinators and administrators, and placement provider users for their own settings
(``access.QUALITY_READERS``). What the page draws,
hovers and downloads is the report's (``services.quality_reports``): means hidden below the
deployment's minimum of responses and wherever totals would give them away, comments only
from settings' terms with that many responses. No learner is named anywhere.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from typing_extensions import TypedDict

from tracker import components as ui
from tracker.access import Principal, may_keep_quality_reviews
from tracker.callback_inputs import IsoDate
from tracker.clock import today
from tracker.measures.quality import LEVELS
from tracker.queries.quality import REVIEW_COLUMNS
from tracker.refusals import Refused
from tracker.services.quality_reports import (
    QualityReport,
    level_columns,
    quality_report,
    shown_columns,
    shown_rows,
)
from tracker.services.quality_reviews import end_review, start_review
from tracker.vocabulary import QUALITY_LEVELS, options

PAGE = "quality"
dash.register_page(__name__, path="/quality", name="Placement quality", order=26, access=PAGE)

REVIEW_SHOWN = [c for c in REVIEW_COLUMNS if c not in ("id", "version")]


class ReviewRow(TypedDict, total=False):
    id: int
    version: int


def _report(principal: Principal, level: str | None, unit: str | None = None) -> QualityReport:
    chosen = level if level in LEVELS else "setting"
    with ui.reading() as session:
        return quality_report(
            session,
            principal=principal,
            level=chosen,
            unit=unit or None,
            min_responses=ui.app_quality_min_responses(),
        )


def _units(report: QualityReport) -> list[dict[str, str]]:
    if report.level == "all" or report.table.empty:
        return []
    return [{"label": str(u), "value": str(u)} for u in report.table[report.level]]


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    report = _report(principal, "setting")
    return html.Div(
        [
            ui.page_header(
                "Placement quality",
                "Learners' end-of-placement evaluations (1 strongly disagree to 5 strongly "
                "agree, modelled on NETS) by setting, provider organisation or sector.",
            ),
            ui.notice(report.note, component_id=f"{PAGE}-note"),
            dbc.Row(
                [
                    ui.field(
                        "Show by",
                        ui.dropdown(
                            f"{PAGE}-level",
                            options(QUALITY_LEVELS),
                            multi=False,
                            value="setting",
                            clearable=False,
                        ),
                        3,
                    ),
                    ui.field(
                        "Trend and comments of",
                        ui.dropdown(f"{PAGE}-unit", _units(report), multi=False, placeholder="All"),
                        4,
                    ),
                ]
            ),
            ui.table_card(
                "Scores",
                f"{PAGE}-table",
                ui.grid(
                    f"{PAGE}-grid",
                    shown_columns("setting"),
                    ui.records(shown_rows(report.table, "setting")),
                    height=420,
                ),
                note="Each item's mean with its 95% interval; the download has them as numbers.",
            ),
            ui.graph_card(
                "Trend over terms",
                f"{PAGE}-trend",
                ui.quality_trend_figure(report.trend.iloc[0:0]),
                filename="placement-quality-trend",
                note="Choose a setting, organisation or sector above to see its terms.",
            ),
            ui.card("Comments", html.Div(id=f"{PAGE}-comments"), card_id=f"{PAGE}-comments-card"),
            _reviews_card(report, may_keep_quality_reviews(principal)),
        ]
    )


def _reviews_card(report: QualityReport, may_review: bool) -> Any:
    """The reviews of the settings the user sees; the form to start and end them only for
    those who keep reviews (placement providers read their own settings' reviews)."""
    return ui.card(
        "Settings under quality review",
        [
            ui.grid(
                f"{PAGE}-reviews",
                REVIEW_SHOWN,
                _review_rows(report),
                height=240,
                row_id="id",
                selectable=True,
                fit_content=True,
            ),
            html.Div(_review_form(), style={} if may_review else {"display": "none"}),
            html.Div(id=f"{PAGE}-message", className="mt-2"),
            dcc.Store(id=f"{PAGE}-changed", data=0),
        ],
        note="While a review is open the allocator offers the setting no new learners (or, "
        "by the run's choice, prefers other settings); each change is in the audit log.",
    )


def _review_form() -> list[Any]:
    """Start a review (setting, reason, day) or end the chosen one (outcome)."""
    return [
        dbc.Row(
            [
                ui.field("Setting code", dbc.Input(id=f"{PAGE}-setting", maxLength=32), 3),
                ui.field("Reason", dbc.Input(id=f"{PAGE}-reason", maxLength=500), 5),
                ui.field(
                    "On",
                    dbc.Input(id=f"{PAGE}-day", type="date", value=today().isoformat()),
                    2,
                ),
            ],
            className="mt-2",
        ),
        ui.button("Put under review", f"{PAGE}-start"),
        dbc.Row(
            [
                ui.field(
                    "Outcome (to end the chosen review)",
                    dbc.Input(id=f"{PAGE}-outcome", maxLength=500),
                    8,
                ),
            ],
            className="mt-3",
        ),
        ui.button("End the chosen review", f"{PAGE}-end", color="secondary"),
    ]


@callback(
    Output(f"{PAGE}-unit", "options"),
    Output(f"{PAGE}-unit", "value"),
    Input(f"{PAGE}-level", "value"),
    prevent_initial_call=True,
)
def choose_level(level: str | None) -> Any:
    """The units of the chosen level, none chosen."""
    return _units(_report(ui.callback_principal(PAGE), level)), None


@callback(
    Output(f"{PAGE}-grid", "columnDefs"),
    Output(f"{PAGE}-grid", "rowData"),
    Output(f"{PAGE}-trend", "figure"),
    Output(f"{PAGE}-comments", "children"),
    *ui.inputs(PAGE, "level", "unit"),
)
def show_quality(level: str | None, unit: str | None) -> Any:
    """The chosen level's scores, and the chosen unit's trend and comments."""
    report = _report(ui.callback_principal(PAGE), level, unit)
    rows = ui.records(shown_rows(report.table, report.level))
    trend = report.trend if unit or report.level == "all" else report.trend.iloc[0:0]
    return (
        ui.column_defs(shown_columns(report.level)),
        rows,
        ui.plain_figure(ui.quality_trend_figure(trend)),
        _comments(report, unit),
    )


def _comments(report: QualityReport, unit: str | None) -> Any:
    if not unit and report.level != "all":
        return html.P("Choose one above to read its comments.", className="text-muted mb-0")
    if report.comments.empty:
        return html.P(
            "No comments may be shown: no term of these settings has enough responses.",
            className="text-muted mb-0",
        )
    return html.Ul(
        [
            html.Li([html.Strong(f"{row.setting}, {row.term}: "), str(row.comment)])
            for row in report.comments.itertuples(index=False)
        ],
        className="mb-0",
    )


@callback(
    *ui.table_download(f"{PAGE}-table"),
    State(f"{PAGE}-level", "value"),
    prevent_initial_call=True,
)
def download_quality(_csv: int | None, _xlsx: int | None, level: str | None) -> Any:
    """The chosen level's table with means and intervals as numbers (hidden ones empty)."""
    fmt = ui.chosen_format()
    report = _report(ui.callback_principal(PAGE), level)
    table = report.rows()[level_columns(report.level)]
    return ui.send_table(table, fmt=fmt, filename="placement-quality", note=report.note)


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-reviews", "rowData"),
    *ui.clicks(PAGE, "start", "end"),
    *ui.states(PAGE, "setting", "reason", "day", "outcome"),
    State(f"{PAGE}-reviews", "selectedRows"),
    prevent_initial_call=True,
)
def change_review(
    _start: int | None,
    _end: int | None,
    setting: str | None,
    reason: str | None,
    day: IsoDate | None,
    outcome: str | None,
    picked: list[ReviewRow] | None,
) -> Any:
    """Put a setting under quality review, or end the chosen review, and list them again."""
    principal = ui.callback_principal(PAGE)
    ending = dash.ctx.triggered_id == f"{PAGE}-end"
    try:
        if not day:
            raise Refused("Give the day.")
        on = date.fromisoformat(day)
        with ui.writing() as session:
            if ending:
                chosen = picked[0] if picked else None
                if chosen is None or "id" not in chosen:
                    raise Refused("Choose the review to end in the list first.")
                end_review(
                    session,
                    principal,
                    review_id=int(chosen["id"]),
                    version=chosen.get("version"),
                    ended_on=on,
                    outcome=outcome,
                )
                text = "The review has ended."
            else:
                start_review(
                    session, principal, setting=setting or "", reason=reason, started_on=on
                )
                text = f"{(setting or '').strip()} is under quality review."
        message = ui.message(text, "success")
    except Refused as exc:
        message = ui.refused_alert(exc)
    report = _report(principal, "setting")
    return message, _review_rows(report)


def _review_rows(report: QualityReport) -> list[dict[str, Any]]:
    """The reviews for the grid, each with its id and version (to end it)."""
    if report.reviews.empty:
        return []
    return ui.records(report.reviews[[*REVIEW_SHOWN, "id", "version"]])
