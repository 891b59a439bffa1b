"""Supervision capacity: the editable register per block, and bulk changes for planning."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from tracker.access import Principal
from tracker.components import (
    callback_principal,
    card,
    chosen_format,
    page_guard,
    page_header,
    reading,
    result_alert,
    send_table,
    writing,
)
from tracker.components.alerts import refused_alert
from tracker.components.fields import (
    block_choices,
    code_options,
    dropdown,
    filter_field,
    group_options,
    sector_options,
)
from tracker.components.grids import COUNT_RANGE, column_defs, editable_number, grid, records
from tracker.queries.capacity import capacity_register
from tracker.queries.options import block_options, organisation_options
from tracker.refusals import Refused
from tracker.services.capacity import (
    LEARNERS_PER_SUPERVISOR_RANGE,
    bulk_adjust_capacity,
    save_capacity_rows,
)

PAGE = "capacity"
dash.register_page(__name__, path="/capacity", name="Capacity", order=21, access=PAGE)

EDITABLE = {
    "practice_supervisors": COUNT_RANGE,
    "learners_per_supervisor": LEARNERS_PER_SUPERVISOR_RANGE,
    "practice_assessors": COUNT_RANGE,
    "practice_educators": COUNT_RANGE,
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
    defs = column_defs(SHOWN, numeric=[*EDITABLE, "places"])
    for d in defs:
        if d["field"] in EDITABLE:
            editable_number(d, *EDITABLE[d["field"]])
        if d["field"] == "places":
            d["valueGetter"] = {
                "function": "Number(params.data.practice_supervisors) * "
                "Number(params.data.learners_per_supervisor)"
            }
        if d["field"] in ("setting_id", "setting_name"):
            d["pinned"] = "left"
    return defs


def _filters(choices: Any, first: Any, orgs: Any) -> Any:
    return dbc.Row(
        [
            filter_field(
                "Block",
                dropdown(
                    f"{PAGE}-block",
                    choices,
                    multi=False,
                    value=first,
                    placeholder="Choose a block",
                ),
            ),
            filter_field("Sector", dropdown(f"{PAGE}-sector", sector_options())),
            filter_field("Organisation", dropdown(f"{PAGE}-organisation", code_options(orgs))),
            filter_field("Profession group", dropdown(f"{PAGE}-group", group_options())),
        ]
    )


def _grid_card() -> Any:
    return card(
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
                grid(
                    f"{PAGE}-grid",
                    _defs(),
                    height=480,
                    row_id="id",
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


def _bulk(choices: Any, orgs: Any) -> Any:
    return card(
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
                        filter_field(
                            "Organisation",
                            dropdown(
                                f"{PAGE}-bulk-organisation",
                                code_options(orgs),
                                multi=False,
                                placeholder="Any",
                            ),
                        ),
                        filter_field(
                            "or sector",
                            dropdown(
                                f"{PAGE}-bulk-sector",
                                sector_options(),
                                multi=False,
                                placeholder="Any",
                            ),
                        ),
                        filter_field(
                            "From block",
                            dropdown(
                                f"{PAGE}-bulk-from",
                                choices,
                                multi=False,
                                placeholder="Every block",
                            ),
                        ),
                        filter_field(
                            "Profession group",
                            dropdown(
                                f"{PAGE}-bulk-group",
                                group_options(),
                                multi=False,
                                placeholder="Every group",
                            ),
                        ),
                    ]
                ),
                dbc.Row(
                    [
                        filter_field(
                            "Supervisors ±",
                            dbc.Input(
                                id=f"{PAGE}-bulk-supervisors", type="number", step=1, value=0
                            ),
                        ),
                        filter_field(
                            "Assessors ±",
                            dbc.Input(id=f"{PAGE}-bulk-assessors", type="number", step=1, value=0),
                        ),
                        filter_field(
                            "Educators ±",
                            dbc.Input(id=f"{PAGE}-bulk-educators", type="number", step=1, value=0),
                        ),
                        filter_field(
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


@page_guard(PAGE)
def layout(principal: Principal, block: str | None = None, **_query: Any) -> Any:
    """``?block=<code>`` opens the grid on that block (links and bookmarks)."""
    with reading() as session:
        blocks = block_options(session)
        orgs = organisation_options(session)
    choices = block_choices(blocks)
    first = (
        block
        if block in set(blocks["block"])
        else (blocks["block"].iloc[0] if len(blocks) else None)
    )
    filters = _filters(choices, first, orgs)
    grid_card = _grid_card()
    bulk = _bulk(choices, orgs)
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


def _register(
    principal: Principal,
    block: str | None,
    sector: list[str] | None,
    organisation: list[str] | None,
    group: list[str] | None,
) -> Any:
    """The capacity register rows the filters choose, as saved."""
    with reading() as session:
        return capacity_register(
            session,
            principal=principal,
            blocks=[block] if block else [],
            sector=sector or [],
            organisation=organisation or [],
            profession_group=group or [],
        )


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
    return records(_register(principal, block, sector, organisation, group))


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
        with writing() as session:
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
    except Refused as refused:
        return refused_alert(refused), dash.no_update
    return result_alert(text), (refresh or 0) + 1


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
    fmt = chosen_format()
    return send_table(
        _register(principal, block, sector, organisation, group)[SHOWN],
        fmt=fmt,
        filename=f"capacity-{block or 'all'}",
        note="Supervision capacity as saved (unsaved grid edits excluded).",
    )
