"""Workforce outlook: the newly qualified the pipeline will produce, how well the method has
predicted before, and (for staff and collaborative members) the placements a growth scenario
needs against capacity and the cheapest expansion of supervision that would host them.

HEI users see the outlook of their own programmes only (the service scopes it) and not the
system-wide placement figures. The scenario is a few numbers in a store; the outlook redraws
when it is applied, the placement figures when they are asked for (they take seconds).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import dash
from dash import Output, callback, ctx, dcc, html, no_update

from tracker import components as ui
from tracker.access import SCENARIO_PLANNERS, Principal
from tracker.pages._outlook_compare import comparison_card
from tracker.pages._outlook_editor import FIELDS, describe, editor, editor_values
from tracker.pages._outlook_saved import saved_card, scenario_choices
from tracker.pages._outlook_views import (
    outlook_download,
    outlook_view,
    placements_view,
    plan_table,
    record_download,
    shortfall_table,
    track_record_text,
)
from tracker.queries.scenarios import saved_scenarios
from tracker.refusals import Refused
from tracker.services.expansion import EXPANSION_ROLES
from tracker.services.outlook import outlook_programmes
from tracker.services.outlook_scenarios import (
    OUTLOOK_YEARS,
    ScenarioEdits,
    edits_from,
    scenario_outlook,
    scenario_placements,
)
from tracker.services.pipeline_reports.common import figures_as_of
from tracker.services.saved_scenarios import load_scenario
from tracker.vocabulary import PROFESSION_GROUPS, options

PAGE = "outlook"
dash.register_page(__name__, path="/outlook", name="Workforce outlook", order=13, access=PAGE)
Scenario = dict[str, Any] | None


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        as_of = figures_as_of(session)
        programmes = outlook_programmes(session, principal=principal)
        saved = saved_scenarios(session, principal=principal)
    first = (as_of.year if as_of else 2026) + 1
    planning = principal.role in EXPANSION_ROLES
    shared = principal.role in SCENARIO_PLANNERS
    filters = [
        ui.choice_field(
            "Profession group", f"{PAGE}-group", options(PROFESSION_GROUPS), value="nursing"
        ),
        ui.choice_field(
            "Years ahead",
            f"{PAGE}-years",
            [{"label": f"{n} years", "value": n} for n in OUTLOOK_YEARS],
            value=OUTLOOK_YEARS.stop - 1,
        ),
    ]
    return html.Div(
        [
            ui.page_header(
                "Workforce outlook",
                "Completions and local posts expected from the learners in training and the "
                "planned intakes, with how well the method predicted the recent past"
                + ("; and the placements a scenario needs." if planning else "."),
            ),
            dcc.Store(id=f"{PAGE}-scenario", data=ScenarioEdits().stored()),
            html.Div(filters, className="row"),
            ui.loading(html.Div(id=f"{PAGE}-note")),
            ui.chart_row(
                ui.card(
                    "Completions per year",
                    ui.loading(ui.graph(f"{PAGE}-chart", filename="workforce-outlook")),
                    download=f"{PAGE}-table",
                    full_height=True,
                ),
                ui.card(
                    "Track record",
                    [
                        html.P(id=f"{PAGE}-accuracy-text", className="small"),
                        ui.loading(html.Div(id=f"{PAGE}-accuracy-table")),
                    ],
                    download=f"{PAGE}-record",
                    full_height=True,
                    note="Mean absolute percentage error of yearly completions per profession "
                    "group; hidden ('–') where too few completions stand behind it.",
                ),
                # the track record's four headings need 5/12 of a wide screen to read in
                # full; below 1200 px it takes the whole width under the chart
                widths=(7, 5),
                at="xl",
            ),
            editor(programmes, first, placements=planning),
            saved_card(saved, shared=shared),
            comparison_card(scenario_choices(saved)),
            _placements(first) if planning else None,
        ]
    )


def _placements(first: int) -> Any:
    """The placement section: a year, the button that computes it, the heatmap and plan."""
    years = [{"label": str(y), "value": y} for y in range(first, first + OUTLOOK_YEARS.stop - 1)]
    return html.Div(
        [
            html.H2("Placements and the cheapest expansion", className="h5 mt-2"),
            html.Div(
                [
                    ui.choice_field("Plan for year", f"{PAGE}-plan-year", years, value=first + 2),
                    html.Div(
                        ui.button("Plan placements", f"{PAGE}-plan"),
                        className="col-auto d-flex align-items-end mb-2",
                    ),
                ],
                className="row",
            ),
            ui.loading(html.Div(id=f"{PAGE}-plan-message", role="status")),
            ui.card(
                "Placements needed against places, by sector and year",
                ui.loading(ui.graph(f"{PAGE}-heatmap", filename="placement-shortfall")),
                download=f"{PAGE}-shortfall",
                note="Placements the scenario's learners in training need each year (today's "
                "requests per learner in training, spread over sectors as today's plan places "
                "them) against the places in the registers, with the scenario's extra "
                "supervisors from their year. The shortfall adds each profession group's and "
                "block's own.",
            ),
            ui.card(
                "Cheapest expansion: where to add supervisors",
                ui.loading(html.Div(id=f"{PAGE}-plan-table")),
                download=f"{PAGE}-plan-download",
                note="The fewest extra practice supervisors, and where, that let the allocator "
                "place the chosen year's requests under its own rules; checked by running the "
                "allocator on the expanded capacity. It takes a few seconds.",
            ),
        ]
    )


@callback(
    Output(f"{PAGE}-scenario", "data"),
    *ui.children(PAGE, "scenario-message"),
    *(Output(f"{PAGE}-{name}", "value") for name in FIELDS),
    *ui.clicks(PAGE, "apply", "reset", "load"),
    *ui.states(PAGE, "saved"),
    *ui.states(PAGE, *FIELDS),
    prevent_initial_call=True,
)
def apply_scenario(
    _apply: int | None,
    _reset: int | None,
    _load: int | None,
    saved: int | None,
    *values: int | float | str | None,
) -> Any:
    """The editor's numbers (FIELDS, in order) checked into the store, or why they cannot
    be applied; a saved scenario loaded fills the editor and the store with its numbers."""
    principal = ui.callback_principal(PAGE)
    keep = [no_update] * len(FIELDS)
    if ctx.triggered_id == f"{PAGE}-reset":
        return ScenarioEdits().stored(), ui.message(describe(ScenarioEdits())), *keep
    if ctx.triggered_id == f"{PAGE}-load":
        try:
            if saved is None:
                raise Refused("Choose a saved scenario to load.")
            with ui.reading() as session:
                name, edits = load_scenario(session, principal=principal, scenario_id=saved)
        except Refused as exc:
            return no_update, ui.message(f"Not loaded: {exc}", "danger"), *keep
        stored = edits.stored()
        said = f"Loaded '{name}'. {describe(edits)}"
        return stored, ui.message(said, "success"), *editor_values(stored)
    try:
        edits = edits_from(dict(zip(FIELDS, values, strict=True)))
    except ValueError as exc:
        return no_update, ui.message(f"Not applied: {exc}", "danger"), *keep
    return edits.stored(), ui.message(describe(edits), "success"), *keep


def _report(principal: Principal, scenario: Scenario, years: int | None) -> Any:
    """The outlook under the stored scenario, from the shared cache when another view or
    download (or another worker) has computed it for this viewer and data version."""

    def compute() -> Any:
        with ui.reading() as session:
            return scenario_outlook(
                session,
                principal=principal,
                edits=edits_from(scenario),
                years=years or OUTLOOK_YEARS.stop - 1,
                policy=ui.app_disclosure_policy(),
            )

    parts = (years, tuple(sorted((scenario or {}).items())))
    return ui.drawn(f"{PAGE}:report", principal, parts, compute, lambda report: report)[1]


@callback(
    Output(f"{PAGE}-chart", "figure"),
    *ui.children(PAGE, "accuracy-table", "note", "accuracy-text"),
    *ui.inputs(PAGE, "group", "years"),
    *ui.stores(PAGE, "scenario"),
)
def update_outlook(group: str | None, years: int | None, scenario: Scenario) -> Any:
    principal = ui.callback_principal(PAGE)
    try:
        if group is not None and group not in PROFESSION_GROUPS:
            raise Refused("Choose a profession group from the list.")
        report = _report(principal, scenario, years)
    except Refused as exc:
        return {}, None, ui.message(f"No outlook: {exc}", "warning"), ""
    view = outlook_view(report, group, years or OUTLOOK_YEARS.stop - 1)
    return (*view, track_record_text(report))


def _placements_report(principal: Principal, scenario: Scenario, year: int | None) -> Any:
    if year is None:
        raise Refused("Choose a year to plan for.")
    with ui.reading() as session:
        return scenario_placements(
            session,
            principal=principal,
            edits=edits_from(scenario),
            year=year,
            policy=ui.app_disclosure_policy(),
        )


@callback(
    Output(f"{PAGE}-heatmap", "figure"),
    *ui.children(PAGE, "plan-table", "plan-message"),
    *ui.clicks(PAGE, "plan"),
    *ui.stores(PAGE, "scenario"),
    *ui.states(PAGE, "plan-year"),
    prevent_initial_call=True,
)
def update_placements(clicks: int | None, scenario: Scenario, year: int | None) -> Any:
    """Computed on demand: after the button, and again when a new scenario is applied."""
    principal = ui.callback_principal(PAGE)
    if not clicks:
        raise dash.exceptions.PreventUpdate
    started = time.perf_counter()
    try:
        report = _placements_report(principal, scenario, year)
    except Refused as exc:
        return {}, None, ui.message(f"No plan: {exc}", "warning")
    return placements_view(report, principal, time.perf_counter() - started)


def _for_download(report_of: Callable[..., Any], *args: Any) -> tuple[Any, Principal]:
    """``report_of(principal, *args)`` for a download, with the signed-in user: only on a
    click (``ui.chosen_format``), and no file when the scenario is refused (the page's
    message already says why)."""
    principal = ui.callback_principal(PAGE)
    ui.chosen_format()
    try:
        return report_of(principal, *args), principal
    except Refused:
        raise dash.exceptions.PreventUpdate from None


def _send(frame: Any, filename: str, note: str | None = None) -> Any:
    return ui.send_table(frame, fmt=ui.chosen_format(), filename=filename, note=note)


@callback(
    *ui.table_download(f"{PAGE}-table"),
    *ui.states(PAGE, "group", "years"),
    *ui.stored(PAGE, "scenario"),
    prevent_initial_call=True,
)
def download_outlook(
    _csv: int | None, _xlsx: int | None, group: str | None, years: int | None, scenario: Scenario
) -> Any:
    report, _ = _for_download(_report, scenario, years)
    return _send(outlook_download(report, group), "workforce-outlook", report.note)


@callback(
    *ui.table_download(f"{PAGE}-record"),
    *ui.stored(PAGE, "scenario"),
    prevent_initial_call=True,
)
def download_record(_csv: int | None, _xlsx: int | None, scenario: Scenario) -> Any:
    report, _ = _for_download(_report, scenario, None)
    return _send(record_download(report), "outlook-track-record", track_record_text(report))


def _placement_download(table: str, name: str, frame: Any) -> None:
    """The download of one of the placement tables, computed again for the file."""

    def download(_csv: int | None, _xlsx: int | None, scenario: Scenario, year: int | None) -> Any:
        report, principal = _for_download(_placements_report, scenario, year)
        return _send(frame(report, principal), name)

    download.__name__ = f"download_{table.replace('-', '_')}"
    callback(
        *ui.table_download(f"{PAGE}-{table}"),
        *ui.stored(PAGE, "scenario"),
        *ui.states(PAGE, "plan-year"),
        prevent_initial_call=True,
    )(download)


_placement_download("shortfall", "placement-shortfall", shortfall_table)
_placement_download("plan-download", "expansion-plan", plan_table)
