"""Messages: notices on a page, the outcome of an action, refusals with every reason."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from tracker.refusals import Refused

Layout = Any

#: How many reasons a refusal lists before saying how many more there are.
SHOWN_PROBLEMS = 30


def notice(text: str, *, color: str = "info", component_id: str | None = None) -> Layout:
    props: dict[str, Any] = {"color": color, "className": "py-2 disclosure-note"}
    if component_id:
        props["id"] = component_id
    return dbc.Alert(text, **props)


def message(text: str, color: str = "info") -> Layout:
    """A one-line outcome of an action (queued, moved, cancelled...)."""
    return dbc.Alert(text, color=color, className="py-2 mb-2", dismissable=True)


def result_alert(text: str | None, problems: Sequence[str] = (), *, ok: bool = True) -> Layout:
    """A message after an action: green for done, red with every reason for a refusal."""
    if text is None and not problems:
        return None
    body: list[Any] = [html.Div(text)] if text else []
    if problems:
        body.append(
            html.Ul([html.Li(p) for p in problems[:SHOWN_PROBLEMS]], className="mb-0 small")
        )
        if len(problems) > SHOWN_PROBLEMS:
            body.append(
                html.Div(f"... and {len(problems) - SHOWN_PROBLEMS} more", className="small")
            )
    return dbc.Alert(
        body, color="success" if ok else "danger", className="py-2 mb-2", dismissable=True
    )


def refused_alert(refused: Refused) -> Layout:
    """A register save refused: nothing was saved, and every reason why."""
    return result_alert("Nothing was saved:", refused.problems, ok=False)


def as_of_text(as_of: date | None) -> str:
    return (
        f"Figures as of {as_of:%d %B %Y} (the latest event recorded)."
        if as_of
        else ("No learner events recorded yet.")
    )


def disclosure_notice(page: str, note: str, exact: bool) -> Layout:
    return notice(note, color="secondary" if exact else "info", component_id=f"{page}-disclosure")


def notice_empty(page: str) -> Layout:
    return notice(
        "No learners match these filters (or none are recorded yet).",
        color="light",
        component_id=f"{page}-empty",
    )
