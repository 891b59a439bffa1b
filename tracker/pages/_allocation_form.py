"""The allocation page's run form: scope (blocks, programmes), what to plan on (system blocks
or the programme calendars over a date window), distance limit, solver, quality reviews, the
run's name, run and cancel, and the progress bar; the window's default (the academic year
of the first chosen block) and its reading.

Private to ``tracker/pages/allocation.py``; the component ids are the page's
(``allocation-<thing>``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import Output, callback, html, no_update

from tracker import components as ui
from tracker.callback_inputs import IsoDate
from tracker.queries.dated_inputs import academic_year
from tracker.refusals import Refused
from tracker.vocabulary import QUALITY_REVIEW_POLICIES, RUN_MODES, options

PAGE = "allocation"


def _run_choices(blocks: list[dict[str, str]], programmes: list[dict[str, str]]) -> Any:
    return dbc.Row(
        [
            ui.field(
                "Blocks",
                ui.dropdown(f"{PAGE}-blocks", blocks, placeholder="Choose blocks"),
                3,
            ),
            ui.field(
                "Programmes (empty: all)",
                ui.dropdown(f"{PAGE}-programmes", programmes, placeholder="All programmes"),
                3,
            ),
            ui.field(
                "Distance limit (km)",
                dbc.Input(id=f"{PAGE}-distance", type="number", min=1, step=1, placeholder="None"),
                2,
            ),
            ui.field(
                "Solver",
                dbc.Select(
                    id=f"{PAGE}-solver",
                    value="highs",
                    options=[
                        {"label": "HiGHS", "value": "highs"},
                        {"label": "CBC", "value": "cbc"},
                    ],
                ),
                2,
            ),
            ui.field(
                "Settings under quality review",
                dbc.Select(
                    id=f"{PAGE}-review",
                    value="no_new_learners",
                    options=options(QUALITY_REVIEW_POLICIES),
                ),
                2,
            ),
        ]
    )


def _calendar_choices() -> Any:
    """Plan on system blocks (as always) or on the programme calendars over a date window."""
    return dbc.Row(
        [
            ui.field(
                "Plan on",
                dbc.Select(id=f"{PAGE}-mode", value="blocks", options=options(RUN_MODES)),
                3,
            ),
            ui.field("Window from", dbc.Input(id=f"{PAGE}-window-start", type="date"), 2),
            ui.field("Window to", dbc.Input(id=f"{PAGE}-window-end", type="date"), 2),
            dbc.Col(
                html.P(
                    "On programme calendars each request takes a place on every day of its "
                    "HEI's placement weeks, and places are counted day by day, so two HEIs "
                    "can use one ward in turn. The window holds every request whose weeks lie "
                    "inside it (empty: the academic year of the first chosen block).",
                    className="small text-muted mb-2",
                ),
                md=5,
                className="d-flex align-items-end",
            ),
        ]
    )


def _run_controls() -> Any:
    return dbc.Row(
        [
            ui.field("Name (optional)", dbc.Input(id=f"{PAGE}-name", maxLength=200), 4),
            dbc.Col(
                [
                    dbc.Button(
                        "Run allocation",
                        id=f"{PAGE}-run",
                        color="primary",
                        className="me-2",
                    ),
                    dbc.Button(
                        "Cancel",
                        id=f"{PAGE}-cancel",
                        color="secondary",
                        outline=True,
                        disabled=True,
                    ),
                ],
                md=4,
                className="d-flex align-items-end mb-2",
            ),
            dbc.Col(
                ui.named(
                    dbc.Progress(  # no label inside: the stage is written under the form
                        id=f"{PAGE}-progress",
                        value=0,
                        striped=True,
                        style={"height": "1.4rem"},
                    ),
                    "Allocation run progress",
                    "w-100",
                ),
                md=4,
                className="d-flex align-items-end mb-2 flex-column justify-content-end",
            ),
        ]
    )


def run_form(blocks: list[dict[str, str]], programmes: list[dict[str, str]]) -> Any:
    """The run form: blocks, programmes, distance limit, solver, name; run and cancel."""
    return ui.card(
        "Run an allocation",
        [
            _run_choices(blocks, programmes),
            _calendar_choices(),
            _run_controls(),
            html.Div(id=f"{PAGE}-run-message"),
        ],
    )


@callback(
    Output(f"{PAGE}-window-start", "value"),
    Output(f"{PAGE}-window-end", "value"),
    *ui.inputs(PAGE, "mode", "blocks"),
    *ui.states(PAGE, "window-start", "window-end"),
    prevent_initial_call=True,
)
def default_window(
    mode: str | None,
    blocks: list[str] | None,
    start: IsoDate | None,
    end: IsoDate | None,
) -> Any:
    """On the programme calendars, an empty window becomes the academic year of the first
    chosen block (what the run would take anyway), so the user sees it and can narrow it."""
    ui.callback_principal(PAGE)
    if mode != "calendars" or not blocks or (start and end):
        return no_update, no_update
    with ui.reading() as session:
        year = academic_year(session, blocks)
    if year is None:
        return no_update, no_update
    return year[0].isoformat(), year[1].isoformat()


def form_window(start: str | None, end: str | None) -> tuple[date, date] | None:
    """The run's date window from the form: both days, or neither (the service then takes
    the academic year of the first chosen block)."""
    if not start and not end:
        return None
    if not start or not end:
        raise Refused("Give both days of the window, or neither.")
    return date.fromisoformat(start), date.fromisoformat(end)
