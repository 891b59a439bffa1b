"""Audit log (administrators): sign-ins, imports, edits, runs and approvals; filter, export."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from tracker import components as ui
from tracker.access import Principal
from tracker.callback_inputs import IsoDate
from tracker.queries.audit import AUDIT_COLUMNS, AUDIT_SHOWN, audit_actions, audit_frame

dash.register_page(__name__, path="/audit", name="Audit log", order=91, access="audit")


def _frame(
    principal: Principal,
    actions: list[str] | None,
    username: str | None,
    since: str | None,
    until: str | None,
) -> pd.DataFrame:
    with ui.reading() as session:
        return audit_frame(
            session,
            principal=principal,
            actions=tuple(actions or ()),
            username=(username or "").strip() or None,
            since=date.fromisoformat(since) if since else None,
            until=date.fromisoformat(until) if until else None,
        )


@ui.page_guard("audit")
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        actions = audit_actions(session, principal=principal)
    filters = dbc.Row(
        [
            ui.filter_field(
                "Actions",
                dcc.Dropdown(
                    id="audit-actions", options=actions, multi=True, placeholder="All actions"
                ),
                width=4,
            ),
            ui.filter_field(
                "Username",
                dbc.Input(id="audit-username", placeholder="Anyone", debounce=True),
                width=2,
            ),
            ui.filter_field("From", dbc.Input(id="audit-from", type="date"), width=2),
            ui.filter_field("To", dbc.Input(id="audit-to", type="date"), width=2),
            dbc.Col(ui.download_buttons("audit"), lg=2, className="mb-2"),
        ],
        className="g-2 mb-3 align-items-end",
    )
    return html.Div(
        [
            ui.page_header("Audit log", "Append-only: who changed what, when, old and new values."),
            filters,
            ui.grid(
                "audit-grid",
                AUDIT_SHOWN,
                _frame(principal, None, None, None, None).to_dict("records"),
                height=640,
                options={"pagination": True, "paginationPageSize": 50},
                fit_content=True,  # when, who, action and record read whole; values wrap
            ),
        ]
    )


@callback(
    Output("audit-grid", "rowData"),
    Input("audit-actions", "value"),
    Input("audit-username", "value"),
    Input("audit-from", "value"),
    Input("audit-to", "value"),
    prevent_initial_call=True,
)
def filter_audit(
    actions: list[str] | None,
    username: str | None,
    since: IsoDate | None,
    until: IsoDate | None,
) -> list[dict[str, Any]]:
    principal = ui.callback_principal("audit")
    rows: list[dict[str, Any]] = _frame(principal, actions, username, since, until).to_dict(
        "records"
    )
    return rows


@callback(
    Output("audit-download", "data"),
    Input("audit-csv", "n_clicks"),
    Input("audit-xlsx", "n_clicks"),
    State("audit-actions", "value"),
    State("audit-username", "value"),
    State("audit-from", "value"),
    State("audit-to", "value"),
    prevent_initial_call=True,
)
def download_audit(
    _csv: int | None,
    _xlsx: int | None,
    actions: list[str] | None,
    username: str | None,
    since: IsoDate | None,
    until: IsoDate | None,
) -> Any:
    principal = ui.callback_principal("audit")
    fmt = ui.chosen_format()
    frame = _frame(principal, actions, username, since, until)[AUDIT_COLUMNS]
    return ui.send_table(frame, fmt=fmt, filename="audit-log", headers="codes")
