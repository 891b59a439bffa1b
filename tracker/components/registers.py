"""The skeleton the register pages share (settings, capacity, requests, calendar, ...).

Each register page is a header, its filters, a message line for the outcome of a save, a
refresh counter the save bumps so the grid reloads, and its cards; its table downloads are
CSV/Excel buttons on a card. Holding that here lets a page state only what differs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from tracker.components.alerts import refused_alert, result_alert
from tracker.components.cards import card
from tracker.components.fields import coded_options, dropdown_filter, filter_field, hei_filter
from tracker.components.grids import column_defs, grid
from tracker.refusals import Refused

Layout = Any


def register_layout(
    page: str,
    header: Layout,
    filters: Layout,
    *parts: Layout,
    counter: str = "refresh",
    edits: bool = False,
) -> Layout:
    """`header`, `filters`, the message line ``<page>-message``, the counter
    ``<page>-<counter>`` a save bumps, with `edits` the record the edit form is on
    (``<page>-editing``, none at first), then the page's `parts` (stores, cards, forms)."""
    editing = [dcc.Store(id=f"{page}-editing", data=None)] if edits else []
    return html.Div(
        [
            header,
            filters,
            html.Div(id=f"{page}-message"),
            dcc.Store(id=f"{page}-{counter}", data=0),
            *editing,
            *parts,
        ]
    )


def search_box(page: str, placeholder: str, width: int = 3) -> Layout:
    """The quick-filter field ``<page>-search`` over the register grid (``follow_search``)."""
    return filter_field(
        "Search",
        dbc.Input(id=f"{page}-search", type="search", debounce=True, placeholder=placeholder),
        width=width,
    )


#: A register's rows are chosen for the edit form by a checkbox (keyboard: Space) in a column
#: of its own, headed and kept at the left edge, or by clicking the row.
CHOOSE_TO_EDIT: Final[Mapping[str, Any]] = MappingProxyType(
    {
        "rowSelection": {"mode": "singleRow", "enableClickSelection": True},
        "selectionColumnDef": {
            "headerName": "Edit",
            "headerTooltip": "Choose a row to open it in the form below",
            "pinned": "left",
            "width": 76,
            "resizable": False,
        },
    }
)


def learner_filters(
    page: str,
    placeholder: str,
    choices: tuple[pd.DataFrame, pd.DataFrame],
    status: tuple[str, list[dict[str, Any]]],
    *extra: Layout,
    own_hei: str | None,
) -> Layout:
    """The filter row of a register of learners: the search box, HEI (fixed to their own for
    HEI users), programme and ``status`` (its label and options) as ``<page>-status``, then
    any `extra` controls. ``choices`` is the HEIs and the programmes to choose from."""
    heis, programmes = choices
    label, options = status
    return dbc.Row(
        [
            search_box(page, placeholder),
            hei_filter(page, heis, own_hei=own_hei),
            dropdown_filter("Programme", f"{page}-programme", coded_options(programmes), width=2),
            dropdown_filter(label, f"{page}-status", options, width=2),
            *extra,
        ]
    )


def shown(columns: Sequence[str]) -> list[str]:
    """A register's columns as its grid and download show them: all but the row's ``id`` and
    ``version``, which the grid's rows keep for the edit form (``picked``)."""
    return [c for c in columns if c not in ("id", "version")]


def register_grid(page: str, title: str, columns: list[str], note: str) -> Layout:
    """The register's card: ``<page>-grid`` (one row selectable, for the edit form, rows
    keyed by ``id``) with its CSV/Excel buttons ``<page>-table``."""
    return card(
        title,
        grid(
            f"{page}-grid",
            column_defs(columns),
            height=420,
            row_id="id",
            options=CHOOSE_TO_EDIT,
        ),
        download=f"{page}-table",
        note=note,
    )


def edit_form(page: str, title: str, hint: str, *parts: Layout) -> Layout:
    """The register's add-or-edit card: the mode line ``<page>-form-mode`` (what a save will
    do, rewritten as a row is picked) above the form's `parts`."""
    return card(
        title,
        html.Div([html.P(hint, id=f"{page}-form-mode", className="small text-muted"), *parts]),
    )


def saved(text: str, refresh: int | None) -> tuple[Layout, int]:
    """A save's outcome line and the bumped refresh counter (the grid reloads)."""
    return result_alert(text), (refresh or 0) + 1


def refused(refusal: Refused) -> tuple[Layout, Any]:
    """A refused save's reasons, with the refresh counter left as it was."""
    return refused_alert(refusal), dash.no_update


def inputs(page: str, *names: str) -> list[Input]:
    """The values of the controls ``<page>-<name>`` as a callback's inputs."""
    return [Input(f"{page}-{name}", "value") for name in names]


def states(page: str, *names: str) -> list[State]:
    """The values of the controls ``<page>-<name>`` as a callback's state."""
    return [State(f"{page}-{name}", "value") for name in names]


def clicks(page: str, *names: str) -> list[Input]:
    """The click counts of the buttons ``<page>-<name>`` as a callback's inputs."""
    return [Input(f"{page}-{name}", "n_clicks") for name in names]


def grid_rows(page: str, *names: str) -> list[Output]:
    """The rows of the grids ``<page>-<name>`` as a callback's outputs."""
    return [Output(f"{page}-{name}", "rowData") for name in names]


def children(page: str, *names: str) -> list[Output]:
    """The contents of the elements ``<page>-<name>`` (messages, summaries, tables) as a
    callback's outputs."""
    return [Output(f"{page}-{name}", "children") for name in names]


def stores(page: str, *names: str) -> list[Input]:
    """The data of the stores ``<page>-<name>`` as a callback's inputs: it runs again when
    one changes (the chosen run, a change counter, the applied scenario)."""
    return [Input(f"{page}-{name}", "data") for name in names]


def stored(page: str, *names: str) -> list[State]:
    """The data of the stores ``<page>-<name>`` as a callback's state."""
    return [State(f"{page}-{name}", "data") for name in names]


def follow_search(page: str) -> None:
    """Register the quick filter: the search box ``<page>-search`` filters ``<page>-grid``."""

    @callback(
        Output(f"{page}-grid", "dashGridOptions"),
        Input(f"{page}-search", "value"),
        State(f"{page}-grid", "dashGridOptions"),
    )
    def search_grid(text: str | None, options: dict[str, Any] | None) -> Any:
        return {**(options or {}), "quickFilterText": text or ""}

    search_grid.__name__ = f"search_{page}"
