"""The academic assessors page's card of learners' academic assessors (NMC SSSA): each NMC
learner in training with their part of the programme, its academic assessor and the
previous part's, a hand choice for one learner and a button naming one for everyone who
has none, by ``services.academic_assessments`` (which checks every rule).

Private to ``tracker/pages/academic_assessors.py`` (which imports it, so its callbacks
register); the component ids are the page's (``academic-assessors-learner-<thing>``).
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from tracker import clock
from tracker import components as ui
from tracker.queries.academic_assessments import ASSESSMENT_COLUMNS, academic_assessments
from tracker.queries.staff import academic_assessors_register
from tracker.refusals import Refused
from tracker.services.academic_assessments import (
    assign_academic_assessors,
    set_academic_assessor,
)

PAGE = "academic-assessors"
ID = f"{PAGE}-learner"
SHOWN = [c for c in ASSESSMENT_COLUMNS if c not in ("assessment_id", "version")]


def learners_card(heis: list[dict[str, Any]], own: str | None) -> Any:
    """The grid of learners with their academic assessors and the form that names one (or
    one for everyone without, of the HEI chosen: an HEI user's own)."""
    form = dbc.Row(
        [
            ui.field("HEI (for everyone without)", ui.choice(f"{ID}-hei", heis, value=own), 4),
            ui.field(
                "Part of programme",
                dbc.Input(id=f"{ID}-part", type="number", min=1, max=6, step=1),
                3,
            ),
            ui.field("Academic assessor", ui.choice(f"{ID}-assessor", []), 5),
        ]
    )
    buttons = html.Div(
        [
            ui.button("Name assessor", f"{ID}-name"),
            ui.button(
                "Name one for everyone without", f"{ID}-assign-all", "secondary", outline=True
            ),
        ],
        className="d-flex gap-2 flex-wrap mt-2",
    )
    body = html.Div(
        [
            dcc.Store(id=f"{ID}-changed", data=0),
            ui.grid(
                f"{ID}-grid",
                SHOWN,
                height=360,
                row_id="learner_ref",
                selectable=True,
                fit_content=True,
            ),
            html.P(
                "Select a learner to name their academic assessor for a part. The assessor is "
                "one of the learner's HEI's, active and assessing the programme, and not the "
                "same person as for the part before or after (NMC SSSA).",
                className="small text-muted mt-2",
            ),
            form,
            buttons,
            html.Div(id=f"{ID}-message", className="mt-2"),
        ]
    )
    return ui.card("Learners' academic assessors", body, card_id=f"{ID}-card")


@callback(
    Output(f"{ID}-grid", "rowData"),
    Output(f"{ID}-assessor", "options"),
    Input(f"{ID}-changed", "data"),
    Input(f"{PAGE}-refresh", "data"),
)
def load_learner_assessors(_changed: Any, _refresh: Any) -> Any:
    """The learners (an HEI user's own) with their academic assessors, and the active
    assessors to choose from."""
    principal = ui.callback_principal(PAGE)
    with ui.reading() as session:
        learners = academic_assessments(session, principal=principal, today=clock.today())
        assessors = academic_assessors_register(session, principal=principal)
    active = assessors[assessors["active"].astype(bool)]
    options = [
        {"label": f"{a.display_name or a.staff_ref} ({a.hei})", "value": int(a.id)}
        for a in active.itertuples(index=False)
    ]
    return ui.records(learners), options


@callback(
    Output(f"{ID}-part", "value"),
    Input(f"{ID}-grid", "selectedRows"),
    prevent_initial_call=True,
)
def fill_learner_part(rows: list[dict[str, Any]] | None) -> Any:
    """The chosen learner's current part, to name their assessor for."""
    part = rows[0].get("part") if rows and isinstance(rows[0], dict) else None
    return ui.chosen_id(part) or no_update


@callback(
    Output(f"{ID}-message", "children"),
    Output(f"{ID}-changed", "data"),
    *ui.clicks(PAGE, "learner-name", "learner-assign-all"),
    State(f"{ID}-grid", "selectedRows"),
    *ui.states(PAGE, "learner-part", "learner-assessor", "learner-hei"),
    State(f"{ID}-changed", "data"),
    prevent_initial_call=True,
)
def name_academic_assessor(
    _name: int | None,
    _all: int | None,
    rows: list[dict[str, Any]] | None,
    part: int | None,
    assessor: int | None,
    hei: str | None,
    changed: int | None,
) -> Any:
    """Name the chosen assessor for the selected learner's part, or one for every learner
    without one for their current part."""
    principal = ui.callback_principal(PAGE)
    ref = rows[0].get("learner_ref") if rows and isinstance(rows[0], dict) else None
    try:
        with ui.writing() as session:
            if ctx.triggered_id == f"{ID}-assign-all":
                if not hei:
                    raise Refused("Choose the HEI whose learners to name assessors for.")
                done = assign_academic_assessors(
                    session, principal=principal, hei=hei, today=clock.today()
                )
                text = _assigned(done)
            else:
                if not isinstance(ref, str):
                    raise Refused("Select a learner first.")
                if ui.chosen_id(part) is None or ui.chosen_id(assessor) is None:
                    raise Refused("Give the part of the programme and choose the assessor.")
                text = set_academic_assessor(
                    session,
                    principal=principal,
                    learner_ref=ref,
                    part=int(part or 0),
                    assessor_id=int(assessor or 0),
                )
    except Refused as exc:
        return ui.message(str(exc), "warning"), no_update
    return ui.message(text, "success"), (changed or 0) + 1


def _assigned(done: dict[str, Any]) -> str:
    left = done["left"]
    text = f"{done['named']} learners given an academic assessor for their current part."
    if len(left):
        shown = "; ".join(f"{r.learner}: {r.reason}" for r in left.head(5).itertuples())
        more = f" and {len(left) - 5} more" if len(left) > 5 else ""
        text += f" {len(left)} left without one: {shown}{more}."
    return text
