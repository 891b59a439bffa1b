"""The users page's single sign-on cards: organisation accounts waiting for approval (an
administrator sets their role and HEI, or a placement provider user's organisation) and the
claims mapping that grants access by itself."""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html

from tracker import components as ui
from tracker.access import Principal
from tracker.queries.users import pending_sso_frame, users_frame
from tracker.refusals import Refused
from tracker.services.sso import approve_sso_account
from tracker.vocabulary import DEFAULT_ROLE, HEI_ROLE, PROVIDER_ROLE, ROLES, options

_COLUMNS = [
    {"field": "email", "headerName": "E-mail", "checkboxSelection": True},
    {"field": "name", "headerName": "Name"},
    {"field": "groups", "headerName": "Groups"},
    {"field": "first_seen", "headerName": "First sign-in"},
    {"field": "last_seen", "headerName": "Latest sign-in"},
]


def _pending(principal: Principal) -> list[dict[str, Any]]:
    with ui.reading() as session:
        rows: list[dict[str, Any]] = pending_sso_frame(session, principal=principal).to_dict(
            "records"
        )
    return rows


def _mapping_card(rules: list[str]) -> Any:
    if rules:
        body: Any = [
            html.P("Tried in this order at an account's first sign-in:", className="small"),
            html.Ol([html.Li(rule) for rule in rules], id="users-claims-rules", className="small"),
        ]
    else:
        body = html.P(
            "No claims rules are configured (TRACKER_OIDC_CLAIM_RULES): every new "
            "organisation account waits for approval here.",
            id="users-claims-rules",
            className="small mb-0",
        )
    return ui.card("Claims mapping", body)


def sso_section(principal: Principal, heis: Any, providers: Any) -> Any:
    """The cards, or one line saying single sign-on is not set up."""
    enabled, rules = ui.app_single_sign_on()
    if not enabled:
        return html.P(
            "Single sign-on is not configured: people sign in with local passwords only.",
            className="text-muted small mt-3",
        )
    approve = dbc.Row(
        [
            ui.field(
                "Role",
                dbc.Select(id="users-pending-role", options=options(ROLES), value=DEFAULT_ROLE),
                width=3,
            ),
            ui.field("HEI (HEI users only)", dbc.Select(id="users-pending-hei", options=heis), 3),
            ui.field(
                "Provider organisation (placement provider users only)",
                dbc.Select(id="users-pending-organisation", options=providers),
                4,
            ),
            dbc.Col(
                dbc.Button("Approve", id="users-approve", color="primary", className="mt-4"),
                md=2,
            ),
        ],
        className="mt-2",
    )
    waiting = [
        html.Div(id="users-pending-message"),
        dag.AgGrid(
            id="users-pending-grid",
            rowData=_pending(principal),
            columnDefs=_COLUMNS,
            defaultColDef={"sortable": True, "resizable": True},
            dashGridOptions={"rowSelection": "single"},
            style={"height": "240px"},
        ),
        approve,
    ]
    return dbc.Row(
        [
            dbc.Col(ui.card("Organisation accounts waiting for approval", waiting), lg=8),
            dbc.Col(_mapping_card(rules), lg=4),
        ],
        className="mt-3",
    )


@callback(
    Output("users-pending-message", "children"),
    Output("users-pending-grid", "rowData"),
    Output("users-grid", "rowData", allow_duplicate=True),
    Input("users-approve", "n_clicks"),
    State("users-pending-grid", "selectedRows"),
    State("users-pending-role", "value"),
    State("users-pending-hei", "value"),
    State("users-pending-organisation", "value"),
    prevent_initial_call=True,
)
def approve_pending(
    _clicks: int | None,
    selected: list[dict[str, Any]] | None,
    role: str | None,
    hei: str | None,
    organisation: str | None,
) -> tuple[Any, Any, Any]:
    principal = ui.callback_principal("users")
    picked = (selected or [{}])[0].get("id")
    try:
        if not isinstance(picked, int):
            raise Refused("Select an account in the table first.")
        with ui.writing() as session:
            user = approve_sso_account(
                session,
                identity_id=picked,
                role=role or "",
                hei_code=hei if role == HEI_ROLE else None,
                actor=principal,
                organisation_code=organisation if role == PROVIDER_ROLE else None,
            )
            message = f"{user.username} can now sign in as {ROLES.get(user.role, user.role)}."
        with ui.reading() as session:
            users = users_frame(session, principal=principal).to_dict("records")
    except Refused as exc:
        return ui.refused_alert(exc), dash.no_update, dash.no_update
    return dbc.Alert(message, color="success"), _pending(principal), users
