"""Placement requests: HEIs submit and follow their own; coordinators see every HEI's."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, State, html
from typing_extensions import TypedDict

from tracker import components as ui
from tracker.access import Principal
from tracker.queries.options import block_options, cohort_options, organisation_options
from tracker.queries.requests import REQUEST_COLUMNS, requests_register
from tracker.refusals import Refused
from tracker.services.requests import set_makeup_learners, submit_request, withdraw_request
from tracker.vocabulary import REQUEST_STATUSES, SUBMITTED, options


class RequestRow(TypedDict):
    """What the withdraw action reads of a selected grid row (the guard checks the types)."""

    id: int
    version: int


PAGE = "requests"
dash.register_page(__name__, path="/requests", name="Requests", order=23, access=PAGE)

#: The register's columns but the row id and version (kept for the withdraw action) and the
#: profession group (the programme says it).
SHOWN = [c for c in REQUEST_COLUMNS if c not in ("id", "profession_group", "version")]


def _form(block_list: Any, cohorts: Any) -> Any:
    return ui.form_card(
        "Request placements",
        [
            ui.choice_field(
                "Cohort",
                f"{PAGE}-cohort",
                [{"label": r["label"], "value": r["id"]} for r in cohorts.to_dict("records")],
                "Choose a cohort",
                width=5,
            ),
            ui.choice_field("Block", f"{PAGE}-block", block_list, width=3),
            ui.filter_field(
                "Learners",
                dbc.Input(id=f"{PAGE}-learners", type="number", min=1, step=1),
                width=2,
            ),
            ui.choice_field(
                "Required sector", f"{PAGE}-sector", ui.sector_options(), "Any", width=2
            ),
            ui.filter_field(
                "Make-up hours learners",
                dbc.Input(id=f"{PAGE}-makeup", type="number", min=0, step=1, value=0),
                width=3,
            ),
        ],
        ui.button("Submit request", f"{PAGE}-submit"),
        ui.button(
            "Set make-up learners on selected request",
            f"{PAGE}-set-makeup",
            outline=True,
            class_name="ms-2",
        ),
    )


def _table(scope: Any) -> Any:
    return ui.card(
        "Requests",
        html.Div(
            [
                ui.grid(
                    f"{PAGE}-grid",
                    ui.column_defs(SHOWN, numeric=["learners", "makeup_learners"]),
                    height=420,
                    row_id="id",
                    options=ui.CHOOSE_TO_EDIT,
                ),
                ui.button(
                    "Withdraw selected request",
                    f"{PAGE}-withdraw",
                    "danger",
                    outline=True,
                    class_name="mt-2",
                ),
            ]
        ),
        download=f"{PAGE}-table",
        note=scope + " Withdrawn requests stay on record with their status.",
    )


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        blocks = block_options(session)
        cohorts = cohort_options(session, principal=principal)
        heis = organisation_options(session, heis=True)
    block_list = ui.block_choices(blocks)
    filters = [
        ui.dropdown_filter("Blocks", f"{PAGE}-blocks", block_list),
        ui.filter_field(
            "Status",
            ui.dropdown(f"{PAGE}-status", options(REQUEST_STATUSES), value=[SUBMITTED]),
        ),
    ]
    if principal.is_hei:
        scope = f"Your HEI's requests ({principal.hei_code}) only."
        # the same filter id for every role keeps one callback; the HEI is fixed by access
        filters.append(html.Div(ui.dropdown(f"{PAGE}-heis", []), hidden=True))
    else:
        scope = "Every HEI's requests."
        filters.append(ui.dropdown_filter("HEIs", f"{PAGE}-heis", ui.code_options(heis)))
    form = _form(block_list, cohorts)
    table = _table(scope)
    header = ui.page_header(
        "Placement requests",
        "Learners of a cohort to be placed in a block, and what became of them.",
    )
    return ui.register_layout(PAGE, header, dbc.Row(filters), form, table)


def _read(principal: Principal, heis: Any, **chosen: Any) -> Any:
    """The requests the filters choose (blocks, status: as the register names them); the
    HEIs filter is hidden for HEI users, whose scope access fixes."""
    heis = heis if isinstance(heis, list) else []
    with ui.reading() as session:
        return requests_register(session, principal=principal, heis=heis, **chosen)


TABLE = ui.RegisterTable(
    PAGE, {"blocks": list[str] | None, "status": list[str] | None, "heis": Any}, _read
)
TABLE.follow("load_requests", Input(f"{PAGE}-refresh", "data"))


@ui.action(
    PAGE,
    ["submit", "withdraw", "set-makeup"],
    [
        *ui.states(PAGE, "cohort", "block", "learners", "sector", "makeup"),
        State(f"{PAGE}-grid", "selectedRows"),
    ],
)
def change_request(
    session: ui.DbSession,
    principal: Principal,
    button: str,
    cohort: int | None,
    block: str | None,
    learners: Any,
    sector: str | None,
    makeup: Any,
    selected: list[RequestRow] | None,
) -> str:
    if button in ("withdraw", "set-makeup"):
        if not selected:
            raise Refused(["select a request in the table first"])
        row = selected[0]
        if button == "set-makeup":
            changed = set_makeup_learners(
                session,
                principal=principal,
                request_id=int(row["id"]),
                version=int(row["version"]),
                makeup=makeup,
            )
            return (
                f"Request {changed.code}: {changed.makeup_learners} of {changed.learners} "
                "learners make up practice hours."
            )
        done = withdraw_request(
            session, principal=principal, request_id=int(row["id"]), version=int(row["version"])
        )
        return f"Request {done.code} withdrawn."
    ui.require({"cohort": cohort, "block": block, "learners": learners})
    made = submit_request(
        session,
        principal=principal,
        cohort_id=int(cohort or 0),
        block=str(block),
        learners=learners,
        sector=sector,
        makeup_learners=makeup if makeup not in (None, "") else 0,
    )
    return f"Request {made.code} submitted for {made.learners} learners."


TABLE.download(
    "download_requests",
    SHOWN,
    "placement-requests",
    note="Placement requests as filtered on the Requests page.",
)
