"""The practice staff page's filters and form. Private to ``pages/practice_staff.py``."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from tracker import components as ui
from tracker import vocabulary

PAGE = "practice-staff"

Choices = list[dict[str, Any]]


def field_options(fields: list[str]) -> Choices:
    """The programmes register's fields as choices, said as written there."""
    return [{"label": f.capitalize(), "value": f} for f in fields]


def filters(settings: Choices, orgs: Choices, fields: Choices) -> Any:
    """Search, setting, organisation, role, field and preparation filters over the grid."""
    return dbc.Row(
        [
            ui.search_box(PAGE, "Reference, name, setting…", width=2),
            ui.dropdown_filter("Setting", f"{PAGE}-setting", settings, width=2),
            ui.dropdown_filter("Organisation", f"{PAGE}-organisation", orgs, width=2),
            ui.dropdown_filter(
                "Role", f"{PAGE}-role", vocabulary.options(vocabulary.STAFF_ROLES), width=2
            ),
            ui.dropdown_filter("Field", f"{PAGE}-field", fields, width=2),
            ui.dropdown_filter(
                "Preparation",
                f"{PAGE}-prepared",
                vocabulary.options(vocabulary.PREPARATIONS),
                width=2,
            ),
        ]
    )


def _who(orgs: Choices, settings: Choices) -> Any:
    return dbc.Row(
        [
            ui.field(
                "Staff reference",
                dbc.Input(id=f"{PAGE}-ref", maxLength=32, placeholder="e.g. RXK-PS-0142"),
                3,
            ),
            ui.field("Organisation", ui.choice(f"{PAGE}-form-organisation", orgs), 3),
            ui.field(
                "Settings",
                ui.dropdown(f"{PAGE}-form-settings", settings, placeholder="Choose"),
                6,
            ),
        ]
    )


def _what(fields: Choices) -> Any:
    return dbc.Row(
        [
            ui.field(
                "Roles",
                ui.dropdown(
                    f"{PAGE}-form-roles",
                    vocabulary.options(vocabulary.STAFF_ROLES),
                    placeholder="Choose",
                ),
                4,
            ),
            ui.field("Profession group", ui.choice(f"{PAGE}-form-group", ui.group_options()), 3),
            ui.field("Field (assessors and educators)", ui.choice(f"{PAGE}-form-field", fields), 3),
            ui.field(
                "Learners at once",
                dbc.Input(id=f"{PAGE}-max", type="number", min=0, max=20, step=1, value=1),
                2,
            ),
        ]
    )


def _how() -> Any:
    return dbc.Row(
        [
            ui.field(
                "Prepared for the role on", dbc.Input(id=f"{PAGE}-prepared-on", type="date"), 3
            ),
            ui.field("Display name (optional)", dbc.Input(id=f"{PAGE}-name", maxLength=100), 5),
            ui.field("", dbc.Checkbox(id=f"{PAGE}-active", label="Active", value=True), 2),
        ]
    )


def form(orgs: Choices, settings: Choices, fields: Choices) -> Any:
    """The record-or-edit form (staff only): who, where, which roles, prepared when."""
    return ui.edit_form(
        PAGE,
        "Record or edit a staff member",
        "Select a row to edit it, or record a new staff member.",
        _who(orgs, settings),
        _what(fields),
        _how(),
        html.Div(
            [
                ui.button("Save staff member", f"{PAGE}-save"),
                ui.button("New staff member", f"{PAGE}-new", "secondary", outline=True),
                ui.button("Delete (entered by mistake)", f"{PAGE}-delete", "danger", outline=True),
            ],
            className="d-flex gap-2 flex-wrap mt-2",
        ),
    )
