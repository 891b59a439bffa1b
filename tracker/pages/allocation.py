"""Allocation workspace: run, review, adjust, compare, what-if and approve placement plans.

A run is queued by an ordinary callback (which knows the signed-in user and writes the run
row), then solved by a Dash background callback that receives only a signed run id: it works
the same with the disk cache manager and with Celery workers, where there is no web request.
"""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from typing_extensions import TypedDict

from tracker import components as ui
from tracker.access import Principal
from tracker.callback_inputs import IsoDate
from tracker.pages._allocation_actions import ACTIONS, Choices
from tracker.pages._allocation_explanation import explanation_view
from tracker.pages._allocation_form import form_window, run_form
from tracker.pages._allocation_layout import HISTORY, PAGE, review
from tracker.pages._allocation_summary import run_summary
from tracker.queries.move_targets import settings_for_move
from tracker.queries.run_explanation import run_explanation
from tracker.queries.run_review import compare_runs, run_review
from tracker.queries.runs import (
    approval_preview,
    get_run,
    run_history,
    run_plan,
    scope_choices,
)
from tracker.refusals import Refused
from tracker.services.run_jobs import execute_run
from tracker.services.runs import cancel_run, create_run

dash.register_page(__name__, path="/allocation", name="Allocation", order=30, access=PAGE)

#: The review's grids, in the order the chosen run fills them.
REVIEW_GRIDS = (
    "plan",
    "hei-grid",
    "makeup-grid",
    "sector-grid",
    "setting-grid",
    "unmet-grid",
    "bottleneck-grid",
)


class QueuedRun(TypedDict):
    """The queued-run store: which run, and the token that proves this app queued it."""

    run_id: int
    token: str


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        blocks, programmes = scope_choices(session)
    return html.Div(
        [
            ui.page_header(
                "Allocation",
                "Run the fair allocator on the registers, review and adjust "
                "the plan, compare alternatives and publish it.",
            ),
            dcc.Store(id=f"{PAGE}-queued"),
            dcc.Store(id=f"{PAGE}-done"),
            dcc.Store(id=f"{PAGE}-selected"),
            dcc.Store(id=f"{PAGE}-changed", data=0),
            run_form(blocks, programmes),
            ui.card(
                "Run history",
                ui.grid(f"{PAGE}-history", HISTORY, height=260, row_id="run_id", selectable=True),
            ),
            review(),
        ]
    )


# --- running --------------------------------------------------------------------------------


@callback(
    Output(f"{PAGE}-queued", "data"),
    *ui.children(PAGE, "run-message"),
    Output(f"{PAGE}-progress", "value", allow_duplicate=True),
    Output(f"{PAGE}-action-message", "children", allow_duplicate=True),
    *ui.clicks(PAGE, "run"),
    *ui.states(PAGE, "blocks", "programmes", "distance", "solver", "review", "name"),
    *ui.states(PAGE, "mode", "window-start", "window-end"),
    prevent_initial_call=True,
)
def queue_run(
    _clicks: int | None,
    blocks: list[str] | None,
    programmes: list[str] | None,
    distance: float | None,
    solver: str | None,
    review: str | None,
    name: str | None,
    mode: str | None,
    window_start: IsoDate | None,
    window_end: IsoDate | None,
) -> Any:
    principal = ui.callback_principal(PAGE)
    policy = {
        "max_distance_km": float(distance) if distance else None,
        "solver": solver or "highs",
        "quality_review": review or "no_new_learners",
    }
    try:
        window = form_window(window_start, window_end) if mode == "calendars" else None
        with ui.writing() as session:
            run_id = create_run(
                session,
                principal=principal,
                blocks=blocks or [],
                programmes=programmes or [],
                policy=policy,
                name=name or "",
                on_calendars=mode == "calendars",
                window=window,
            )
    except Refused as exc:
        return no_update, ui.message(str(exc), "warning"), no_update, no_update
    # A new run: the bar starts again and the last run's outcomes go (they were about it).
    return _queued(run_id), ui.message(f"Run {run_id} queued.", "info"), 0, None


def _queued(run_id: int) -> dict[str, Any]:
    return {"run_id": run_id, "token": ui.run_token(ui.app_secret(), run_id)}


