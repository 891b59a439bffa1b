"""The users page's API tokens card: administrators create, list and revoke the tokens HEI
systems use for /api/v1, through the same service (and audit rows) as the command line.

A new token's secret is shown once, in the answer to the click that made it, with a copy
button; it is never put in a store or the grid, and the service keeps only its hash, so
reloading the page is the end of it.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from tracker import components as ui
from tracker.access import Principal
from tracker.refusals import Refused
from tracker.services.api_tokens import create_api_token, list_api_tokens, revoke_api_token
from tracker.vocabulary import TOKEN_SCOPES, options

_COLUMNS = [
    {"field": "id", "headerName": "Token"},
    {"field": "label", "headerName": "Label"},
    {"field": "hei", "headerName": "HEI"},
    {"field": "scope", "headerName": "Scope"},
    {"field": "created_by", "headerName": "Created by"},
    {"field": "created_at", "headerName": "Created"},
    {"field": "last_used_at", "headerName": "Last used"},
    {"field": "revoked_at", "headerName": "Revoked"},
]


def _when(moment: Any) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else ""


def token_rows(principal: Principal) -> list[dict[str, Any]]:
    """The grid's rows: every token (never its hash), times to the minute, scope in words."""
    with ui.reading() as session:
        tokens = list_api_tokens(session, actor=principal)
    return [
        {
            **token,
            "scope": TOKEN_SCOPES.get(str(token["scope"]), token["scope"]),
            **{k: _when(token[k]) for k in ("created_at", "last_used_at", "revoked_at")},
        }
        for token in tokens
    ]


def tokens_section(principal: Principal, heis: Any) -> Any:
    """The card: the form to create one, the list, and the revoke button."""
    form = dbc.Row(
        [
            ui.field("HEI", dbc.Select(id="users-token-hei", options=heis), width=4),
            ui.field(
                "Scope",
                dbc.Select(id="users-token-scope", options=options(TOKEN_SCOPES), value="read"),
                width=3,
            ),
            ui.field("Label", dbc.Input(id="users-token-label", maxLength=120), width=3),
            dbc.Col(
                dbc.Button("Create token", id="users-token-create", color="primary"),
                md=2,
                class_name="mt-4",
            ),
        ]
    )
    grid = ui.grid(
        "users-token-grid",
        _COLUMNS,
        token_rows(principal),
        height=260,
        row_id="id",
        selectable=True,
        filters=False,
        fit_content=True,
    )
    revoke = dbc.Button(
        "Revoke selected token",
        id="users-token-revoke",
        color="danger",
        outline=True,
        className="mt-2",
    )
    body = [form, html.Div(id="users-token-message"), grid, revoke]
    note = "HEI systems call /api/v1 with one of these (see /api/v1/openapi.json)."
    return html.Div(ui.card("API tokens", body, note=note), className="mt-3")


def _secret_shown_once(secret: str, hei: str) -> Any:
    """The one and only display of a new token, with a copy button."""
    return dbc.Alert(
        [
            html.P(
                f"Token created for {hei}. Copy it now: it is shown only this once.",
                className="mb-1",
            ),
            dbc.InputGroup(
                [
                    dbc.Input(id="users-token-secret", value=secret, readonly=True),
                    dbc.InputGroupText(
                        dcc.Clipboard(target_id="users-token-secret", title="Copy the token")
                    ),
                ]
            ),
        ],
        color="success",
    )


@callback(
    Output("users-token-message", "children"),
    Output("users-token-grid", "rowData"),
    Input("users-token-create", "n_clicks"),
    Input("users-token-revoke", "n_clicks"),
    State("users-token-hei", "value"),
    State("users-token-scope", "value"),
    State("users-token-label", "value"),
    State("users-token-grid", "selectedRows"),
    prevent_initial_call=True,
)
def change_tokens(
    _create: int | None,
    _revoke: int | None,
    hei: str | None,
    scope: str | None,
    label: str | None,
    selected: list[dict[str, Any]] | None,
) -> tuple[Any, Any]:
    principal = ui.callback_principal("users")
    try:
        with ui.writing() as session:
            if dash.ctx.triggered_id == "users-token-create":
                if not hei:
                    raise Refused("Choose the HEI the token is for.")
                token = create_api_token(
                    session, hei_code=hei, scope=scope or "", actor=principal, label=label or ""
                )
                message: Any = _secret_shown_once(token.secret, token.hei_code)
            else:
                picked = (selected or [{}])[0].get("id")
                if not isinstance(picked, int):
                    raise Refused("Select a token in the table first.")
                revoke_api_token(session, token_id=picked, actor=principal)
                message = dbc.Alert(f"Token {picked} revoked.", color="success")
    except Refused as exc:
        return ui.refused_alert(exc), dash.no_update
    return message, token_rows(principal)
