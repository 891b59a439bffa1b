"""Academic assessors: each HEI's named assessors (NMC SSSA) and the programmes they assess.

HEI users keep their own HEI's assessors and see no other HEI's; coordinators and
administrators read every HEI's (and may keep them on an HEI's behalf, as for requests).
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html
from typing_extensions import TypedDict

from tracker import components as ui
from tracker.access import Principal
from tracker.pages._academic_assessors_learners import learners_card
from tracker.queries.options import organisation_options, programme_options
from tracker.queries.staff import ASSESSOR_COLUMNS, academic_assessors_register
from tracker.refusals import Refused
from tracker.services.staff import (
    AssessorInput,
    delete_academic_assessor,
    save_academic_assessor,
)


class AssessorRow(TypedDict):
    """What the form reads of a selected grid row (the guard checks the types)."""

    id: int
    version: int
    hei: str
    staff_ref: str
    assessed_programmes: str
    display_name: str | None
    active: bool


PAGE = "academic-assessors"
dash.register_page(
    __name__, path="/academic-assessors", name="Academic assessors", order=27, access=PAGE
)

ALL = "*"
SHOWN = ui.shown(ASSESSOR_COLUMNS)


def _heis(principal: Principal, frame: Any) -> list[dict[str, Any]]:
    """The HEIs the user may keep assessors for: their own, or every HEI for staff."""
    choices = ui.code_options(frame)
    return [c for c in choices if not principal.is_hei or c["value"] == principal.hei_code]


def _form(heis: list[dict[str, Any]], programmes: list[dict[str, Any]]) -> Any:
    return ui.edit_form(
        PAGE,
        "Record or edit an academic assessor",
        "Select a row to edit it, or record a new academic assessor.",
        dbc.Row(
            [
                ui.field("HEI", ui.choice(f"{PAGE}-form-hei", heis), 3),
                ui.field("Staff reference", dbc.Input(id=f"{PAGE}-ref", maxLength=32), 3),
                ui.field("Display name (optional)", dbc.Input(id=f"{PAGE}-name", maxLength=100), 4),
                ui.field("", dbc.Checkbox(id=f"{PAGE}-active", label="Active", value=True), 2),
            ]
        ),
        dbc.Row(
            [
                ui.field(
                    "Programmes assessed",
                    ui.dropdown(f"{PAGE}-programmes", programmes, placeholder="Choose"),
                    8,
                ),
                ui.field(
                    "", dbc.Checkbox(id=f"{PAGE}-all", label="Every programme", value=True), 4
                ),
            ]
        ),
        html.Div(
            [
                ui.button("Save assessor", f"{PAGE}-save"),
                ui.button("New assessor", f"{PAGE}-new", "secondary", outline=True),
                ui.button("Delete (entered by mistake)", f"{PAGE}-delete", "danger", outline=True),
            ],
            className="d-flex gap-2 flex-wrap mt-2",
        ),
    )


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        heis = _heis(principal, organisation_options(session, heis=True))
        programmes = ui.coded_options(programme_options(session))
    header = ui.page_header(
        "Academic assessors",
        "Each HEI's named academic assessors and the programmes they assess. An HEI sees and "
        "keeps only its own.",
    )
    filters = dbc.Row(
        [
            ui.search_box(PAGE, "Reference, name, programme…"),
            ui.dropdown_filter("HEI", f"{PAGE}-hei", heis, width=3),
        ]
    )
    return ui.register_layout(
        PAGE,
        header,
        filters,
        ui.register_grid(
            PAGE,
            "Academic assessors",
            SHOWN,
            "A learner has a different academic assessor for each part of their programme.",
        ),
        _form(heis, programmes),
        learners_card(heis, principal.hei_code if principal.is_hei else None),
        edits=True,
    )


def _read(principal: Principal, **chosen: Any) -> Any:
    """The assessors of the HEIs chosen (hei: as the register names it)."""
    with ui.reading() as session:
        return academic_assessors_register(session, principal=principal, **chosen)


TABLE = ui.RegisterTable(PAGE, {"hei": list[str] | None}, _read)
TABLE.follow_edits("load_academic_assessors")

FORM = ["form-hei", "ref", "name", "active", "programmes", "all"]


def _fill_assessor(row: AssessorRow | None) -> tuple[Any, ...]:
    """The form's values, the record open and the mode line (no row: a new assessor)."""
    if row is None:
        blank: tuple[Any, ...] = (None, "", "", True, [], True, None)
        return (*blank, "New academic assessor: their HEI and reference.")
    programmes = row["assessed_programmes"]
    return (
        row["hei"],
        row["staff_ref"],
        row["display_name"] or "",
        row["active"],
        [] if programmes == ALL else programmes.split(";"),
        programmes == ALL,
        ui.picked(row),
        f"Editing {row['staff_ref']} of {row['hei']}.",
    )


ui.fill_form(PAGE, FORM, list[AssessorRow] | None, _fill_assessor)


@ui.action(PAGE, ["save", "delete"], ui.states(PAGE, *FORM), edits=True)
def change_assessor(
    session: ui.DbSession,
    principal: Principal,
    button: str,
    hei: str | None,
    ref: str | None,
    name: str | None,
    active: bool | None,
    programmes: list[str] | None,
    every: bool | None,
    editing: dict[str, int] | None,
) -> tuple[str, dict[str, Any] | None]:
    if button == "save":
        if not hei or not ref:
            raise Refused(["choose the HEI and give the staff reference"])
        assessor = AssessorInput(
            hei=hei,
            staff_ref=ref,
            programmes=[ALL] if every else (programmes or []),
            display_name=name or None,
            active=bool(active),
        )
        saved = save_academic_assessor(
            session,
            principal=principal,
            assessor=assessor,
            **ui.lock(editing, "assessor_id"),
        )
        return f"Saved {assessor.staff_ref} of {assessor.hei}.", ui.opened(saved)
    chosen = ui.lock(editing, "assessor_id", what="an academic assessor")
    delete_academic_assessor(session, principal=principal, **chosen)
    return "Academic assessor deleted.", None


TABLE.download(
    "download_academic_assessors", SHOWN, "academic-assessors", note="Academic assessors."
)
