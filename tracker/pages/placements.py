"""Published placements: HEIs see their own learners' placements, settings see who is coming.

Only approved runs' placements appear here (proposed ones are not published). Staff record
what happened to a placement (cancelled, completed), which feeds the learner's record.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, State, dcc, html

from tracker import components as ui
from tracker.access import Principal, may_edit_registers
from tracker.queries.placements import VISIBLE_COLUMNS, placement_filters, visible_placements
from tracker.queries.runs import scope_choices as block_choices
from tracker.refusals import Refused
from tracker.services.placements import set_placement_status
from tracker.vocabulary import CONFIRMED, PLACEMENT_STATUSES, options

PAGE = "placements"
dash.register_page(__name__, path="/placements", name="Placements", order=31, access=PAGE)

SHOWN = [c for c in VISIBLE_COLUMNS if c != "run_id"]
STATUSES = list(PLACEMENT_STATUSES)


def _staff_actions(principal: Principal) -> Any:
    return html.Div(
        [
            ui.button(
                "Mark completed", f"{PAGE}-complete", "success", outline=True, class_name="me-2"
            ),
            ui.button("Cancel placement", f"{PAGE}-cancel", "danger", outline=True),
        ],
        className="mt-2",
        style={} if may_edit_registers(principal) else {"display": "none"},
    )


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        organisations, settings = placement_filters(session)
        blocks, _programmes = block_choices(session)
    scope = (
        f"Placements of {principal.hei_code}'s learners only."
        if principal.is_hei
        else "All published placements; filter by organisation or setting to see who is "
        "coming to a setting."
    )
    staff_actions = _staff_actions(principal)
    return ui.register_layout(
        PAGE,
        ui.page_header("Placements", scope, ui.download_buttons(f"{PAGE}-table")),
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
            selectable=may_edit_registers(principal),
        ),
        html.P(
            "Rows without a learner give how many learners of a request go to a setting; "
            "rows with a learner name who, and their practice supervisor and assessor "
            "(empty where the setting has not named its staff).",
            className="small text-muted mt-1",
        ),
        staff_actions,
        counter="changed",
    )


def _chosen_id(value: Any) -> int | None:
    """A dropdown's id, or none for anything else a crafted request might send."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _read(principal: Principal, block: Any, organisation: Any, setting: Any, status: Any) -> Any:
    statuses = [s for s in status if s in STATUSES] if isinstance(status, list) else []
    with ui.reading() as session:
        return visible_placements(
            session,
            principal=principal,
            block=block if isinstance(block, str) else None,
            organisation_id=_chosen_id(organisation),
            setting_id=_chosen_id(setting),
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


@ui.action(
    PAGE,
    ["complete", "cancel"],
    [State(f"{PAGE}-grid", "selectedRows")],
    counter="changed",
    style="message",
)
def change_status(
    session: ui.DbSession, principal: Principal, button: str, rows: list[dict[str, Any]] | None
) -> str:
    chosen = rows[0].get("placement_id") if rows and isinstance(rows[0], dict) else None
    if not isinstance(chosen, int) or isinstance(chosen, bool):
        raise Refused("Select a placement first.")
    status = "completed" if button == "complete" else "cancelled"
    set_placement_status(session, principal=principal, placement_id=chosen, status=status)
    said = PLACEMENT_STATUSES.get(status, status).lower()
    return f"Placement {chosen} marked {said}."
