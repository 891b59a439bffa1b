"""The settings register page's filters and form. Private to ``pages/settings_register.py``."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from tracker import components as ui

PAGE = "settings"

ACTIVE_CHOICES = [
    {"label": "Active", "value": "active"},
    {"label": "Inactive", "value": "inactive"},
    {"label": "All", "value": "all"},
]


def _field(label_text: str, control: Any, width: int = 4) -> Any:
    return ui.filter_field(label_text, control, width=width)


def filters(orgs: pd.DataFrame) -> Any:
    """Search, sector, organisation and status filters over the register grid."""
    return dbc.Row(
        [
            ui.search_box(PAGE, "Code, name, organisation…"),
            _field("Sector", ui.dropdown(f"{PAGE}-sector", ui.sector_options()), 3),
            _field("Organisation", ui.dropdown(f"{PAGE}-organisation", ui.code_options(orgs)), 3),
            _field(
                "Status",
                dcc.Dropdown(
                    id=f"{PAGE}-active", options=ACTIVE_CHOICES, value="active", clearable=False
                ),
                3,
            ),
        ]
    )


def _identity_fields(orgs: pd.DataFrame) -> Any:
    return dbc.Row(
        [
            _field("Code", dbc.Input(id=f"{PAGE}-code", maxlength=32), 2),
            _field("Name", dbc.Input(id=f"{PAGE}-name", maxlength=200), 4),
            _field(
                "Organisation",
                ui.choice(f"{PAGE}-form-organisation", ui.code_options(orgs)),
                3,
            ),
            _field(
                "Sector",
                ui.choice(f"{PAGE}-form-sector", ui.sector_options()),
                3,
            ),
        ]
    )


def _hosting_fields(programme_choices: list[dict[str, Any]]) -> Any:
    return dbc.Row(
        [
            _field(
                "Programmes hosted",
                ui.dropdown(
                    f"{PAGE}-form-programmes",
                    programme_choices,
                    placeholder="Choose programmes",
                ),
                6,
            ),
            _field(
                "",
                dbc.Checkbox(id=f"{PAGE}-any", label="Hosts any programme", value=False),
                2,
            ),
            _field("Latitude", dbc.Input(id=f"{PAGE}-lat", type="number", step="any"), 1),
            _field("Longitude", dbc.Input(id=f"{PAGE}-lon", type="number", step="any"), 1),
            _field("Postcode district", dbc.Input(id=f"{PAGE}-postcode", maxlength=8), 2),
        ]
    )


def _buttons() -> Any:
    return html.Div(
        [
            ui.button("Save setting", f"{PAGE}-save"),
            ui.button("New setting", f"{PAGE}-new", "secondary", outline=True),
            ui.button("Deactivate", f"{PAGE}-deactivate", "warning", outline=True),
            ui.button("Delete (no history only)", f"{PAGE}-delete", "danger", outline=True),
        ],
        className="d-flex gap-2 flex-wrap",
    )


def form(orgs: pd.DataFrame, programme_choices: list[dict[str, Any]]) -> Any:
    """The add-or-edit form: code, name, organisation, sector, programmes, place, status."""
    return ui.edit_form(
        PAGE,
        "Add or edit a setting",
        "Select a row to edit it, or start a new setting.",
        _identity_fields(orgs),
        _hosting_fields(programme_choices),
        dbc.Row(
            _field(
                "Contact e-mail (notifications)",
                dbc.Input(id=f"{PAGE}-contact", type="email", maxlength=255),
                4,
            )
        ),
        dbc.Checkbox(id=f"{PAGE}-form-active", label="Active", value=True, className="mb-2"),
        _buttons(),
    )
