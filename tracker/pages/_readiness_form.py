"""The learner readiness page's filters and form. Private to ``pages/readiness.py``."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from tracker import components as ui
from tracker import vocabulary

PAGE = "readiness"


def filters(
    heis: pd.DataFrame, programmes: pd.DataFrame, *, own_hei: str | None, horizon: date
) -> Any:
    """Search, HEI (fixed to their own for HEI users), programme, status and the day before
    which a lapsing check counts as expiring."""
    return ui.learner_filters(
        PAGE,
        "Learner, programme, note…",
        (heis, programmes),
        ("Readiness", vocabulary.options(vocabulary.READINESS_STATUSES)),
        ui.filter_field(
            "Expiring: lapses before",
            dbc.Input(id=f"{PAGE}-before", type="date", value=horizon.isoformat()),
            width=2,
        ),
        own_hei=own_hei,
    )


def _date(check: str, ident: str) -> Any:
    label = f"{vocabulary.READINESS_CHECKS[check]} valid until (empty: not done)"
    return ui.field(label, dbc.Input(id=f"{PAGE}-{ident}", type="date"), 4)


def form() -> Any:
    """The edit form for one learner (HEI users for their own learners; administrators)."""
    return ui.edit_form(
        PAGE,
        "Record a learner's checks",
        "Select a learner in the table to record or renew their checks.",
        dbc.Row(
            [
                _date("dbs", "dbs"),
                _date("occupational_health", "health"),
                _date("mandatory_training", "training"),
            ]
        ),
        ui.field(
            "Note (no health or personal details)",
            dbc.Textarea(id=f"{PAGE}-note", maxLength=500, rows=2),
            12,
        ),
        html.Div(
            [
                ui.button("Save readiness", f"{PAGE}-save"),
                ui.button("Clear (entered by mistake)", f"{PAGE}-delete", "danger", outline=True),
            ],
            className="d-flex gap-2 flex-wrap mt-2",
        ),
    )
