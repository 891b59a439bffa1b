"""The Outlook page's saved scenarios: save the applied scenario under a name, delete one,
and export the applied scenario as the JSON file the command line reads. Loading one back
into the editor is the editor's own callback (``outlook.apply_scenario``), which owns the
store.

Planners see one shared set; an HEI user only their own (``services.saved_scenarios``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Output, callback, ctx, html, no_update

from tracker import components as ui
from tracker.queries.scenarios import saved_scenarios
from tracker.refusals import Refused
from tracker.services.outlook_scenarios import edits_from, scenario_document
from tracker.services.saved_scenarios import (
    MAX_DESCRIPTION,
    MAX_NAME,
    delete_scenario,
    save_scenario,
)

PAGE = "outlook"
Layout = Any
Scenario = dict[str, Any] | None
#: The two lists of saved scenarios on the page: the one to load or delete, and the ones to
#: compare; both change when a scenario is saved or deleted.
CHOICE_LISTS = (f"{PAGE}-saved", f"{PAGE}-compare-choice")


def scenario_choices(scenarios: pd.DataFrame) -> list[dict[str, Any]]:
    """Saved scenarios as choices: the name, and who saved it when."""
    return [
        {
            "label": f"{row.name} ({row.saved_by or 'unknown'}, {row.saved_at:%d %b %Y})",
            "value": int(row.id),
        }
        for row in scenarios.itertuples(index=False)
    ]


def _save_fields() -> Layout:
    """The name, description and replace choice a scenario is saved under."""
    text = {"type": "text", "size": "sm", "debounce": True}
    return dbc.Row(
        [
            ui.field(
                "Name",
                dbc.Input(id=f"{PAGE}-save-name", maxLength=MAX_NAME, **text),
                width=3,
            ),
            ui.field(
                "Description (optional)",
                dbc.Input(id=f"{PAGE}-save-description", maxLength=MAX_DESCRIPTION, **text),
                width=5,
            ),
            dbc.Col(
                dbc.Checkbox(
                    id=f"{PAGE}-save-replace",
                    label="Replace the saved scenario of this name",
                    value=False,
                ),
                md=4,
                class_name="d-flex align-items-end mb-2",
            ),
        ]
    )


def saved_card(scenarios: pd.DataFrame, *, shared: bool) -> Layout:
    """The card that saves, loads, deletes and exports scenarios."""
    return ui.card(
        "Saved scenarios",
        html.Div(
            [
                _save_fields(),
                html.Div(
                    [
                        ui.button("Save the applied scenario", f"{PAGE}-save"),
                        *ui.file_button(
                            "Export the applied scenario (JSON)",
                            f"{PAGE}-export",
                            f"{PAGE}-export-file",
                        ),
                    ],
                    className="d-flex gap-2 mb-3",
                ),
                dbc.Row(
                    [
                        ui.choice_field(
                            "Saved scenario",
                            f"{PAGE}-saved",
                            scenario_choices(scenarios),
                            "Choose a saved scenario",
                            width=5,
                        ),
                        html.Div(
                            [
                                ui.button(
                                    "Load into the editor",
                                    f"{PAGE}-load",
                                    "secondary",
                                    outline=True,
                                ),
                                ui.button("Delete", f"{PAGE}-delete", "danger", outline=True),
                            ],
                            className="col-auto d-flex align-items-end gap-2 mb-2",
                        ),
                    ]
                ),
                html.Div(id=f"{PAGE}-saved-message", role="status"),
            ]
        ),
        note=(
            "A saved scenario keeps the editor's numbers, not figures: whoever loads it sees "
            "its outlook as they may see it. "
            + (
                "Coordinators, collaborative members and administrators share these."
                if shared
                else "Yours only: no one else sees them, and you see no one else's."
            )
            + " The exported file is what `python -m tracker outlook --scenario` and "
            "`expansion --scenario` read."
        ),
    )


def _choices(principal: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with ui.reading() as session:
        choices = scenario_choices(saved_scenarios(session, principal=principal))
    return choices, choices


@callback(
    *ui.children(PAGE, "saved-message"),
    *(Output(name, "options") for name in CHOICE_LISTS),
    *ui.clicks(PAGE, "save", "delete"),
    *ui.stored(PAGE, "scenario"),
    *ui.states(PAGE, "save-name", "save-description", "save-replace", "saved"),
    prevent_initial_call=True,
)
def change_saved(
    _save: int | None,
    _delete: int | None,
    scenario: Scenario,
    name: str | None,
    description: str | None,
    replace: bool | None,
    chosen: int | None,
) -> Any:
    """Save the applied scenario under the name, or delete the chosen saved one."""
    principal = ui.callback_principal(PAGE)
    try:
        with ui.writing() as session:
            if ctx.triggered_id == f"{PAGE}-delete":
                if chosen is None:
                    raise Refused("Choose a saved scenario to delete.")
                gone = delete_scenario(session, principal=principal, scenario_id=chosen)
                said = f"Deleted the saved scenario '{gone}'."
            else:
                if scenario is None:  # the page always holds one (the baseline at first)
                    raise Refused("There is no applied scenario to save: reload the page.")
                row = save_scenario(
                    session,
                    principal=principal,
                    name=name or "",
                    description=description or "",
                    edits=edits_from(scenario),
                    replace=bool(replace),
                )
                said = f"Saved the applied scenario as '{row.name}'."
    except Refused as exc:
        return ui.message(f"Not done: {exc}", "danger"), no_update, no_update
    return (ui.message(said, "success"), *_choices(principal))


def _file_name(name: str | None) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (name or "").lower()).strip("-")[:60]
    return f"{slug or 'outlook-scenario'}.json"


@callback(
    Output(f"{PAGE}-export-file", "data"),
    *ui.clicks(PAGE, "export"),
    *ui.stored(PAGE, "scenario"),
    *ui.states(PAGE, "save-name"),
    prevent_initial_call=True,
)
def export_scenario(clicks: int | None, scenario: Scenario, name: str | None) -> Any:
    """The applied scenario as the command line's scenario file (named after the name typed
    to save it under, if any)."""
    ui.callback_principal(PAGE)
    if not clicks:
        return no_update
    try:
        document = scenario_document(edits_from(scenario))
    except ValueError:
        return no_update
    content = json.dumps(document, indent=2, sort_keys=True) + "\n"
    return {"content": content, "filename": _file_name(name), "type": "application/json"}
