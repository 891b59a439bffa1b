"""The settings register page's filters and form. Private to ``pages/settings_register.py``."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from tracker.components import card
from tracker.components.fields import code_options, dropdown, filter_field, sector_options

PAGE = "settings"

ACTIVE_CHOICES = [
    {"label": "Active", "value": "active"},
    {"label": "Inactive", "value": "inactive"},
    {"label": "All", "value": "all"},
]


def _field(label_text: str, control: Any, width: int = 4) -> Any:
    return filter_field(label_text, control, width=width)


def filters(orgs: pd.DataFrame) -> Any:
    """Search, sector, organisation and status filters over the register grid."""
    return dbc.Row(
        [
            _field(
                "Search",
                dbc.Input(
                    id=f"{PAGE}-search",
                    type="search",
                    debounce=True,
                    placeholder="Code, name, organisation…",
                ),
                3,
            ),
            _field("Sector", dropdown(f"{PAGE}-sector", sector_options()), 3),
            _field("Organisation", dropdown(f"{PAGE}-organisation", code_options(orgs)), 3),
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
                dropdown(
                    f"{PAGE}-form-organisation",
                    code_options(orgs),
                    multi=False,
                    placeholder="Choose",
                ),
                3,
            ),
            _field(
                "Sector",
                dropdown(
                    f"{PAGE}-form-sector",
                    sector_options(),
                    multi=False,
                    placeholder="Choose",
                ),
                3,
            ),
        ]
    )


def _hosting_fields(programme_choices: list[dict[str, Any]]) -> Any:
    return dbc.Row(
        [
            _field(
                "Programmes hosted",
                dropdown(
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
            dbc.Button("Save setting", id=f"{PAGE}-save", color="primary", size="sm"),
            dbc.Button(
                "New setting",
                id=f"{PAGE}-new",
                color="secondary",
                outline=True,
                size="sm",
            ),
            dbc.Button(
                "Deactivate",
                id=f"{PAGE}-deactivate",
                color="warning",
                outline=True,
                size="sm",
            ),
            dbc.Button(
                "Delete (no history only)",
                id=f"{PAGE}-delete",
                color="danger",
                outline=True,
                size="sm",
            ),
        ],
        className="d-flex gap-2 flex-wrap",
    )


def form(orgs: pd.DataFrame, programme_choices: list[dict[str, Any]]) -> Any:
    """The add-or-edit form: code, name, organisation, sector, programmes, place, status."""
    return card(
        "Add or edit a setting",
        html.Div(
            [
                html.P(
                    "Select a row to edit it, or start a new setting.",
                    id=f"{PAGE}-form-mode",
                    className="small text-muted",
                ),
                _identity_fields(orgs),
                _hosting_fields(programme_choices),
                dbc.Checkbox(
                    id=f"{PAGE}-form-active", label="Active", value=True, className="mb-2"
                ),
                _buttons(),
            ]
        ),
    )
