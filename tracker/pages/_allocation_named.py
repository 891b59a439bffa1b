"""The allocation review's *Named learners* tab: stage 2's learners with their practice
supervisor and assessor, those left unassigned with why, and the hand change of a named
learner's supervisor or assessor in the proposed plan.

Private to ``tracker/pages/allocation.py`` (which imports it through the layout, so its
callbacks register); the component ids are the page's (``allocation-named-<thing>``). The
change is ``services.staff_changes.change_named_staff``, the one used on *Placements*: the
same rules, the same audit row.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from tracker import components as ui
from tracker.queries.run_learners import NAMED_COLUMNS, named_learners, unassigned_learners
from tracker.queries.staff_choices import named_staff_choices
from tracker.refusals import Refused
from tracker.services.staff_changes import change_named_staff

PAGE = "allocation"
NAMED = list(NAMED_COLUMNS)
UNASSIGNED = ["learner", "hei", "request", "reason"]


def named_tab() -> Any:
    """The tab: a filter by HEI, the named learners (pick one to change their staff), the
    change card and the learners left unassigned."""
    return dbc.Tab(
        [
            dcc.Dropdown(id=f"{PAGE}-named-hei", placeholder="All HEIs", className="mb-2"),
            ui.grid(
                f"{PAGE}-named-grid",
                NAMED,
                height=360,
                row_id="placement_id",
                selectable=True,
            ),
            html.Div(id=f"{PAGE}-named-message", className="mt-2"),
            ui.staff_change_card(f"{PAGE}-named"),
            html.H3("Learners left unassigned", className="h6 mt-3"),
            html.P(
                "Learners stage 2 could not give a place, a practice supervisor or a "
                "practice assessor, and why.",
                className="small text-muted",
            ),
            ui.grid(f"{PAGE}-unassigned-grid", UNASSIGNED, height=240),
        ],
        label="Named learners",
        tab_id="named",
    )


@callback(
    *ui.grid_rows(PAGE, "named-grid", "unassigned-grid"),
    *ui.inputs(PAGE, "named-hei"),
    *ui.stores(PAGE, "selected", "changed"),
)
def load_named(hei: str | None, run_id: int | None, _changed: Any) -> Any:
    """The run's named learners with their staff, and those left unassigned with why."""
    principal = ui.callback_principal(PAGE)
    if not run_id:
        return [], []
    with ui.reading() as session:
        named = named_learners(session, principal=principal, run_id=int(run_id), hei=hei)
        left = unassigned_learners(session, principal=principal, run_id=int(run_id), hei=hei)
    return ui.records(named), ui.records(left)


@callback(
    Output(f"{PAGE}-named-person", "options"),
    Output(f"{PAGE}-named-person", "value"),
    Input(f"{PAGE}-named-grid", "selectedRows"),
    prevent_initial_call=True,
)
def list_named_staff_choices(rows: list[dict[str, Any]] | None) -> Any:
    """The active staff at the chosen learner's setting, who could take over as their
    supervisor or assessor in the proposed plan."""
    principal = ui.callback_principal(PAGE)
    chosen = ui.chosen_placement(rows)
    if chosen is None:
        return [], None
    with ui.reading() as session:
        people = named_staff_choices(session, principal=principal, placement_id=chosen)
    return ui.staff_options(people), None


@callback(
    *ui.children(PAGE, "named-message"),
    Output(f"{PAGE}-changed", "data", allow_duplicate=True),
    *ui.clicks(PAGE, "named-change-staff"),
    State(f"{PAGE}-named-grid", "selectedRows"),
    *ui.states(PAGE, "named-slot", "named-person"),
    *ui.stored(PAGE, "changed"),
    prevent_initial_call=True,
)
def change_named_learner_staff(
    _clicks: int | None,
    rows: list[dict[str, Any]] | None,
    slot: str | None,
    person: int | None,
    changed: int | None,
) -> Any:
    """Name the chosen person as the selected learner's supervisor or assessor in the
    proposed plan, by the same rules (and audit) as a change on Placements."""
    principal = ui.callback_principal(PAGE)
    chosen = ui.chosen_placement(rows)
    try:
        if chosen is None:
            raise Refused("Select a learner in Named learners first.")
        if ui.chosen_id(person) is None:
            raise Refused("Choose who takes over.")
        with ui.writing() as session:
            text = change_named_staff(
                session,
                principal=principal,
                placement_id=chosen,
                slot=slot if isinstance(slot, str) else "",
                staff_id=int(person or 0),
            )
    except Refused as exc:
        return ui.message(str(exc), "warning"), no_update
    return ui.message(text, "success"), (changed or 0) + 1
