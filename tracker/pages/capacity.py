"""Supervision capacity: the editable register per block, and bulk changes for planning."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate
from sqlmodel import Session

from tracker.access import AccessDenied, Principal
from tracker.auth import app_engine
from tracker.components import callback_principal, page_guard, page_header
from tracker.data.importers.core import MAX_COUNT
from tracker.db import session_scope
from tracker.pages import _capacity_ui as ui
from tracker.queries.capacity import capacity_register
from tracker.queries.options import block_options, organisation_options
from tracker.services.capacity import (
    LEARNERS_PER_SUPERVISOR_RANGE,
    bulk_adjust_capacity,
    save_capacity_rows,
)
from tracker.services.registers import SaveRefused

PAGE = "capacity"
dash.register_page(__name__, path="/capacity", name="Capacity", order=21, access=PAGE)

EDITABLE = {
    "practice_supervisors": (0, MAX_COUNT),
    "learners_per_supervisor": LEARNERS_PER_SUPERVISOR_RANGE,
    "practice_assessors": (0, MAX_COUNT),
    "practice_educators": (0, MAX_COUNT),
}
SHOWN = [
    "setting_id",
    "setting_name",
    "organisation",
    "sector",
    "block",
    "profession_group",
    *EDITABLE,
    "places",
]


def _defs() -> list[dict[str, Any]]:
    defs = ui.column_defs(SHOWN, numeric=[*EDITABLE, "places"])
    for d in defs:
        if d["field"] in EDITABLE:
            low, high = EDITABLE[d["field"]]
            d.update(
                {
                    "editable": True,
                    "cellEditor": "agNumberCellEditor",
                    "cellEditorParams": {"min": low, "max": high, "precision": 0},
                    # Flag a bad cell at once; the save refuses it with the reason.
                    "cellClassRules": {
                        "bg-danger-subtle text-danger fw-bold": (
                            f"params.value == null || !Number.isInteger(Number(params.value)) "
                            f"|| Number(params.value) < {low} || Number(params.value) > {high}"
                        ),
                    },
                    "headerClass": "text-primary",
                }
            )
        if d["field"] == "places":
            d["valueGetter"] = {
                "function": "Number(params.data.practice_supervisors) * "
                "Number(params.data.learners_per_supervisor)"
            }
        if d["field"] in ("setting_id", "setting_name"):
            d["pinned"] = "left"
    return defs


@page_guard(PAGE)
def layout(principal: Principal, block: str | None = None, **_query: Any) -> Any:
    """``?block=<code>`` opens the grid on that block (links and bookmarks)."""
    with Session(app_engine()) as session:
        blocks = block_options(session)
        orgs = organisation_options(session)
    block_choices = [
        {"label": f"{b} ({n})", "value": b}
        for b, n in zip(blocks["block"], blocks["name"], strict=True)
    ]
    first = (
        block
        if block in set(blocks["block"])
        else (blocks["block"].iloc[0] if len(blocks) else None)
    )
    filters = dbc.Row(
        [
            ui.filter_field(
                "Block",
                ui.dropdown(
                    f"{PAGE}-block",
                    block_choices,
                    multi=False,
                    value=first,
                    placeholder="Choose a block",
                ),
            ),
            ui.filter_field("Sector", ui.dropdown(f"{PAGE}-sector", ui.sector_options())),
            ui.filter_field(
                "Organisation", ui.dropdown(f"{PAGE}-organisation", ui.code_options(orgs))
            ),
            ui.filter_field("Profession group", ui.dropdown(f"{PAGE}-group", ui.group_options())),
        ]
    )
    grid_card = ui.card(
        "Supervision capacity",
        html.Div(
            [
                dbc.Input(
                    id=f"{PAGE}-search",
                    placeholder="Search settings…",
                    type="search",
                    size="sm",
                    className="mb-2",
                    debounce=True,
                ),
                ui.grid(
                    f"{PAGE}-grid",
                    _defs(),
                    height=480,
                    options={"stopEditingWhenCellsLoseFocus": True, "singleClickEdit": False},
                ),
                html.Div(
                    [
                        dbc.Button("Save changes", id=f"{PAGE}-save", color="primary", size="sm"),
                        dbc.Button(
                            "Discard changes",
                            id=f"{PAGE}-discard",
                            color="secondary",
                            outline=True,
                            size="sm",
                        ),
                    ],
                    className="d-flex gap-2 mt-2",
                ),
            ]
        ),
        download=f"{PAGE}-table",
        note="Places = practice supervisors × learners each supports. Double-click a blue "
        "column to edit; whole numbers, 0 or more (learners per supervisor 1 to 20). Saving "
        "writes every changed row or none.",
    )
    bulk = ui.card(
        "Bulk change for capacity planning",
        html.Div(
            [
                html.P(
                    "For example: +2 supervisors in every care home from block 3. Only "
                    "existing capacity rows change; counts stop at 0.",
                    className="small text-muted",
                ),
                dbc.Row(
                    [
                        ui.filter_field(
                            "Organisation",
                            ui.dropdown(
                                f"{PAGE}-bulk-organisation",
                                ui.code_options(orgs),
                                multi=False,
                                placeholder="Any",
                            ),
                        ),
                        ui.filter_field(
                            "or sector",
                            ui.dropdown(
                                f"{PAGE}-bulk-sector",
                                ui.sector_options(),
                                multi=False,
                                placeholder="Any",
                            ),
                        ),
                        ui.filter_field(
                            "From block",
                            ui.dropdown(
                                f"{PAGE}-bulk-from",
                                block_choices,
                                multi=False,
                                placeholder="Every block",
                            ),
                        ),
                        ui.filter_field(
                            "Profession group",
                            ui.dropdown(
                                f"{PAGE}-bulk-group",
                                ui.group_options(),
                                multi=False,
                                placeholder="Every group",
                            ),
                        ),
                    ]
                ),
                dbc.Row(
                    [
                        ui.filter_field(
                            "Supervisors ±",
                            dbc.Input(
                                id=f"{PAGE}-bulk-supervisors", type="number", step=1, value=0
                            ),
                        ),
                        ui.filter_field(
                            "Assessors ±",
                            dbc.Input(id=f"{PAGE}-bulk-assessors", type="number", step=1, value=0),
                        ),
                        ui.filter_field(
                            "Educators ±",
                            dbc.Input(id=f"{PAGE}-bulk-educators", type="number", step=1, value=0),
                        ),
                        ui.filter_field(
                            "Set learners per supervisor",
                            dbc.Input(id=f"{PAGE}-bulk-lps", type="number", step=1, min=1, max=20),
                        ),
                    ]
                ),
                dbc.Button(
                    "Apply bulk change", id=f"{PAGE}-bulk-apply", color="warning", size="sm"
                ),
            ]
        ),
    )
    return html.Div(
        [
            page_header(
                "Supervision capacity",
                "Practice supervisors, assessors and educators per setting, block and "
                "profession group, and the places they give.",
            ),
            filters,
            html.Div(id=f"{PAGE}-message"),
            dcc.Store(id=f"{PAGE}-refresh", data=0),
            grid_card,
            bulk,
        ]
    )


def _filters(
    block: str | None,
    sector: list[str] | None,
    organisation: list[str] | None,
    group: list[str] | None,
) -> dict[str, Any]:
    return {
        "blocks": [block] if block else [],
        "sector": sector or [],
        "organisation": organisation or [],
        "profession_group": group or [],
    }


@callback(
    Output(f"{PAGE}-grid", "rowData"),
    Input(f"{PAGE}-block", "value"),
    Input(f"{PAGE}-sector", "value"),
    Input(f"{PAGE}-organisation", "value"),
    Input(f"{PAGE}-group", "value"),
    Input(f"{PAGE}-refresh", "data"),
    Input(f"{PAGE}-discard", "n_clicks"),
)
def load_capacity(
    block: str | None,
    sector: list[str] | None,
    organisation: list[str] | None,
    group: list[str] | None,
    _refresh: int | None,
    _discard: int | None,
) -> Any:
    principal = callback_principal(PAGE)
    if not block:
        return []
    with Session(app_engine()) as session:
        frame = capacity_register(
            session, principal=principal, **_filters(block, sector, organisation, group)
        )
    return ui.records(frame)


@callback(
    Output(f"{PAGE}-grid", "dashGridOptions"),
    Input(f"{PAGE}-search", "value"),
    State(f"{PAGE}-grid", "dashGridOptions"),
)
def search_capacity(text: str | None, options: dict[str, Any] | None) -> Any:
    return {**(options or {}), "quickFilterText": text or ""}


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-refresh", "data"),
    Input(f"{PAGE}-save", "n_clicks"),
    Input(f"{PAGE}-bulk-apply", "n_clicks"),
    State(f"{PAGE}-grid", "rowData"),
    State(f"{PAGE}-refresh", "data"),
    State(f"{PAGE}-bulk-organisation", "value"),
    State(f"{PAGE}-bulk-sector", "value"),
    State(f"{PAGE}-bulk-from", "value"),
    State(f"{PAGE}-bulk-group", "value"),
    State(f"{PAGE}-bulk-supervisors", "value"),
    State(f"{PAGE}-bulk-assessors", "value"),
    State(f"{PAGE}-bulk-educators", "value"),
    State(f"{PAGE}-bulk-lps", "value"),
    prevent_initial_call=True,
)
def save_capacity(
    _save: int | None,
    _bulk: int | None,
    rows: list[dict[str, Any]] | None,
    refresh: int | None,
    organisation: str | None,
    sector: str | None,
    from_block: str | None,
    group: str | None,
    supervisors: Any,
    assessors: Any,
    educators: Any,
    lps: Any,
) -> Any:
    principal = callback_principal(PAGE)
    try:
        with session_scope(app_engine()) as session:
            if ctx.triggered_id == f"{PAGE}-save":
                if not rows:
                    raise PreventUpdate
                changed = save_capacity_rows(session, principal=principal, rows=rows)
                text = (
                    f"Saved {changed} capacity row{'s' if changed != 1 else ''}."
                    if changed
                    else "No changes to save."
                )
            else:
                result = bulk_adjust_capacity(
                    session,
                    principal=principal,
                    organisation=organisation,
                    sector=sector,
                    from_block=from_block,
                    profession_group=group,
                    delta_supervisors=int(supervisors or 0),
                    delta_assessors=int(assessors or 0),
                    delta_educators=int(educators or 0),
                    learners_per_supervisor=int(lps) if lps not in (None, "") else None,
                )
                text = result.summary()
    except (SaveRefused, AccessDenied) as refused:
        problems = getattr(refused, "problems", [str(refused)])
        return ui.result_alert("Nothing was saved:", problems, ok=False), dash.no_update
    return ui.result_alert(text), (refresh or 0) + 1


@callback(
    Output(f"{PAGE}-table-download", "data"),
    Input(f"{PAGE}-table-csv", "n_clicks"),
    Input(f"{PAGE}-table-xlsx", "n_clicks"),
    State(f"{PAGE}-block", "value"),
    State(f"{PAGE}-sector", "value"),
    State(f"{PAGE}-organisation", "value"),
    State(f"{PAGE}-group", "value"),
    prevent_initial_call=True,
)
def download_capacity(
    _csv: int | None,
    _xlsx: int | None,
    block: str | None,
    sector: list[str] | None,
    organisation: list[str] | None,
    group: list[str] | None,
) -> Any:
    principal = callback_principal(PAGE)
    with Session(app_engine()) as session:
        frame = capacity_register(
            session, principal=principal, **_filters(block, sector, organisation, group)
        )
    fmt = "xlsx" if ctx.triggered_id == f"{PAGE}-table-xlsx" else "csv"
    return ui.send_frame(
        frame[SHOWN],
        fmt=fmt,
        filename=f"capacity-{block or 'all'}",
        note="Supervision capacity as saved (unsaved grid edits excluded).",
    )
