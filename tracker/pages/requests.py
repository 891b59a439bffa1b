"""Placement requests: HEIs submit and follow their own; coordinators see every HEI's."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from sqlmodel import Session
from typing_extensions import TypedDict

from tracker.access import AccessDenied, Principal
from tracker.auth import app_engine
from tracker.components import callback_principal, page_guard, page_header
from tracker.db import session_scope
from tracker.models import RequestStatus
from tracker.pages import _capacity_ui as ui
from tracker.queries.options import block_options, cohort_options, organisation_options
from tracker.queries.requests import requests_register
from tracker.services.registers import SaveRefused
from tracker.services.requests import submit_request, withdraw_request


class RequestRow(TypedDict):
    """What the withdraw action reads of a selected grid row (the guard checks the types)."""

    id: int
    version: int


PAGE = "requests"
dash.register_page(__name__, path="/requests", name="Requests", order=23, access=PAGE)

SHOWN = [
    "request_id",
    "hei",
    "programme",
    "intake",
    "block",
    "learners",
    "sector",
    "status",
    "created_at",
    "created_by",
]


@page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with Session(app_engine()) as session:
        blocks = block_options(session)
        cohorts = cohort_options(session, principal=principal)
        heis = organisation_options(session, heis=True)
    block_choices = [
        {"label": f"{b} ({n})", "value": b}
        for b, n in zip(blocks["block"], blocks["name"], strict=True)
    ]
    status_choices = [{"label": s.value.capitalize(), "value": s.value} for s in RequestStatus]
    filters = [
        ui.filter_field("Blocks", ui.dropdown(f"{PAGE}-blocks", block_choices)),
        ui.filter_field(
            "Status",
            ui.dropdown(f"{PAGE}-status", status_choices, value=[RequestStatus.SUBMITTED.value]),
        ),
    ]
    if principal.is_hei:
        scope = f"Your HEI's requests ({principal.hei_code}) only."
        # the same filter id for every role keeps one callback; the HEI is fixed by access
        filters.append(html.Div(ui.dropdown(f"{PAGE}-heis", []), hidden=True))
    else:
        scope = "Every HEI's requests."
        filters.append(ui.filter_field("HEIs", ui.dropdown(f"{PAGE}-heis", ui.code_options(heis))))
    form = ui.card(
        "Request placements",
        html.Div(
            [
                dbc.Row(
                    [
                        ui.filter_field(
                            "Cohort",
                            ui.dropdown(
                                f"{PAGE}-cohort",
                                [
                                    {"label": r["label"], "value": r["id"]}
                                    for r in cohorts.to_dict("records")
                                ],
                                multi=False,
                                placeholder="Choose a cohort",
                            ),
                            width=5,
                        ),
                        ui.filter_field(
                            "Block",
                            ui.dropdown(
                                f"{PAGE}-block", block_choices, multi=False, placeholder="Choose"
                            ),
                            width=3,
                        ),
                        ui.filter_field(
                            "Learners",
                            dbc.Input(id=f"{PAGE}-learners", type="number", min=1, step=1),
                            width=2,
                        ),
                        ui.filter_field(
                            "Required sector",
                            ui.dropdown(
                                f"{PAGE}-sector",
                                ui.sector_options(),
                                multi=False,
                                placeholder="Any",
                            ),
                            width=2,
                        ),
                    ]
                ),
                dbc.Button("Submit request", id=f"{PAGE}-submit", color="primary", size="sm"),
            ]
        ),
    )
    table = ui.card(
        "Requests",
        html.Div(
            [
                ui.grid(
                    f"{PAGE}-grid",
                    ui.column_defs(SHOWN, numeric=["learners"]),
                    height=420,
                    options={"rowSelection": {"mode": "singleRow"}},
                ),
                dbc.Button(
                    "Withdraw selected request",
                    id=f"{PAGE}-withdraw",
                    color="danger",
                    outline=True,
                    size="sm",
                    className="mt-2",
                ),
            ]
        ),
        download=f"{PAGE}-table",
        note=scope + " Withdrawn requests stay on record with their status.",
    )
    return html.Div(
        [
            page_header(
                "Placement requests",
                "Learners of a cohort to be placed in a block, and what became of them.",
            ),
            dbc.Row(filters),
            html.Div(id=f"{PAGE}-message"),
            dcc.Store(id=f"{PAGE}-refresh", data=0),
            form,
            table,
        ]
    )


def _read(
    principal: Principal, blocks: list[str] | None, status: list[str] | None, heis: Any
) -> Any:
    with Session(app_engine()) as session:
        return requests_register(
            session,
            principal=principal,
            blocks=blocks or [],
            status=status or [],
            heis=heis if isinstance(heis, list) else [],
        )


@callback(
    Output(f"{PAGE}-grid", "rowData"),
    Input(f"{PAGE}-blocks", "value"),
    Input(f"{PAGE}-status", "value"),
    Input(f"{PAGE}-heis", "value"),
    Input(f"{PAGE}-refresh", "data"),
)
def load_requests(
    blocks: list[str] | None, status: list[str] | None, heis: Any, _refresh: int | None
) -> Any:
    principal = callback_principal(PAGE)
    return ui.records(_read(principal, blocks, status, heis))


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-refresh", "data"),
    Input(f"{PAGE}-submit", "n_clicks"),
    Input(f"{PAGE}-withdraw", "n_clicks"),
    State(f"{PAGE}-cohort", "value"),
    State(f"{PAGE}-block", "value"),
    State(f"{PAGE}-learners", "value"),
    State(f"{PAGE}-sector", "value"),
    State(f"{PAGE}-grid", "selectedRows"),
    State(f"{PAGE}-refresh", "data"),
    prevent_initial_call=True,
)
def change_request(
    _submit: int | None,
    _withdraw: int | None,
    cohort: int | None,
    block: str | None,
    learners: Any,
    sector: str | None,
    selected: list[RequestRow] | None,
    refresh: int | None,
) -> Any:
    principal = callback_principal(PAGE)
    try:
        with session_scope(app_engine()) as session:
            if ctx.triggered_id == f"{PAGE}-withdraw":
                if not selected:
                    raise SaveRefused(["select a request in the table first"])
                row = selected[0]
                done = withdraw_request(
                    session,
                    principal=principal,
                    request_id=int(row["id"]),
                    version=int(row["version"]),
                )
                text = f"Request {done.code} withdrawn."
            else:
                missing = [
                    name
                    for name, value in (
                        ("cohort", cohort),
                        ("block", block),
                        ("learners", learners),
                    )
                    if not value
                ]
                if missing:
                    raise SaveRefused([f"{m}: required" for m in missing])
                made = submit_request(
                    session,
                    principal=principal,
                    cohort_id=int(cohort or 0),
                    block=str(block),
                    learners=learners,
                    sector=sector,
                )
                text = f"Request {made.code} submitted for {made.learners} learners."
    except (SaveRefused, AccessDenied) as refused:
        problems = getattr(refused, "problems", [str(refused)])
        return ui.result_alert("Nothing was saved:", problems, ok=False), dash.no_update
    return ui.result_alert(text), (refresh or 0) + 1


@callback(
    Output(f"{PAGE}-table-download", "data"),
    Input(f"{PAGE}-table-csv", "n_clicks"),
    Input(f"{PAGE}-table-xlsx", "n_clicks"),
    State(f"{PAGE}-blocks", "value"),
    State(f"{PAGE}-status", "value"),
    State(f"{PAGE}-heis", "value"),
    prevent_initial_call=True,
)
def download_requests(
    _csv: int | None,
    _xlsx: int | None,
    blocks: list[str] | None,
    status: list[str] | None,
    heis: Any,
) -> Any:
    principal = callback_principal(PAGE)
    frame = _read(principal, blocks, status, heis)[SHOWN]
    fmt = "xlsx" if ctx.triggered_id == f"{PAGE}-table-xlsx" else "csv"
    return ui.send_frame(
        frame,
        fmt=fmt,
        filename="placement-requests",
        note="Placement requests as filtered on the Requests page.",
    )
