"""The allocation page's run form: scope (blocks, programmes), what to plan on (system blocks
or the programme calendars over a date window), distance limit, solver, quality reviews, the
run's name, run and cancel, and the progress bar.

Private to ``tracker/pages/allocation.py``; the component ids are the page's
(``allocation-<thing>``).
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from tracker import components as ui
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
