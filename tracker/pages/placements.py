"""Published placements: HEIs see their own learners' placements, settings see who is coming.

Only approved runs' placements appear here (proposed ones are not published). Staff record
what happened to a placement (cancelled, completed), which feeds the learner's record.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from tracker import components as ui
from tracker.access import Principal, may_edit_registers
from tracker.queries.placements import VISIBLE_COLUMNS, placement_filters, visible_placements
from tracker.queries.runs import scope_choices as block_choices
from tracker.queries.staff_choices import named_staff_choices
from tracker.refusals import Refused
from tracker.services.placement_calendar import placements_calendar
from tracker.services.placements import set_placement_status
from tracker.services.staff_changes import change_named_staff
from tracker.vocabulary import CONFIRMED, PLACEMENT_STATUSES, options

PAGE = "placements"
dash.register_page(__name__, path="/placements", name="Placements", order=31, access=PAGE)

SHOWN = [c for c in VISIBLE_COLUMNS if c != "run_id"]
STATUSES = list(PLACEMENT_STATUSES)


def _staff_actions(principal: Principal) -> Any:
    """Closing a placement, and naming another supervisor or assessor (someone is off sick):
    coordinators and administrators only."""
    return html.Div(
        [
            html.Div(
                [
                    ui.button(
                        "Mark completed",
                        f"{PAGE}-complete",
                        "success",
                        outline=True,
                        class_name="me-2",
                    ),
                    ui.button("Cancel placement", f"{PAGE}-cancel", "danger", outline=True),
                ],
                className="mb-3",
            ),
            ui.staff_change_card(PAGE),
        ],
        className="mt-2",
        style={} if may_edit_registers(principal) else {"display": "none"},
    )


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        organisations, settings = placement_filters(session, principal=principal)
        blocks, _programmes = block_choices(session)
    scope = _scope(principal)
    staff_actions = _staff_actions(principal)
    return ui.register_layout(
        PAGE,
        ui.page_header(
            "Placements",
            scope,
            html.Div(
                [
                    ui.download_buttons(f"{PAGE}-table"),
                    *ui.file_button(
                        [html.I(className="bi bi-calendar-event me-1"), "Calendar (.ics)"],
                        f"{PAGE}-ics",
                    ),
                ],
                className="d-flex gap-2",
            ),
        ),
        dbc.Row(
            [
                ui.field(
                    "Block",
                    dcc.Dropdown(id=f"{PAGE}-block", options=blocks, placeholder="All blocks"),
                    3,
                ),
                ui.field(
                    "Organisation",
                    dcc.Dropdown(
                        id=f"{PAGE}-organisation",
                        options=organisations,
                        placeholder="All organisations",
                    ),
                    3,
                ),
                ui.field(
                    "Setting",
                    dcc.Dropdown(
                        id=f"{PAGE}-setting", options=settings, placeholder="All settings"
                    ),
                    3,
                ),
                ui.field(
                    "Status",
                    dcc.Dropdown(
                        id=f"{PAGE}-status",
                        multi=True,
                        value=[CONFIRMED],
                        options=options(PLACEMENT_STATUSES),
                    ),
                    3,
                ),
            ]
        ),
        ui.grid(
            f"{PAGE}-grid",
            SHOWN,
            height=480,
            row_id="placement_id",
            selectable=True,
        ),
        html.P(
            "Rows without a learner give how many learners of a request go to a setting; "
            "rows with a learner name who, and their practice supervisor and assessor "
            "(empty where the setting has not named its staff). Calendar (.ics) gives the "
            "chosen placement, or every placement shown, as events for Outlook, Google or "
            "Apple calendars.",
            className="small text-muted mt-1",
        ),
        staff_actions,
        counter="changed",
    )


def _scope(principal: Principal) -> str:
    """What the page holds for this viewer, said under its title."""
    if principal.is_hei:
        return f"Placements of {principal.hei_code}'s learners only."
    if principal.is_provider:
        return (
            "Learners coming to your organisation's settings: who, when, their supervisor "
            "and assessor."
        )
    return (
        "All published placements; filter by organisation or setting to see who is "
        "coming to a setting."
    )


def _read(principal: Principal, block: Any, organisation: Any, setting: Any, status: Any) -> Any:
    statuses = [s for s in status if s in STATUSES] if isinstance(status, list) else []
    with ui.reading() as session:
        return visible_placements(
            session,
            principal=principal,
            block=block if isinstance(block, str) else None,
            organisation_id=ui.chosen_id(organisation),
            setting_id=ui.chosen_id(setting),
            statuses=statuses or STATUSES,
        )


TABLE = ui.RegisterTable(
    PAGE,
    {
        "block": str | None,
        "organisation": int | None,
        "setting": int | None,
        "status": list[str] | None,
    },
    _read,
)
TABLE.follow("load_placements", Input(f"{PAGE}-changed", "data"), columns=SHOWN)
TABLE.download("download_placements", SHOWN, "placements", headers="codes")


@callback(
    Output(f"{PAGE}-ics-download", "data"),
    *ui.clicks(PAGE, "ics"),
    State(f"{PAGE}-grid", "selectedRows"),
    *TABLE.states(),
    prevent_initial_call=True,
)
def download_calendar(clicks: Any, rows: Any, *values: Any) -> Any:
    """The chosen placement, or every placement the filters show, as an ``.ics`` file. The
    rows are read again under the user's own access (a crafted selection only picks among
    them), so the file holds nothing the page would not show."""
    if not clicks:
        raise dash.exceptions.PreventUpdate
    principal = ui.callback_principal(PAGE)
    shown = TABLE.read_values(principal, *values)
    chosen = ui.chosen_placement(rows)
    if chosen is not None:
        shown = shown[shown["placement_id"] == chosen]
    if shown.empty:
        raise dash.exceptions.PreventUpdate
    with ui.reading() as session:
        data = placements_calendar(session, shown)
    name = f"placement-{chosen}" if chosen is not None else "placements"
    return dcc.send_bytes(data, f"{name}.ics", type="text/calendar")


@callback(
    Output(f"{PAGE}-person", "options"),
    Output(f"{PAGE}-person", "value"),
    Input(f"{PAGE}-grid", "selectedRows"),
    prevent_initial_call=True,
)
def list_staff_choices(rows: list[dict[str, Any]] | None) -> tuple[list[dict[str, Any]], None]:
    """The active staff at the chosen learner's setting, for the change of staff (a
    request's row, with no learner, has no staff to change)."""
    principal = ui.callback_principal(PAGE)
    chosen = ui.chosen_placement(rows)
    if not may_edit_registers(principal) or chosen is None or not (rows or [{}])[0].get("learner"):
        return [], None
    with ui.reading() as session:
        people = named_staff_choices(session, principal=principal, placement_id=chosen)
    return ui.staff_options(people), None


@ui.action(
    PAGE,
    ["complete", "cancel", "change-staff"],
    [
        State(f"{PAGE}-grid", "selectedRows"),
        *ui.states(PAGE, "slot", "person"),
    ],
    counter="changed",
    style="message",
)
def change_placement(
    session: ui.DbSession,
    principal: Principal,
    button: str,
    rows: list[dict[str, Any]] | None,
    slot: str | None,
    person: int | None,
) -> str:
    """Mark the selected placement completed or cancelled, or name the chosen person as the
    selected learner's supervisor or assessor (one callback: the buttons share the message)."""
    chosen = ui.chosen_placement(rows)
    if button != "change-staff":
        if chosen is None:
            raise Refused("Select a placement first.")
        status = "completed" if button == "complete" else "cancelled"
        set_placement_status(session, principal=principal, placement_id=chosen, status=status)
        said = PLACEMENT_STATUSES.get(status, status).lower()
        return f"Placement {chosen} marked {said}."
    if chosen is None:
        raise Refused("Select a learner's placement first.")
    if person is None:
        raise Refused("Choose who takes over.")
    return change_named_staff(
        session, principal=principal, placement_id=chosen, slot=slot or "", staff_id=person
    )
