"""E-mail outbox (administrators): every notification message with its recipient, status,
attempts and the server's last error, filtered by status; says when e-mail is not configured."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from tracker import components as ui
from tracker.access import Principal
from tracker.queries.outbox import OUTBOX_COLUMNS, OUTBOX_LIMIT, outbox_counts, outbox_frame
from tracker.vocabulary import OUTBOX_STATUSES, options

PAGE = "outbox"
dash.register_page(__name__, path="/outbox", name="E-mail outbox", order=92, access=PAGE)


def _rows(principal: Principal, status: str | None) -> list[dict[str, Any]]:
    with ui.reading() as session:
        rows: list[dict[str, Any]] = outbox_frame(
            session, principal=principal, status=status
        ).to_dict("records")
    return rows


def _server_notice() -> Any:
    server = ui.app_mail_server()
    if server is None:
        return ui.notice(
            "E-mail is not configured (TRACKER_SMTP_HOST is not set): messages stay queued "
            "until it is and a sender runs.",
            color="warning",
            component_id=f"{PAGE}-not-configured",
        )
    return ui.notice(f"Sending through {server}.", color="light", component_id=f"{PAGE}-server")


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        counts = outbox_counts(session, principal=principal)
    summary = ", ".join(
        f"{OUTBOX_STATUSES[s]}: {counts[s]}" for s in OUTBOX_STATUSES if s in counts
    )
    return html.Div(
        [
            ui.page_header(
                "E-mail outbox",
                f"Notification messages, newest first (the latest {OUTBOX_LIMIT}).",
            ),
            _server_notice(),
            html.P(summary or "No messages yet.", id=f"{PAGE}-counts", className="small"),
            dbc.Row(
                ui.filter_field(
                    "Status",
                    dcc.Dropdown(
                        id=f"{PAGE}-status",
                        options=options(OUTBOX_STATUSES),
                        placeholder="Every status",
                    ),
                    width=3,
                ),
                className="g-2 mb-3",
            ),
            ui.grid(
                f"{PAGE}-grid",
                [c for c in OUTBOX_COLUMNS if c != "id"],
                _rows(principal, None),
                height=560,
                options={"pagination": True, "paginationPageSize": 50},
                fit_content=True,
            ),
        ]
    )


@callback(
    Output(f"{PAGE}-grid", "rowData"),
    Input(f"{PAGE}-status", "value"),
    prevent_initial_call=True,
)
def filter_outbox(status: str | None) -> list[dict[str, Any]]:
    principal = ui.callback_principal(PAGE)
    return _rows(principal, status if status in OUTBOX_STATUSES else None)