@callback(
    Output(f"{PAGE}-done", "data"),
    Output(f"{PAGE}-run-message", "children", allow_duplicate=True),
    *ui.stores(PAGE, "queued"),
    background=True,
    progress=[Output(f"{PAGE}-progress", "value"), Output(f"{PAGE}-run-message", "children")],
    running=[
        (Output(f"{PAGE}-run", "disabled"), True, False),
        (Output(f"{PAGE}-cancel", "disabled"), False, True),
    ],
    cancel=[Input(f"{PAGE}-cancel", "n_clicks")],
    prevent_initial_call=True,
)
def execute_queued(set_progress: Any, queued: QueuedRun | None) -> Any:
    run_id = ui.token_run_id(ui.app_secret(), queued)
    if run_id is None:
        return no_update, no_update

    def report(fraction: float, stage: str) -> None:
        # The bar and the words under it change together, so "queued" never stays beside a
        # bar that is storing the plan.
        set_progress((max(2, round(fraction * 100)), ui.message(f"Run {run_id}: {stage}…")))

    report(0, "starting")
    with ui.job_database() as engine:
        status = execute_run(engine, run_id, progress=report)
    color = "success" if status == "succeeded" else "warning"
    outcome = ui.message(f"Run {run_id} {status}.", color)
    set_progress((100, outcome))
    return {"run_id": run_id, "status": status}, outcome


@callback(
    Output(f"{PAGE}-run-message", "children", allow_duplicate=True),
    Output(f"{PAGE}-changed", "data", allow_duplicate=True),
    *ui.clicks(PAGE, "cancel"),
    *ui.stored(PAGE, "queued", "changed"),
    prevent_initial_call=True,
)
def cancel_queued(_clicks: int | None, queued: QueuedRun | None, changed: int | None) -> Any:
    principal = ui.callback_principal(PAGE)
    if not queued:
        return no_update, no_update
    try:
        with ui.writing() as session:
            cancel_run(session, principal=principal, run_id=int(queued["run_id"]))
    except Refused as exc:
        return ui.message(str(exc), "warning"), no_update
    return ui.message(f"Run {queued['run_id']} cancelled: nothing was stored.", "secondary"), (
        changed or 0
    ) + 1


# --- history and selection ------------------------------------------------------------------


@callback(
    *ui.grid_rows(PAGE, "history"),
    *ui.stores(PAGE, "done", "changed", "queued"),
)
def load_history(_done: Any, _changed: Any, _queued: Any) -> Any:
    principal = ui.callback_principal(PAGE)
    with ui.reading() as session:
        return ui.records(run_history(session, principal=principal))


@callback(
    Output(f"{PAGE}-selected", "data"),
    Input(f"{PAGE}-history", "selectedRows"),
    *ui.stores(PAGE, "done"),
    prevent_initial_call=True,
)
def select_run(rows: list[dict[str, Any]] | None, done: dict[str, Any] | None) -> Any:
    if ctx.triggered_id == f"{PAGE}-done":
        return done.get("run_id") if done else no_update
    return rows[0]["run_id"] if rows else no_update


@callback(
    *ui.children(PAGE, "summary", "explanation"),
    Output(f"{PAGE}-hei-chart", "figure"),
    Output(f"{PAGE}-sector-chart", "figure"),
    *ui.grid_rows(PAGE, *REVIEW_GRIDS),
    Output(f"{PAGE}-named-hei", "options"),
    Output(f"{PAGE}-compare-with", "options"),
    *ui.stores(PAGE, "selected", "changed"),
)
def show_run(run_id: int | None, _changed: Any) -> Any:
    principal = ui.callback_principal(PAGE)
    empty = ui.ratio_bars(pd.DataFrame(), "x", "y", title="")
    if not run_id:
        return (
            html.P("Run an allocation or choose one in the history.", className="text-muted"),
            None,
            empty,
            empty,
            *[[] for _ in REVIEW_GRIDS],
            [],
            [],
        )
    with ui.reading() as session:
        run = get_run(session, principal=principal, run_id=run_id)
        if run is None:
            raise dash.exceptions.PreventUpdate
        plan = run_plan(session, principal=principal, run_id=run_id)
        review = run_review(session, principal=principal, run_id=run_id)
        explanation = run_explanation(session, principal=principal, run_id=run_id)
        others = run_history(session, principal=principal)
    summary = run_summary(run, plan["learners"].sum() if len(plan) else 0)
    compare_options = [
        {"label": f"{r.run_id} · {r.name} ({r.status})", "value": r.run_id}
        for r in others.itertuples()
        if r.run_id != run_id and r.status in ("succeeded", "approved")
    ]
    heis = [{"label": h, "value": h} for h in sorted(review.by_hei["hei"].astype(str))]
    return (
        summary,
        explanation_view(explanation),
        ui.ratio_bars(review.by_hei, "hei", "fill_ratio", title="Fill ratio per HEI"),
        ui.ratio_bars(
            review.by_sector, "sector", "utilisation", title="Utilisation of places per sector"
        ),
        *[
            ui.records(frame)
            for frame in (
                plan,
                review.by_hei,
                review.makeup,
                review.by_sector,
                review.by_setting,
                review.unmet,
                review.bottlenecks,
            )
        ],
        heis,
        compare_options,
    )


