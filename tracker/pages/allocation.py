"""Allocation workspace: run, review, adjust, compare, what-if and approve placement plans.

A run is queued by an ordinary callback (which knows the signed-in user and writes the run
row), then solved by a Dash background callback that receives only a signed run id: it works
the same with the disk cache manager and with Celery workers, where there is no web request.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from sqlmodel import Session
from typing_extensions import TypedDict

from tracker.access import Principal
from tracker.auth import app_engine
from tracker.components import callback_principal, graph, page_guard, page_header
from tracker.db import session_scope
from tracker.jobs import job_engine
from tracker.models import Sector
from tracker.pages import _allocation_ui as ui
from tracker.queries.run_review import compare_runs, run_review
from tracker.queries.runs import (
    get_run,
    named_learners,
    run_history,
    run_plan,
    scope_choices,
    settings_for_move,
)
from tracker.services.allocation import AllocationRefused
from tracker.services.named_learners import assign_named_learners
from tracker.services.placements import approve_run
from tracker.services.plans import move_learners, pin_placement
from tracker.services.run_jobs import execute_run
from tracker.services.runs import cancel_run, create_run, create_scenario, rerun_close_to
from tracker.snapshots import CapacityChange

PAGE = "allocation"
dash.register_page(__name__, path="/allocation", name="Allocation", order=30, access=PAGE)


class QueuedRun(TypedDict):
    """The queued-run store: which run, and the token that proves this app queued it."""

    run_id: int
    token: str


HISTORY = [
    "run_id",
    "name",
    "status",
    "what_if",
    "parent",
    "blocks",
    "programmes",
    "requested",
    "placed",
    "min_hei_fill",
    "moved",
    "seconds",
    "created_by",
    "created_at",
]
PLAN = [
    "placement_id",
    "hei",
    "request",
    "programme",
    "block",
    "setting",
    "setting_name",
    "sector",
    "learners",
    "pinned",
    "distance_km",
]
UNMET = ["request_id", "hei", "programme", "block", "learners", "reason"]
BOTTLENECKS = [
    "setting_id",
    "block",
    "sector",
    "places",
    "placed",
    "unmet_in_reach",
    "supervisors_to_add",
]
NAMED = ["learner", "hei", "request", "setting", "setting_name", "sector", "block", "status"]


def _secret() -> str:
    return str(dash.get_app().server.config["SECRET_KEY"])


def _run_form(blocks: list[dict[str, str]], programmes: list[dict[str, str]]) -> Any:
    return ui.card(
        "Run an allocation",
        [
            dbc.Row(
                [
                    ui.field(
                        "Blocks",
                        dcc.Dropdown(
                            id=f"{PAGE}-blocks",
                            options=blocks,
                            multi=True,
                            placeholder="Choose blocks",
                        ),
                        4,
                    ),
                    ui.field(
                        "Programmes (empty: all)",
                        dcc.Dropdown(
                            id=f"{PAGE}-programmes",
                            options=programmes,
                            multi=True,
                            placeholder="All programmes",
                        ),
                        4,
                    ),
                    ui.field(
                        "Distance limit (km)",
                        dbc.Input(
                            id=f"{PAGE}-distance", type="number", min=1, step=1, placeholder="None"
                        ),
                        2,
                    ),
                    ui.field(
                        "Solver",
                        dbc.Select(
                            id=f"{PAGE}-solver",
                            value="highs",
                            options=[
                                {"label": "HiGHS", "value": "highs"},
                                {"label": "CBC", "value": "cbc"},
                            ],
                        ),
                        2,
                    ),
                ]
            ),
            dbc.Row(
                [
                    ui.field("Name (optional)", dbc.Input(id=f"{PAGE}-name", maxLength=200), 4),
                    dbc.Col(
                        [
                            dbc.Button(
                                "Run allocation",
                                id=f"{PAGE}-run",
                                color="primary",
                                className="me-2",
                            ),
                            dbc.Button(
                                "Cancel",
                                id=f"{PAGE}-cancel",
                                color="secondary",
                                outline=True,
                                disabled=True,
                            ),
                        ],
                        md=4,
                        className="d-flex align-items-end mb-2",
                    ),
                    dbc.Col(
                        dbc.Progress(
                            id=f"{PAGE}-progress",
                            value=0,
                            label="",
                            striped=True,
                            style={"height": "1.4rem"},
                        ),
                        md=4,
                        className="d-flex align-items-end mb-2 flex-column justify-content-end",
                    ),
                ]
            ),
            html.Div(id=f"{PAGE}-run-message"),
        ],
    )


def _review() -> Any:
    actions = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Button(
                        "Re-run close to this plan",
                        id=f"{PAGE}-rerun",
                        size="sm",
                        color="primary",
                        outline=True,
                        className="me-2 mb-1",
                    ),
                    dbc.Button(
                        "Assign named learners",
                        id=f"{PAGE}-assign",
                        size="sm",
                        color="primary",
                        outline=True,
                        className="me-2 mb-1",
                    ),
                    dbc.Button(
                        "Approve and publish",
                        id=f"{PAGE}-approve",
                        size="sm",
                        color="success",
                        className="me-2 mb-1",
                    ),
                    dbc.Checkbox(
                        id=f"{PAGE}-supersede",
                        label="supersede an approved run",
                        value=False,
                        className="d-inline-block small",
                    ),
                ],
                md=12,
            ),
        ]
    )
    what_if = dbc.Row(
        [
            ui.field(
                "What-if: sector",
                dcc.Dropdown(
                    id=f"{PAGE}-whatif-sector",
                    value=Sector.CARE_HOME.value,
                    clearable=False,
                    options=[
                        {"label": s.value.replace("_", " "), "value": s.value} for s in Sector
                    ],
                ),
                3,
            ),
            ui.field(
                "Supervisors to add per setting",
                dbc.Input(id=f"{PAGE}-whatif-add", type="number", value=1, step=1),
                3,
            ),
            dbc.Col(
                dbc.Button(
                    "Run what-if on a copy",
                    id=f"{PAGE}-whatif",
                    size="sm",
                    color="secondary",
                    outline=True,
                ),
                md=3,
                className="d-flex align-items-end mb-2",
            ),
        ]
    )
    plan_tab = html.Div(
        [
            ui.grid(f"{PAGE}-plan", PLAN, height=380, row_id="placement_id", selectable=True),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Button(
                            "Pin / unpin selected",
                            id=f"{PAGE}-pin",
                            size="sm",
                            color="secondary",
                            outline=True,
                        ),
                        md=2,
                        className="d-flex align-items-end mb-2",
                    ),
                    ui.field(
                        "Move selected learners to",
                        dcc.Dropdown(id=f"{PAGE}-move-to", placeholder="Setting"),
                        5,
                    ),
                    ui.field(
                        "Learners",
                        dbc.Input(id=f"{PAGE}-move-n", type="number", min=1, step=1, value=1),
                        2,
                    ),
                    dbc.Col(
                        dbc.Button(
                            "Move", id=f"{PAGE}-move", size="sm", color="secondary", outline=True
                        ),
                        md=2,
                        className="d-flex align-items-end mb-2",
                    ),
                ],
                className="mt-2",
            ),
        ]
    )
    tabs = dbc.Tabs(
        [
            dbc.Tab(plan_tab, label="Plan", tab_id="plan"),
            dbc.Tab(
                [
                    graph(f"{PAGE}-hei-chart", filename="hei-fill"),
                    ui.grid(
                        f"{PAGE}-hei-grid", ["hei", "requested", "placed", "fill_ratio"], height=250
                    ),
                ],
                label="By HEI",
                tab_id="hei",
            ),
            dbc.Tab(
                [
                    graph(f"{PAGE}-sector-chart", filename="sector-utilisation"),
                    ui.grid(
                        f"{PAGE}-sector-grid",
                        ["sector", "places", "placed", "utilisation"],
                        height=250,
                    ),
                ],
                label="By sector",
                tab_id="sector",
            ),
            dbc.Tab(
                ui.grid(
                    f"{PAGE}-setting-grid",
                    ["setting", "sector", "block", "places", "placed", "utilisation"],
                ),
                label="By setting",
                tab_id="setting",
            ),
            dbc.Tab(ui.grid(f"{PAGE}-unmet-grid", UNMET), label="Unmet", tab_id="unmet"),
            dbc.Tab(
                [
                    html.P(
                        "Full settings where one more supervisor would place more learners, "
                        "most unmet learners in reach first.",
                        className="small text-muted",
                    ),
                    ui.grid(f"{PAGE}-bottleneck-grid", BOTTLENECKS),
                ],
                label="Bottlenecks",
                tab_id="bottlenecks",
            ),
            dbc.Tab(
                [
                    dcc.Dropdown(id=f"{PAGE}-named-hei", placeholder="All HEIs", className="mb-2"),
                    ui.grid(f"{PAGE}-named-grid", NAMED),
                ],
                label="Named learners",
                tab_id="named",
            ),
            dbc.Tab(
                [
                    dcc.Dropdown(
                        id=f"{PAGE}-compare-with", placeholder="Compare with run…", className="mb-2"
                    ),
                    html.Div(id=f"{PAGE}-compare-summary"),
                    ui.grid(
                        f"{PAGE}-compare-figures",
                        [
                            "run_id",
                            "name",
                            "requested",
                            "placed",
                            "min_hei_fill",
                            "max_sector_utilisation",
                            "learner_km",
                            "unmet",
                        ],
                        height=130,
                    ),
                    html.H3("What changed", className="h6 mt-3"),
                    ui.grid(
                        f"{PAGE}-compare-changes",
                        ["hei", "request", "block", "setting", "sector", "a", "b", "change"],
                        height=280,
                    ),
                    html.H3("Named learners who moved", className="h6 mt-3"),
                    ui.grid(
                        f"{PAGE}-compare-named",
                        ["learner", "hei", "setting_a", "setting_b"],
                        height=200,
                    ),
                ],
                label="Compare",
                tab_id="compare",
            ),
        ],
        id=f"{PAGE}-tabs",
        active_tab="plan",
    )
    return ui.card(
        "Review",
        [
            html.Div(id=f"{PAGE}-summary"),
            actions,
            what_if,
            html.Div(id=f"{PAGE}-action-message"),
            tabs,
        ],
        card_id=f"{PAGE}-review",
    )


@page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with Session(app_engine()) as session:
        blocks, programmes = scope_choices(session)
    return html.Div(
        [
            page_header(
                "Allocation",
                "Run the fair allocator on the registers, review and adjust "
                "the plan, compare alternatives and publish it.",
            ),
            dcc.Store(id=f"{PAGE}-queued"),
            dcc.Store(id=f"{PAGE}-done"),
            dcc.Store(id=f"{PAGE}-selected"),
            dcc.Store(id=f"{PAGE}-changed", data=0),
            _run_form(blocks, programmes),
            ui.card(
                "Run history",
                ui.grid(f"{PAGE}-history", HISTORY, height=260, row_id="run_id", selectable=True),
            ),
            _review(),
        ]
    )


# --- running --------------------------------------------------------------------------------


@callback(
    Output(f"{PAGE}-queued", "data"),
    Output(f"{PAGE}-run-message", "children"),
    Input(f"{PAGE}-run", "n_clicks"),
    State(f"{PAGE}-blocks", "value"),
    State(f"{PAGE}-programmes", "value"),
    State(f"{PAGE}-distance", "value"),
    State(f"{PAGE}-solver", "value"),
    State(f"{PAGE}-name", "value"),
    prevent_initial_call=True,
)
def queue_run(
    _clicks: int | None,
    blocks: list[str] | None,
    programmes: list[str] | None,
    distance: float | None,
    solver: str | None,
    name: str | None,
) -> Any:
    principal = callback_principal(PAGE)
    policy = {"max_distance_km": float(distance) if distance else None, "solver": solver or "highs"}
    try:
        with session_scope(app_engine()) as session:
            run_id = create_run(
                session,
                principal=principal,
                blocks=blocks or [],
                programmes=programmes or [],
                policy=policy,
                name=name or "",
            )
    except AllocationRefused as exc:
        return no_update, ui.message(str(exc), "warning")
    return _queued(run_id), ui.message(f"Run {run_id} queued.", "info")


def _queued(run_id: int) -> dict[str, Any]:
    return {"run_id": run_id, "token": ui.run_token(_secret(), run_id)}


@callback(
    Output(f"{PAGE}-done", "data"),
    Output(f"{PAGE}-run-message", "children", allow_duplicate=True),
    Input(f"{PAGE}-queued", "data"),
    background=True,
    progress=[Output(f"{PAGE}-progress", "value"), Output(f"{PAGE}-progress", "label")],
    running=[
        (Output(f"{PAGE}-run", "disabled"), True, False),
        (Output(f"{PAGE}-cancel", "disabled"), False, True),
    ],
    cancel=[Input(f"{PAGE}-cancel", "n_clicks")],
    prevent_initial_call=True,
)
def execute_queued(set_progress: Any, queued: QueuedRun | None) -> Any:
    run_id = ui.token_run_id(_secret(), queued)
    if run_id is None:
        return no_update, no_update
    set_progress((2, "starting"))

    def report(fraction: float, message: str) -> None:
        set_progress((max(2, round(fraction * 100)), message))

    engine = job_engine()
    try:
        status = execute_run(engine, run_id, progress=report)
    finally:
        engine.dispose()
    set_progress((100, f"run {run_id} {status}"))
    color = "success" if status == "succeeded" else "warning"
    return ({"run_id": run_id, "status": status}, ui.message(f"Run {run_id} {status}.", color))


@callback(
    Output(f"{PAGE}-run-message", "children", allow_duplicate=True),
    Output(f"{PAGE}-changed", "data", allow_duplicate=True),
    Input(f"{PAGE}-cancel", "n_clicks"),
    State(f"{PAGE}-queued", "data"),
    State(f"{PAGE}-changed", "data"),
    prevent_initial_call=True,
)
def cancel_queued(_clicks: int | None, queued: QueuedRun | None, changed: int | None) -> Any:
    principal = callback_principal(PAGE)
    if not queued:
        return no_update, no_update
    try:
        with session_scope(app_engine()) as session:
            cancel_run(session, principal=principal, run_id=int(queued["run_id"]))
    except AllocationRefused as exc:
        return ui.message(str(exc), "warning"), no_update
    return ui.message(f"Run {queued['run_id']} cancelled: nothing was stored.", "secondary"), (
        changed or 0
    ) + 1


# --- history and selection ------------------------------------------------------------------


@callback(
    Output(f"{PAGE}-history", "rowData"),
    Input(f"{PAGE}-done", "data"),
    Input(f"{PAGE}-changed", "data"),
    Input(f"{PAGE}-queued", "data"),
)
def load_history(_done: Any, _changed: Any, _queued: Any) -> Any:
    principal = callback_principal(PAGE)
    with Session(app_engine()) as session:
        return ui.records(run_history(session, principal=principal))


@callback(
    Output(f"{PAGE}-selected", "data"),
    Input(f"{PAGE}-history", "selectedRows"),
    Input(f"{PAGE}-done", "data"),
    prevent_initial_call=True,
)
def select_run(rows: list[dict[str, Any]] | None, done: dict[str, Any] | None) -> Any:
    if ctx.triggered_id == f"{PAGE}-done":
        return done.get("run_id") if done else no_update
    return rows[0]["run_id"] if rows else no_update


@callback(
    Output(f"{PAGE}-summary", "children"),
    Output(f"{PAGE}-plan", "rowData"),
    Output(f"{PAGE}-hei-chart", "figure"),
    Output(f"{PAGE}-hei-grid", "rowData"),
    Output(f"{PAGE}-sector-chart", "figure"),
    Output(f"{PAGE}-sector-grid", "rowData"),
    Output(f"{PAGE}-setting-grid", "rowData"),
    Output(f"{PAGE}-unmet-grid", "rowData"),
    Output(f"{PAGE}-bottleneck-grid", "rowData"),
    Output(f"{PAGE}-named-hei", "options"),
    Output(f"{PAGE}-compare-with", "options"),
    Input(f"{PAGE}-selected", "data"),
    Input(f"{PAGE}-changed", "data"),
)
def show_run(run_id: int | None, _changed: Any) -> Any:
    principal = callback_principal(PAGE)
    empty = ui.bar_chart(pd.DataFrame(), "x", "y", title="")
    if not run_id:
        return (
            html.P("Run an allocation or choose one in the history.", className="text-muted"),
            [],
            empty,
            [],
            empty,
            [],
            [],
            [],
            [],
            [],
            [],
        )
    with Session(app_engine()) as session:
        run = get_run(session, principal=principal, run_id=run_id)
        if run is None:
            raise dash.exceptions.PreventUpdate
        plan = run_plan(session, principal=principal, run_id=run_id)
        review = run_review(session, principal=principal, run_id=run_id)
        others = run_history(session, principal=principal)
    summary = _summary(run, plan["learners"].sum() if len(plan) else 0)
    compare_options = [
        {"label": f"{r.run_id} · {r.name} ({r.status})", "value": r.run_id}
        for r in others.itertuples()
        if r.run_id != run_id and r.status in ("succeeded", "approved")
    ]
    heis = [{"label": h, "value": h} for h in sorted(review.by_hei["hei"].astype(str))]
    return (
        summary,
        ui.records(plan),
        ui.bar_chart(review.by_hei, "hei", "fill_ratio", title="Fill ratio per HEI"),
        ui.records(review.by_hei),
        ui.bar_chart(
            review.by_sector, "sector", "utilisation", title="Utilisation of places per sector"
        ),
        ui.records(review.by_sector),
        ui.records(review.by_setting),
        ui.records(review.unmet),
        ui.records(review.bottlenecks),
        heis,
        compare_options,
    )


def _summary(run: Any, placed: int) -> Any:
    levels = run.figures.get("levels", {})
    colour = {
        "succeeded": "primary",
        "approved": "success",
        "failed": "danger",
        "cancelled": "secondary",
    }.get(run.status, "info")
    facts = [
        html.Span(run.status, className=f"badge bg-{colour} me-2", id=f"{PAGE}-status"),
        html.Strong(f"Run {run.id}: {run.name}", className="me-2"),
    ]
    if run.is_scenario:
        changes = run.inputs.get("capacity_changes", [])
        facts.append(
            html.Span(
                "what-if: " + "; ".join(CapacityChange.from_dict(c).describe() for c in changes),
                className="badge bg-warning text-dark me-2",
            )
        )
    body: list[Any] = [html.Div(facts, className="mb-2")]
    if levels:
        body.append(
            html.P(
                f"{placed:,} of {levels.get('requested', 0):,} learners placed; lowest HEI fill "
                f"{levels.get('min_hei_fill', 0):.0%}; highest sector use "
                f"{levels.get('max_sector_utilisation', 0):.0%}; "
                f"{levels.get('learner_km', 0):,.0f} learner-km"
                + (
                    f"; {levels['moved_learners']} learners moved from the previous plan"
                    if levels.get("moved_learners") is not None
                    else ""
                )
                + f". Solver {run.figures.get('solver', run.solver)} in {run.seconds or 0:.1f} s; "
                f"by {run.created_by}.",
                className="small mb-1",
                id=f"{PAGE}-figures",
            )
        )
    if run.figures.get("adjusted"):
        body.append(
            html.P(
                f"{run.figures['adjusted']} learners moved by hand; figures above "
                "are the solver's, the tabs show the adjusted plan.",
                className="small text-muted mb-1",
            )
        )
    if run.error:
        body.append(dbc.Alert(run.error, color="danger", className="py-2"))
    for problem in run.figures.get("problems", [])[:20]:
        body.append(html.Div(problem, className="small text-danger"))
    for note in run.figures.get("messages", []):
        body.append(html.Div(note, className="small text-muted"))
    return html.Div(body)


# --- adjusting and publishing -----------------------------------------------------------------


@callback(
    Output(f"{PAGE}-move-to", "options"),
    Output(f"{PAGE}-move-n", "max"),
    Input(f"{PAGE}-plan", "selectedRows"),
    State(f"{PAGE}-selected", "data"),
    prevent_initial_call=True,
)
def load_move_targets(rows: list[dict[str, Any]] | None, run_id: int | None) -> Any:
    principal = callback_principal(PAGE)
    if not rows or not run_id:
        return [], None
    with Session(app_engine()) as session:
        options = settings_for_move(
            session, principal=principal, run_id=run_id, placement_id=int(rows[0]["placement_id"])
        )
    return options, rows[0]["learners"]


@callback(
    Output(f"{PAGE}-action-message", "children"),
    Output(f"{PAGE}-changed", "data"),
    Output(f"{PAGE}-queued", "data", allow_duplicate=True),
    Input(f"{PAGE}-pin", "n_clicks"),
    Input(f"{PAGE}-move", "n_clicks"),
    Input(f"{PAGE}-rerun", "n_clicks"),
    Input(f"{PAGE}-whatif", "n_clicks"),
    Input(f"{PAGE}-assign", "n_clicks"),
    Input(f"{PAGE}-approve", "n_clicks"),
    State(f"{PAGE}-selected", "data"),
    State(f"{PAGE}-plan", "selectedRows"),
    State(f"{PAGE}-move-to", "value"),
    State(f"{PAGE}-move-n", "value"),
    State(f"{PAGE}-whatif-sector", "value"),
    State(f"{PAGE}-whatif-add", "value"),
    State(f"{PAGE}-supersede", "value"),
    State(f"{PAGE}-changed", "data"),
    prevent_initial_call=True,
)
def act_on_run(*args: Any) -> Any:
    principal = callback_principal(PAGE)
    run_id, rows, move_to, move_n, sector, add, supersede, changed = args[6:]
    if not run_id:
        return ui.message("Choose a run first.", "warning"), no_update, no_update
    action = ctx.triggered_id
    queued: Any = no_update
    try:
        with session_scope(app_engine()) as session:
            if action in (f"{PAGE}-pin", f"{PAGE}-move"):
                if not rows:
                    return (
                        ui.message("Select a placement in the plan first.", "warning"),
                        no_update,
                        no_update,
                    )
                row = rows[0]
                if action == f"{PAGE}-pin":
                    pin_placement(
                        session,
                        principal=principal,
                        placement_id=int(row["placement_id"]),
                        pinned=not row.get("pinned"),
                    )
                    text = (
                        f"Placement {row['placement_id']} "
                        f"{'unpinned' if row.get('pinned') else 'pinned'}."
                    )
                else:
                    if not move_to:
                        return (
                            ui.message("Choose the setting to move to.", "warning"),
                            no_update,
                            no_update,
                        )
                    move_learners(
                        session,
                        principal=principal,
                        placement_id=int(row["placement_id"]),
                        to_setting_id=int(move_to),
                        learners=int(move_n or 1),
                    )
                    text = f"Moved {int(move_n or 1)} learner(s); the move is pinned."
            elif action == f"{PAGE}-rerun":
                new_id = rerun_close_to(session, principal=principal, run_id=int(run_id))
                queued, text = new_id, f"Run {new_id} queued: close to run {run_id}."
            elif action == f"{PAGE}-whatif":
                new_id = create_scenario(
                    session,
                    principal=principal,
                    run_id=int(run_id),
                    capacity_changes=[CapacityChange(sector=sector, add_supervisors=int(add or 0))],
                )
                queued, text = new_id, f"What-if run {new_id} queued on a copy of the inputs."
            elif action == f"{PAGE}-assign":
                summary = assign_named_learners(session, principal=principal, run_id=int(run_id))
                text = (
                    f"{summary['placed']} of {summary['learners']} learners named; "
                    f"{summary['without_place']} without a place."
                )
            else:
                count = approve_run(
                    session, principal=principal, run_id=int(run_id), supersede=bool(supersede)
                )
                text = (
                    f"Run {run_id} approved: {count} placements confirmed and visible to "
                    "HEIs and settings."
                )
    except AllocationRefused as exc:
        return ui.message(str(exc), "warning"), no_update, no_update
    if queued is not no_update:
        queued = _queued(int(queued))
    return ui.message(text, "success"), (changed or 0) + 1, queued


@callback(
    Output(f"{PAGE}-named-grid", "rowData"),
    Input(f"{PAGE}-named-hei", "value"),
    Input(f"{PAGE}-selected", "data"),
    Input(f"{PAGE}-changed", "data"),
)
def load_named(hei: str | None, run_id: int | None, _changed: Any) -> Any:
    principal = callback_principal(PAGE)
    if not run_id:
        return []
    with Session(app_engine()) as session:
        return ui.records(named_learners(session, principal=principal, run_id=int(run_id), hei=hei))


@callback(
    Output(f"{PAGE}-compare-summary", "children"),
    Output(f"{PAGE}-compare-figures", "rowData"),
    Output(f"{PAGE}-compare-changes", "rowData"),
    Output(f"{PAGE}-compare-named", "rowData"),
    Input(f"{PAGE}-compare-with", "value"),
    State(f"{PAGE}-selected", "data"),
    prevent_initial_call=True,
)
def compare_with(other: int | None, run_id: int | None) -> Any:
    principal = callback_principal(PAGE)
    if not other or not run_id:
        return None, [], [], []
    with Session(app_engine()) as session:
        result = compare_runs(session, principal=principal, run_a=int(other), run_b=int(run_id))
    text = (
        f"A = run {other}, B = run {run_id}: {result.moved} learners of A are not where A "
        f"put them in B; {len(result.changes)} request/setting rows changed."
    )
    return (
        html.P(text, className="small", id=f"{PAGE}-compare-text"),
        ui.records(result.figures),
        ui.records(result.changes),
        ui.records(result.named_moves),
    )
