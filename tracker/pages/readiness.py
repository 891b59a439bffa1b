"""Learner readiness: whose DBS check, occupational health clearance and mandatory training
are in date, until when, and which lapses first.

HEI users see and record their own learners' checks; coordinators and administrators see every
HEI's (administrators may record them, coordinators read only; the service refuses anyone
else). The collaborative role does not open the page: it holds named learners.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import dash
from dash import Input, Output, callback, dcc, html
from typing_extensions import TypedDict

from tracker import clock
from tracker import components as ui
from tracker.access import Principal, may_edit_readiness
from tracker.callback_inputs import IsoDate
from tracker.pages import _readiness_form as parts
from tracker.queries.options import organisation_options, programme_options
from tracker.queries.readiness import READINESS_COLUMNS, readiness_register
from tracker.refusals import Refused
from tracker.services.readiness import ReadinessInput, delete_readiness, save_readiness


class LearnerRow(TypedDict):
    """What the form reads of a selected grid row (the guard checks the types)."""

    learner_ref: str
    version: int | None
    dbs_valid_until: str | None
    occupational_health_valid_until: str | None
    mandatory_training_valid_until: str | None
    note: str | None


class Editing(TypedDict):
    """The learner the form is open on, and the version of their record it was opened at."""

    learner_ref: str
    version: int | None


PAGE = "readiness"
dash.register_page(__name__, path="/readiness", name="Learner readiness", order=32, access=PAGE)

#: What a coordinator reads first: who, whether ready, until when and what holds them back.
SHOWN = [
    "learner_ref",
    "hei",
    "programme",
    "intake",
    "readiness_status",
    "ready_until",
    "first_to_expire",
    "not_recorded",
    "dbs_valid_until",
    "occupational_health_valid_until",
    "mandatory_training_valid_until",
    "note",
    "updated_at",
]
assert set(SHOWN) <= set(READINESS_COLUMNS)
#: How far ahead a lapsing check counts as expiring unless the user picks another day.
WINDOW = timedelta(days=60)


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        heis = organisation_options(session, heis=True)
        programmes = programme_options(session)
    scope = (
        f"Your HEI's learners ({principal.hei_code}) only."
        if principal.is_hei
        else "Every HEI's learners."
    )
    header = ui.page_header(
        "Learner readiness",
        "DBS check, occupational health clearance and mandatory training of learners in "
        "training: a learner may start a placement only while all three are in date through "
        "its last day.",
    )
    own = principal.hei_code if principal.is_hei else None
    # Drawn for every reader so the form's callbacks always find their components; only
    # those who keep the register see it (and only they may save: the service refuses others).
    editor = html.Div(parts.form(), hidden=not may_edit_readiness(principal))
    return ui.register_layout(
        PAGE,
        header,
        parts.filters(heis, programmes, own_hei=own, horizon=clock.today() + WINDOW),
        dcc.Store(id=f"{PAGE}-editing", data=None),
        ui.register_grid(
            PAGE,
            "Learners in training",
            SHOWN,
            f"{scope} Not ready: a check is not recorded or has lapsed. Expiring soon: in date "
            "today, but a check lapses before the day chosen above.",
        ),
        editor,
    )


def _read(
    principal: Principal,
    hei: list[str] | None,
    programme: list[str] | None,
    status: list[str] | None,
    before: IsoDate | None,
) -> Any:
    today = clock.today()
    horizon = date.fromisoformat(before) if before else today + WINDOW
    with ui.reading() as session:
        return readiness_register(
            session,
            principal=principal,
            today=today,
            horizon=horizon,
            hei=hei or [],
            programme=programme or [],
            status=status or [],
        )


TABLE = ui.RegisterTable(
    PAGE,
    {
        "hei": list[str] | None,
        "programme": list[str] | None,
        "status": list[str] | None,
        "before": IsoDate | None,
    },
    _read,
)
TABLE.follow_edits("load_readiness")

DATES = ["dbs", "health", "training"]


@callback(
    *[Output(f"{PAGE}-{name}", "value") for name in [*DATES, "note"]],
    Output(f"{PAGE}-editing", "data"),
    *ui.children(PAGE, "form-mode"),
    Input(f"{PAGE}-grid", "selectedRows"),
    prevent_initial_call=True,
)
def fill_readiness_form(selected: list[LearnerRow] | None) -> Any:
    if not may_edit_readiness(ui.callback_principal(PAGE)) or not selected:
        raise dash.exceptions.PreventUpdate  # readers have no form to fill
    row = selected[0]
    recorded = "no checks recorded yet" if row["version"] is None else "recorded checks"
    return (
        row["dbs_valid_until"],
        row["occupational_health_valid_until"],
        row["mandatory_training_valid_until"],
        row["note"] or "",
        {"learner_ref": row["learner_ref"], "version": row["version"]},
        f"Recording the checks of {row['learner_ref']} ({recorded}).",
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@ui.action(PAGE, ["save", "delete"], ui.states(PAGE, *DATES, "note"), edits=True)
def change_readiness(
    session: ui.DbSession,
    principal: Principal,
    button: str,
    dbs: IsoDate | None,
    health: IsoDate | None,
    training: IsoDate | None,
    note: str | None,
    editing: Editing | None,
) -> tuple[str, Editing]:
    if not editing:
        raise Refused(["select a learner in the table first"])
    ref = editing["learner_ref"]
    if button == "save":
        typed = ReadinessInput(ref, _day(dbs), _day(health), _day(training), note or None)
        saved = save_readiness(
            session, principal=principal, readiness=typed, version=editing["version"]
        )
        return f"Saved the checks of {ref}.", {"learner_ref": ref, "version": saved.version}
    if editing["version"] is None:
        raise Refused([f"{ref} has no checks recorded to clear"])
    delete_readiness(session, principal=principal, learner_ref=ref, version=editing["version"])
    return f"Cleared the checks of {ref}.", {"learner_ref": ref, "version": None}


TABLE.download("download_readiness", SHOWN, "learner-readiness", note="Learner readiness register.")
