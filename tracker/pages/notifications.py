"""Notifications (every signed-in user, from the account menu): where their e-mail goes and,
per kind of notification, off, immediately or in a daily digest. Each user edits only their
own; the service takes the user from the signed-in principal, never from the request."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html

from tracker import components as ui
from tracker.access import Principal
from tracker.refusals import Refused
from tracker.services.notify.outbox import CHOOSABLE_KINDS
from tracker.services.notify.preferences import (
    my_notification_settings,
    save_notification_settings,
)
from tracker.vocabulary import DELIVERY_MODES, NOTIFICATION_KINDS, options

PAGE = "notifications"
dash.register_page(
    __name__, path="/notifications", name="Notifications", order=95, access=PAGE, nav=False
)
KINDS = [kind.value for kind in CHOOSABLE_KINDS]


def _mode_field(kind: str, mode: str) -> Any:
    return dbc.Col(
        [
            dbc.Label(NOTIFICATION_KINDS[kind], html_for=f"{PAGE}-{kind}", class_name="small mb-1"),
            dbc.RadioItems(
                id=f"{PAGE}-{kind}",
                options=options(DELIVERY_MODES),
                value=mode,
                inline=True,
                class_name="mb-3",
            ),
        ],
        md=6,
    )


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    try:
        with ui.reading() as session:
            mine = my_notification_settings(session, principal=principal)
    except Refused as refused:
        return html.Div([ui.page_header("Notifications"), ui.notice(str(refused), color="warning")])
    modes = {kind.value: mode.value for kind, mode in mine.modes.items()}
    return html.Div(
        [
            ui.page_header(
                "Notifications",
                "What the tracker e-mails you about, and when: as it happens, or gathered "
                "into one message a day.",
            ),
            ui.form_card(
                "Your notifications",
                [
                    ui.filter_field(
                        "E-mail address",
                        dbc.Input(
                            id=f"{PAGE}-email", type="email", value=mine.email, maxlength=255
                        ),
                        width=6,
                    ),
                    dbc.Col(html.Div(), md=6),
                    *[_mode_field(kind, modes[kind]) for kind in KINDS],
                ],
                html.Div(
                    [
                        ui.button("Save", f"{PAGE}-save"),
                        html.Div(id=f"{PAGE}-message", className="mt-2", role="status"),
                    ]
                ),
            ),
        ]
    )


@callback(
    Output(f"{PAGE}-message", "children"),
    Input(f"{PAGE}-save", "n_clicks"),
    State(f"{PAGE}-email", "value"),
    *[State(f"{PAGE}-{kind}", "value") for kind in KINDS],
    prevent_initial_call=True,
)
def save_notifications(
    _clicks: int | None,
    email: str | None,
    request: str | None,
    plan_published: str | None,
    import_done: str | None,
    audit_due: str | None,
    readiness_expiring: str | None,
) -> Any:
    principal = ui.callback_principal(PAGE)
    chosen = [request, plan_published, import_done, audit_due, readiness_expiring]
    try:
        with ui.writing() as session:
            save_notification_settings(
                session,
                principal=principal,
                email=email or "",
                modes={kind: value or "" for kind, value in zip(KINDS, chosen, strict=True)},
            )
    except Refused as refused:
        return ui.refused_alert(refused)
    return ui.result_alert("Saved your notification settings.")
