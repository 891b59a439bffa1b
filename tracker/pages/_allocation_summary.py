"""The allocation page's summary of the chosen run. Private to ``pages/allocation.py``."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from tracker.snapshots import CapacityChange, snapshot_window
from tracker.vocabulary import RUN_STATUSES

PAGE = "allocation"


def run_summary(run: Any, placed: int) -> Any:
    """What a run is and did: status, what-if changes, the solver's figures, problems."""
    levels = run.figures.get("levels", {})
    colour = {
        "succeeded": "primary",
        "approved": "success",
        "failed": "danger",
        "cancelled": "secondary",
    }.get(run.status, "info")
    facts = [
        html.Span(
            RUN_STATUSES.get(run.status, run.status),
            className=f"badge bg-{colour} me-2",
            id=f"{PAGE}-status",
        ),
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
    window = snapshot_window(run.inputs)
    if window is not None:
        body.append(
            html.P(
                f"Planned on the programme calendars from {window[0]:%d %b %Y} to "
                f"{window[1]:%d %b %Y}: each placement has its HEI programme's own dates, and "
                "By sector and By setting count places and placed learners in days "
                "(place-days and learner-days).",
                className="small mb-1",
                id=f"{PAGE}-window",
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
