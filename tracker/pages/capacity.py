"""Supervision capacity: the editable register per block, and bulk changes for planning."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Output, State, callback, html, no_update
from dash.exceptions import PreventUpdate

from tracker import components as ui
from tracker.access import Principal
from tracker.queries.capacity import capacity_register
from tracker.queries.options import block_options, organisation_options
from tracker.queries.staff import named_staff_counts, with_named_staff
from tracker.refusals import Refused
from tracker.services.capacity import (
    LEARNERS_PER_SUPERVISOR_RANGE,
    bulk_adjust_capacity,
    save_capacity_rows,
)

PAGE = "capacity"
dash.register_page(__name__, path="/capacity", name="Capacity", order=21, access=PAGE)

EDITABLE = {
    "practice_supervisors": ui.COUNT_RANGE,
    "learners_per_supervisor": LEARNERS_PER_SUPERVISOR_RANGE,
    "practice_assessors": ui.COUNT_RANGE,
    "practice_educators": ui.COUNT_RANGE,
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
    "capacity_kind",
    "named_staff",
]


def _defs() -> list[dict[str, Any]]:
    defs = ui.column_defs(SHOWN, numeric=[*EDITABLE, "places"])
    for d in defs:
        if d["field"] in EDITABLE:
            ui.editable_number(d, *EDITABLE[d["field"]])
        if d["field"] == "places":
            # typed rows follow an edit at once; named staff's places come from the register
            d["valueGetter"] = {
                "function": "params.data.capacity_kind === 'named' ? Number(params.data.places)"
                " : Number(params.data.practice_supervisors) * "
                "Number(params.data.learners_per_supervisor)"
            }
        if d["field"] in ("setting_id", "setting_name"):
            d["pinned"] = "left"
    return defs


def _filters(choices: Any, first: Any, orgs: Any) -> Any:
    return dbc.Row(
        [
            ui.choice_field("Block", f"{PAGE}-block", choices, "Choose a block", value=first),
            ui.dropdown_filter("Sector", f"{PAGE}-sector", ui.sector_options()),
            ui.dropdown_filter("Organisation", f"{PAGE}-organisation", ui.code_options(orgs)),
            ui.dropdown_filter("Profession group", f"{PAGE}-group", ui.group_options()),
        ]
    )


def _grid_card() -> Any:
    return ui.card(
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
                    row_id="id",
                    options={"stopEditingWhenCellsLoseFocus": True, "singleClickEdit": False},
                ),
                html.Div(
                    [
                        ui.button("Save changes", f"{PAGE}-save"),
                        ui.button("Discard changes", f"{PAGE}-discard", "secondary", outline=True),
                    ],
                    className="d-flex gap-2 mt-2",
                ),
            ]
        ),
        download=f"{PAGE}-table",
        note="Places from named staff: where the practice staff register lists the setting's "
        "active staff in the group, places are the learners those prepared by the block's "
        "start can support at once (each with a supervisor and a different assessor in their "
        "field, or an educator). Unnamed (typed counts): where it lists none, places = "
        "practice supervisors × learners each supports. Double-click a blue column to edit; "
        "whole numbers, 0 or more (learners per supervisor 1 to 20); typed counts of a named "
        "row count again if its staff are removed. Saving writes every changed row or none.",
    )


def _bulk(choices: Any, orgs: Any) -> Any:
    return ui.card(
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
                        ui.choice_field(
                            "Organisation",
                            f"{PAGE}-bulk-organisation",
                            ui.code_options(orgs),
                            "Any",
                        ),
                        ui.choice_field(
                            "or sector", f"{PAGE}-bulk-sector", ui.sector_options(), "Any"
                        ),
                        ui.choice_field("From block", f"{PAGE}-bulk-from", choices, "Every block"),
                        ui.choice_field(
                            "Profession group",
                            f"{PAGE}-bulk-group",
                            ui.group_options(),
                            "Every group",
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
                ui.button("Preview bulk change", f"{PAGE}-bulk-apply", "warning"),
                ui.confirm_dialog(
                    f"{PAGE}-bulk", "Apply this bulk change?", "Apply the change", "warning"
                ),
            ]
        ),
    )


@ui.page_guard(PAGE)
def layout(principal: Principal, block: str | None = None, **_query: Any) -> Any:
    """``?block=<code>`` opens the grid on that block (links and bookmarks)."""
    with ui.reading() as session:
        blocks = block_options(session)
        orgs = organisation_options(session)
    choices = ui.block_choices(blocks)
    first = (
        block
        if block in set(blocks["block"])
        else (blocks["block"].iloc[0] if len(blocks) else None)
    )
    filters = _filters(choices, first, orgs)
    grid_card = _grid_card()
    bulk = _bulk(choices, orgs)
    header = ui.page_header(
        "Supervision capacity",
        "Practice supervisors, assessors and educators per setting, block and "
        "profession group, and the places they give.",
    )
    return ui.register_layout(PAGE, header, filters, grid_card, bulk)


def _register(principal: Principal, block: str | None, group: list[str], **chosen: Any) -> Any:
    """The capacity register rows the filters choose, as saved (sector and organisation:
    as the register names them)."""
    blocks = [block] if block else []
    with ui.reading() as session:
        frame = capacity_register(
            session, principal=principal, blocks=blocks, profession_group=group, **chosen
        )
        return with_named_staff(frame, named_staff_counts(session, principal=principal))


TABLE = ui.RegisterTable(
    PAGE,
    {
        "block": str | None,
        "sector": list[str] | None,
        "organisation": list[str] | None,
        "group": list[str] | None,
    },
    _register,
)
TABLE.follow(
    "load_capacity",
    *ui.stores(PAGE, "refresh"),
    *ui.clicks(PAGE, "discard"),
    when=lambda block, *_: bool(block),
)
ui.follow_search(PAGE)


BULK_FIELDS = (
    "bulk-organisation",
    "bulk-sector",
    "bulk-from",
    "bulk-group",
    "bulk-supervisors",
    "bulk-assessors",
    "bulk-educators",
    "bulk-lps",
)


def _bulk_change(session: Any, principal: Principal, values: tuple[Any, ...], preview: bool) -> Any:
    """The bulk change the form describes, previewed or applied (one place for both)."""
    organisation, sector, from_block, group, supervisors, assessors, educators, lps = values
    return bulk_adjust_capacity(
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
        preview=preview,
    )


@callback(
    Output(f"{PAGE}-bulk-modal", "is_open"),
    *ui.children(PAGE, "bulk-preview"),
    Output(f"{PAGE}-message", "children", allow_duplicate=True),
    *ui.clicks(PAGE, "bulk-apply"),
    *ui.states(PAGE, *BULK_FIELDS),
    prevent_initial_call=True,
)
def preview_bulk(_preview: int | None, *values: Any) -> Any:
    """Nothing changes until the coordinator has seen what would ("402 capacity rows would
    change: places 1,207 → 2,011") and confirmed."""
    principal = ui.callback_principal(PAGE)
    try:
        with ui.reading() as session:
            result = _bulk_change(session, principal, values, preview=True)
    except Refused as refused:
        return False, no_update, ui.refused(refused)[0]
    return True, result.summary(), None


@callback(
    Output(f"{PAGE}-bulk-modal", "is_open", allow_duplicate=True),
    *ui.clicks(PAGE, "bulk-cancel", "bulk-confirm"),
    prevent_initial_call=True,
)
def close_bulk(_cancel: int | None, _confirm: int | None) -> bool:
    """The dialog closes on either answer; confirming also applies the change (below)."""
    return False


@ui.action(
    PAGE,
    ["save", "bulk-confirm"],
    [State(f"{PAGE}-grid", "rowData"), *ui.states(PAGE, *BULK_FIELDS)],
)
def save_capacity(
    session: ui.DbSession,
    principal: Principal,
    button: str,
    rows: list[dict[str, Any]] | None,
    *values: Any,
) -> str:
    """Save the grid's edits, or apply the bulk change the dialog previewed (``values``: the
    bulk form's fields, in ``BULK_FIELDS`` order)."""
    if button != "save":
        return _bulk_change(session, principal, values, preview=False).summary()
    if not rows:
        raise PreventUpdate
    changed = save_capacity_rows(session, principal=principal, rows=rows)
    if not changed:
        return "No changes to save."
    return f"Saved {changed} capacity row{'s' if changed != 1 else ''}."


TABLE.download(
    "download_capacity",
    SHOWN,
    lambda block, *_: f"capacity-{block or 'all'}",
    note="Supervision capacity as saved (unsaved grid edits excluded).",
)
