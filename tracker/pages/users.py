"""Users (administrators): add accounts, deactivate or reactivate them, reset passwords,
approve organisation accounts that signed in with single sign-on, and keep the API tokens of
HEI systems."""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html

from tracker import components as ui
from tracker.access import Principal
from tracker.pages._users_sso import sso_section
from tracker.pages._users_tokens import tokens_section
from tracker.queries.users import hei_options, provider_options, users_frame
from tracker.refusals import Refused
from tracker.services.users import create_user, set_active, set_password
from tracker.vocabulary import DEFAULT_ROLE, HEI_ROLE, PROVIDER_ROLE, ROLES, options

dash.register_page(__name__, path="/users", name="Users", order=90, access="users")

_COLUMNS = [
    {"field": "username", "checkboxSelection": True, "headerCheckboxSelection": False},
    {"field": "role"},
    {"field": "hei", "headerName": "HEI"},
    {"field": "organisation", "headerName": "Provider organisation"},
    {"field": "active"},
    {"field": "demo"},
    {"field": "last_sign_in", "headerName": "Last sign-in"},
]


def _rows(principal: Principal) -> list[dict[str, Any]]:
    with ui.reading() as session:
        rows: list[dict[str, Any]] = users_frame(session, principal=principal).to_dict("records")
    return rows


def _add_form(heis: Any, providers: Any) -> Any:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Add a user", className="h6"),
                dbc.Label("Username", html_for="users-new-username", class_name="small mb-1"),
                dbc.Input(id="users-new-username", placeholder="Username", className="mb-2"),
                dbc.Label("Role", html_for="users-new-role", class_name="small mb-1"),
                dbc.Select(
                    id="users-new-role",
                    options=options(ROLES),
                    value=DEFAULT_ROLE,
                    className="mb-2",
                ),
                dbc.Label("HEI", html_for="users-new-hei", class_name="small mb-1"),
                dbc.Select(
                    id="users-new-hei",
                    options=heis,
                    placeholder="HEI (HEI users only)",
                    className="mb-2",
                ),
                dbc.Label(
                    "Provider organisation",
                    html_for="users-new-organisation",
                    class_name="small mb-1",
                ),
                dbc.Select(
                    id="users-new-organisation",
                    options=providers,
                    placeholder="Organisation (placement provider users only)",
                    className="mb-2",
                ),
                dbc.Label("Password", html_for="users-new-password", class_name="small mb-1"),
                dbc.Input(
                    id="users-new-password",
                    type="password",
                    placeholder="Password (at least 10 characters)",
                    className="mb-2",
                ),
                dbc.Button("Add user", id="users-add", color="primary"),
            ]
        ),
        className="mb-3",
    )


def _actions() -> Any:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Selected user", className="h6"),
                dbc.ButtonGroup(
                    [
                        dbc.Button(
                            "Deactivate", id="users-deactivate", color="warning", outline=True
                        ),
                        dbc.Button(
                            "Reactivate", id="users-reactivate", color="success", outline=True
                        ),
                    ],
                    className="mb-2",
                ),
                dbc.Input(
                    id="users-reset-password",
                    type="password",
                    placeholder="New password",
                    className="mb-2",
                ),
                dbc.Button("Reset password", id="users-reset", color="secondary", outline=True),
            ]
        )
    )


@ui.page_guard("users")
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        heis = hei_options(session)
        providers = provider_options(session)
    add_form = _add_form(heis, providers)
    actions = _actions()
    return html.Div(
        [
            ui.page_header(
                "Users",
                "Accounts, roles, HEI and provider organisation bindings. Every change is audited.",
            ),
            html.Div(id="users-message"),
            dbc.Row(
                [
                    dbc.Col(
                        dag.AgGrid(
                            id="users-grid",
                            rowData=_rows(principal),
                            columnDefs=_COLUMNS,
                            defaultColDef={"sortable": True, "filter": True, "resizable": True},
                            dashGridOptions={"rowSelection": "single"},
                            style={"height": "520px"},
                        ),
                        lg=8,
                    ),
                    dbc.Col([add_form, actions], lg=4),
                ]
            ),
            sso_section(principal, heis, providers),
            tokens_section(principal, heis),
        ]
    )


def _alert(text: str, ok: bool) -> Any:
    return dbc.Alert(text, color="success" if ok else "danger", dismissable=True)


@callback(
    Output("users-message", "children"),
    Output("users-grid", "rowData"),
    Input("users-add", "n_clicks"),
    Input("users-deactivate", "n_clicks"),
    Input("users-reactivate", "n_clicks"),
    Input("users-reset", "n_clicks"),
    State("users-new-username", "value"),
    State("users-new-role", "value"),
    State("users-new-hei", "value"),
    State("users-new-organisation", "value"),
    State("users-new-password", "value"),
    State("users-grid", "selectedRows"),
    State("users-reset-password", "value"),
    prevent_initial_call=True,
)
def change_users(
    _add: int | None,
    _deactivate: int | None,
    _reactivate: int | None,
    _reset: int | None,
    username: str | None,
    role: str | None,
    hei: str | None,
    organisation: str | None,
    password: str | None,
    selected: list[dict[str, Any]] | None,
    new_password: str | None,
) -> tuple[Any, Any]:
    principal = ui.callback_principal("users")
    trigger = dash.ctx.triggered_id
    selected_name = (selected or [{}])[0].get("username")
    try:
        with ui.writing() as session:
            if trigger == "users-add":
                create_user(
                    session,
                    username=username or "",
                    password=password or "",
                    role=role or "",
                    hei_code=hei if role == HEI_ROLE else None,
                    organisation_code=organisation if role == PROVIDER_ROLE else None,
                    actor=principal,
                )
                message = f"Added {username}."
            elif not selected_name:
                raise Refused("Select a user in the table first.")
            elif trigger in {"users-deactivate", "users-reactivate"}:
                active = trigger == "users-reactivate"
                set_active(session, username=selected_name, active=active, actor=principal)
                message = f"{selected_name} {'reactivated' if active else 'deactivated'}."
            else:
                set_password(
                    session, username=selected_name, password=new_password or "", actor=principal
                )
                message = f"Password for {selected_name} reset."
    except Refused as exc:
        return _alert(str(exc), False), dash.no_update
    return _alert(message, True), _rows(principal)
