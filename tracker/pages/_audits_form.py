"""The educational audits page's filters, due card and form. Private to ``pages/audits.py``."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from tracker import components as ui
from tracker import vocabulary

PAGE = "audits"

#: The due card's columns: what a coordinator needs to book the re-audit.
DUE_COLUMNS = ["setting_id", "setting_name", "organisation", "expires_on", "audit_status"]


def filters(settings: list[dict[str, Any]], orgs: pd.DataFrame) -> Any:
    """Search, setting, organisation and status filters over the register grid."""
    return dbc.Row(
        [
            ui.search_box(PAGE, "Setting, organisation, action…"),
            ui.dropdown_filter("Setting", f"{PAGE}-setting", settings, width=3),
            ui.dropdown_filter(
                "Organisation", f"{PAGE}-organisation", ui.code_options(orgs), width=3
            ),
            ui.dropdown_filter(
                "Status", f"{PAGE}-status", vocabulary.options(vocabulary.AUDIT_STATUSES), width=3
            ),
        ]
    )


def due_card(due: pd.DataFrame) -> Any:
    """Settings whose latest audit is overdue or expires within 90 days, most urgent first."""
    shown = due.assign(
        audit_status=due["audit_status"].map(vocabulary.AUDIT_STATUSES),
        expires_on=due["expires_on"].astype(str),
    )
    body = (
        ui.table(f"{PAGE}-due", shown, DUE_COLUMNS, height=220)
        if len(due)
        else html.P("No audit is overdue or due in the next 90 days.", className="mb-0")
    )
    return ui.card(
        f"Due in the next 90 days and overdue ({len(due)})",
        body,
        card_id=f"{PAGE}-due-card",
        note="A setting whose audit has lapsed takes no learners in new allocation runs.",
    )


def _audit_fields(settings: list[dict[str, Any]]) -> Any:
    return dbc.Row(
        [
            ui.field("Setting", ui.choice(f"{PAGE}-form-setting", settings), 3),
            ui.field("Audited on", dbc.Input(id=f"{PAGE}-audited", type="date"), 2),
            ui.field(
                "Outcome",
                ui.choice(f"{PAGE}-outcome", vocabulary.options(vocabulary.AUDIT_OUTCOMES)),
                3,
            ),
            ui.field(
                "Expires on (blank: the re-audit interval)",
                dbc.Input(id=f"{PAGE}-expires", type="date"),
                4,
            ),
        ]
    )


def _approval_fields(programme_choices: list[dict[str, Any]]) -> Any:
    return dbc.Row(
        [
            ui.field(
                "Programmes or fields approved",
                ui.dropdown(f"{PAGE}-programmes", programme_choices, placeholder="Choose"),
                6,
            ),
            ui.field(
                "", dbc.Checkbox(id=f"{PAGE}-all", label="Approves every programme", value=True), 3
            ),
            ui.field("Actions due", dbc.Input(id=f"{PAGE}-action-due", type="date"), 3),
        ]
    )


def form(settings: list[dict[str, Any]], programme_choices: list[dict[str, Any]]) -> Any:
    """The record-or-edit form (staff only): setting, dates, outcome, approval, actions."""
    return ui.edit_form(
        PAGE,
        "Record or edit an audit",
        "Select a row to edit it, or record a new audit.",
        _audit_fields(settings),
        _approval_fields(programme_choices),
        ui.field("Action plan", dbc.Textarea(id=f"{PAGE}-action-plan", maxLength=2000, rows=2), 12),
        html.Div(
            [
                ui.button("Save audit", f"{PAGE}-save"),
                ui.button("New audit", f"{PAGE}-new", "secondary", outline=True),
                ui.button("Delete (entered by mistake)", f"{PAGE}-delete", "danger", outline=True),
            ],
            className="d-flex gap-2 flex-wrap mt-2",
        ),
    )