# --- adjusting and publishing -----------------------------------------------------------------


@callback(
    Output(f"{PAGE}-move-to", "options"),
    Output(f"{PAGE}-move-n", "max"),
    Input(f"{PAGE}-plan", "selectedRows"),
    *ui.stored(PAGE, "selected"),
    prevent_initial_call=True,
)
def load_move_targets(rows: list[dict[str, Any]] | None, run_id: int | None) -> Any:
    principal = ui.callback_principal(PAGE)
    if not rows or not run_id:
        return [], None
    with ui.reading() as session:
        options = settings_for_move(
            session, principal=principal, run_id=run_id, placement_id=int(rows[0]["placement_id"])
        )
    return options, rows[0]["learners"]


@callback(
    *ui.children(PAGE, "action-message"),
    Output(f"{PAGE}-changed", "data"),
    Output(f"{PAGE}-queued", "data", allow_duplicate=True),
    *ui.clicks(PAGE, "pin", "move", "rerun", "whatif", "assign", "approve-confirm"),
    *ui.stored(PAGE, "selected"),
    State(f"{PAGE}-plan", "selectedRows"),
    *ui.states(PAGE, "move-to", "move-n", "whatif-sector", "whatif-add", "supersede"),
    *ui.stored(PAGE, "changed"),
    prevent_initial_call=True,
)
def act_on_run(*args: Any) -> Any:
    principal = ui.callback_principal(PAGE)
    run_id, rows, move_to, move_n, sector, add, supersede, changed = args[6:]
    act = ACTIONS.get(str(ctx.triggered_id).removeprefix(f"{PAGE}-"))
    try:
        if not run_id:
            raise Refused("Choose a run first.")
        if act is None:
            raise Refused("Choose an action.")
        with ui.writing() as session:  # a crafted value (a run id that is no number) is refused
            choices = Choices(int(run_id), rows, move_to, move_n, sector, add, supersede)
            text, queued_id = act(session, principal, choices)
    except Refused as exc:
        return ui.message(str(exc), "warning"), no_update, no_update
    queued = _queued(queued_id) if queued_id is not None else no_update
    return ui.message(text, "success"), (changed or 0) + 1, queued


@callback(
    Output(f"{PAGE}-approve-modal", "is_open"),
    *ui.children(PAGE, "approve-preview"),
    *ui.clicks(PAGE, "approve"),
    *ui.stored(PAGE, "selected"),
    prevent_initial_call=True,
)
def preview_approval(_clicks: int | None, run_id: int | None) -> Any:
    """What approving would publish (learners, placements, HEIs, a run it supersedes), shown
    before anything is published; the dialog's confirm button approves."""
    principal = ui.callback_principal(PAGE)
    if not run_id:
        return False, no_update
    with ui.reading() as session:
        return True, approval_preview(session, principal=principal, run_id=int(run_id))


@callback(
    Output(f"{PAGE}-approve-modal", "is_open", allow_duplicate=True),
    *ui.clicks(PAGE, "approve-confirm", "approve-cancel"),
    prevent_initial_call=True,
)
def close_approval(_confirm: int | None, _cancel: int | None) -> bool:
    return False


@callback(
    *ui.children(PAGE, "compare-summary"),
    *ui.grid_rows(PAGE, "compare-figures", "compare-changes", "compare-named"),
    *ui.inputs(PAGE, "compare-with"),
    *ui.stored(PAGE, "selected"),
    prevent_initial_call=True,
)
def compare_with(other: int | None, run_id: int | None) -> Any:
    principal = ui.callback_principal(PAGE)
    if not other or not run_id:
        return None, [], [], []
    with ui.reading() as session:
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
