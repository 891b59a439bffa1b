"""Practice supervisors and assessors: the named staff who support learners at each setting.

Coordinators and administrators record and edit staff; HEI users read the register (to see
who supervises and assesses their learners; the form is not drawn for them, and the service
refuses them anyway). A person at several settings of their organisation is one row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
from dash import html
from typing_extensions import TypedDict

from tracker import clock
from tracker import components as ui
from tracker.access import Principal, may_edit_registers
from tracker.callback_inputs import IsoDate
from tracker.pages import _practice_staff_form as parts
from tracker.queries.options import organisation_options, programme_fields
from tracker.queries.settings import settings_register
from tracker.queries.staff import STAFF_COLUMNS, practice_staff_register
from tracker.refusals import Refused
from tracker.services.staff import StaffInput, delete_practice_staff, save_practice_staff


class StaffRow(TypedDict):
    """What the form reads of a selected grid row (the guard checks the types)."""

    id: int
    version: int
    staff_ref: str
    organisation: str
    settings: str
    roles: str
    profession_group: str
    field: str | None
    prepared_on: str | None
    max_learners: int
    display_name: str | None
    active: bool


PAGE = "practice-staff"
dash.register_page(
    __name__,
    path="/practice-staff",
    name="Practice supervisors and assessors",
    order=26,
    access=PAGE,
)

#: The register's columns but the row id and version (kept for editing).
SHOWN = ui.shown(STAFF_COLUMNS)


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        orgs = ui.code_options(organisation_options(session))
        settings = ui.code_options(
            settings_register(session, principal=principal), value="setting_id"
        )
        fields = parts.field_options(programme_fields(session))
    header = ui.page_header(
        "Practice supervisors and assessors",
        "Named practice supervisors, practice assessors and practice educators at each setting: "
        "their roles, field, preparation and how many learners each can support at once.",
    )
    # Drawn for every reader so the form's callbacks always find their components; only
    # staff see it (and only staff may save: the service refuses everyone else).
    editor = html.Div(parts.form(orgs, settings, fields), hidden=not may_edit_registers(principal))
    return ui.register_layout(
        PAGE,
        header,
        parts.filters(settings, orgs, fields),
        ui.register_grid(
            PAGE,
            "Practice staff",
            SHOWN,
            "References are the organisation's own pseudonymous ones. Not prepared: no "
            "preparation date recorded, or one still ahead; they may not supervise or assess yet.",
        ),
        editor,
        edits=True,
    )


def _read(principal: Principal, **chosen: Any) -> Any:
    """The staff the filters choose (setting, organisation, role, field, prepared: as the
    register names them), prepared as of today."""
    with ui.reading() as session:
        return practice_staff_register(session, principal=principal, today=clock.today(), **chosen)


FILTERS = ("setting", "organisation", "role", "field", "prepared")
TABLE = ui.RegisterTable(PAGE, dict.fromkeys(FILTERS, list[str] | None), _read)
TABLE.follow_edits("load_practice_staff")

FORM = [
    "ref",
    "form-organisation",
    "form-settings",
    "form-roles",
    "form-group",
    "form-field",
    "max",
    "prepared-on",
    "name",
    "active",
]


def _fill_staff(row: StaffRow | None) -> tuple[Any, ...]:
    """The form's values, the record open and the mode line (no row: a new staff member)."""
    if row is None:
        blank: tuple[Any, ...] = ("", None, [], [], None, None, 1, None, "", True, None)
        return (*blank, "New staff member: their reference, organisation and settings.")
    return (
        row["staff_ref"],
        row["organisation"],
        [s for s in row["settings"].split(";") if s],
        [r for r in row["roles"].split(";") if r],
        row["profession_group"],
        row["field"],
        row["max_learners"],
        row["prepared_on"],
        row["display_name"] or "",
        row["active"],
        ui.picked(row),
        f"Editing {row['staff_ref']} of {row['organisation']}.",
    )


ui.fill_form(PAGE, FORM, list[StaffRow] | None, _fill_staff, editable=may_edit_registers)


def _typed_staff(values: tuple[Any, ...]) -> StaffInput:
    """The form's values as the service's input (a missing reference is refused)."""
    ref, org, settings, roles, group, field, limit, prepared, name, active = values
    if not ref or not org:
        raise Refused(["give the staff reference and choose their organisation"])
    try:
        prepared_on = date.fromisoformat(prepared) if prepared else None
    except ValueError:
        raise Refused(["prepared_on: not a date"]) from None
    return StaffInput(
        staff_ref=ref,
        organisation=org,
        settings=settings or [],
        roles=roles or [],
        profession_group=group or "",
        field=field or None,
        prepared_on=prepared_on,
        max_learners=None if limit is None else int(limit),
        display_name=name or None,
        active=bool(active),
    )


@ui.action(PAGE, ["save", "delete"], ui.states(PAGE, *FORM), edits=True)
def change_staff(
    session: ui.DbSession,
    principal: Principal,
    button: str,
    ref: str | None,
    organisation: str | None,
    settings: list[str] | None,
    roles: list[str] | None,
    group: str | None,
    field: str | None,
    limit: int | None,
    prepared: IsoDate | None,
    name: str | None,
    active: bool | None,
    editing: dict[str, int] | None,
) -> tuple[str, dict[str, Any] | None]:
    if button == "save":
        person = _typed_staff(
            (ref, organisation, settings, roles, group, field, limit, prepared, name, active)
        )
        saved = save_practice_staff(
            session,
            principal=principal,
            person=person,
            **ui.lock(editing, "staff_id"),
        )
        return f"Saved {person.staff_ref} of {person.organisation}.", ui.opened(saved)
    chosen = ui.lock(editing, "staff_id", what="a staff member")
    delete_practice_staff(session, principal=principal, **chosen)
    return "Staff member deleted.", None


TABLE.download(
    "download_practice_staff", SHOWN, "practice-staff", note="Practice supervisors and assessors."
)
