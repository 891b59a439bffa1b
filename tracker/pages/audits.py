"""Educational audits register: which settings are approved, for what, until when.

Coordinators and administrators record and edit audits; HEI users read the register (its
form is not drawn for them, and the service refuses them anyway).
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
from tracker.pages import _audits_form as parts
from tracker.queries.audits import AUDIT_COLUMNS, audits_due, audits_register
from tracker.queries.options import organisation_options, programme_fields, programme_options
from tracker.queries.settings import settings_register
from tracker.refusals import Refused
from tracker.services.audits import AuditInput, delete_audit, save_audit


class AuditRow(TypedDict):
    """What the form reads of a selected grid row (the guard checks the types)."""

    id: int
    version: int
    setting_id: str
    audited_on: str
    outcome: str
    expires_on: str
    approved_programmes: str | None
    action_plan: str | None
    action_due_on: str | None


PAGE = "audits"
dash.register_page(__name__, path="/audits", name="Educational audits", order=25, access=PAGE)

ALL = "*"
#: The register's columns but the row id and version (kept for editing).
SHOWN = ui.shown(AUDIT_COLUMNS)


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        orgs = organisation_options(session, principal=principal)
        settings = settings_register(session, principal=principal)
        programmes = programme_options(session)
        fields = programme_fields(session)
        due = audits_due(session, principal=principal, today=clock.today())
    setting_choices = ui.code_options(settings, value="setting_id")
    approvable = ui.coded_options(programmes) + [
        {"label": f"Field: {f}", "value": f} for f in fields
    ]
    header = ui.page_header(
        "Educational audits",
        "Learning-environment audits of placement settings: outcome, what they approve and "
        "when they lapse. Allocation offers a setting only where an approved audit is in date.",
    )
    # Drawn for every reader so the form's callbacks always find their components; only
    # staff see it (and only staff may save: the service refuses everyone else).
    editor = html.Div(
        parts.form(setting_choices, approvable), hidden=not may_edit_registers(principal)
    )
    return ui.register_layout(
        PAGE,
        header,
        parts.filters(setting_choices, orgs),
        parts.due_card(due),
        ui.register_grid(
            PAGE,
            "Audits",
            SHOWN,
            "Only a setting's latest audit counts; earlier ones are kept as its history.",
        ),
        editor,
        edits=True,
    )


def _read(principal: Principal, **chosen: Any) -> Any:
    """The audits the filters choose (setting, organisation, status: as the register names
    them), with their statuses as of today."""
    with ui.reading() as session:
        return audits_register(session, principal=principal, today=clock.today(), **chosen)


TABLE = ui.RegisterTable(
    PAGE,
    {"setting": list[str] | None, "organisation": list[str] | None, "status": list[str] | None},
    _read,
)
TABLE.follow_edits("load_audits")

FORM = ["form-setting", "audited", "outcome", "expires", "programmes", "all", "action-due"]


def _fill_audit(row: AuditRow | None) -> tuple[Any, ...]:
    """The form's values, the record open and the mode line (no row: a new audit)."""
    if row is None:
        blank: tuple[Any, ...] = (None, None, None, None, [], True, None, "", None)
        return (*blank, "New audit: choose the setting and the day it was audited.")
    approved = row["approved_programmes"] or ALL
    return (
        row["setting_id"],
        row["audited_on"],
        row["outcome"],
        row["expires_on"],
        [] if approved == ALL else approved.split(";"),
        approved == ALL,
        row["action_due_on"],
        row["action_plan"] or "",
        ui.picked(row),
        f"Editing the audit of {row['setting_id']} on {row['audited_on']}.",
    )


ui.fill_form(
    PAGE, [*FORM, "action-plan"], list[AuditRow] | None, _fill_audit, editable=may_edit_registers
)


def _day(value: str | None, what: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise Refused([f"{what}: not a date"]) from None


def _typed_audit(
    setting: str | None,
    audited: str | None,
    outcome: str | None,
    expires: str | None,
    programmes: list[str] | None,
    every: bool,
    action_due: str | None,
    action_plan: str | None,
) -> AuditInput:
    """The form's values as the service's input (a missing setting or date is refused)."""
    audited_on = _day(audited, "audited_on")
    if not setting or audited_on is None:
        raise Refused(["choose the setting and the day it was audited"])
    return AuditInput(
        setting=setting,
        audited_on=audited_on,
        outcome=outcome or "",
        programmes=[ALL] if every else (programmes or []),
        expires_on=_day(expires, "expires_on"),
        action_plan=action_plan or None,
        action_due_on=_day(action_due, "action_due_on"),
    )


@ui.action(PAGE, ["save", "delete"], ui.states(PAGE, *FORM, "action-plan"), edits=True)
def change_audit(
    session: ui.DbSession,
    principal: Principal,
    button: str,
    setting: str | None,
    audited: IsoDate | None,
    outcome: str | None,
    expires: IsoDate | None,
    programmes: list[str] | None,
    every: bool,
    action_due: IsoDate | None,
    action_plan: str | None,
    editing: dict[str, int] | None,
) -> tuple[str, dict[str, Any] | None]:
    if button == "save":
        audit = _typed_audit(
            setting, audited, outcome, expires, programmes, every, action_due, action_plan
        )
        saved = save_audit(
            session,
            principal=principal,
            audit=audit,
            **ui.lock(editing, "audit_id"),
            interval_months=ui.app_audit_interval(),
        )
        text = f"Saved the audit of {audit.setting} on {audit.audited_on.isoformat()}."
        return text, ui.opened(saved)
    delete_audit(session, principal=principal, **ui.lock(editing, "audit_id", what="an audit"))
    return "Audit deleted.", None


TABLE.download("download_audits", SHOWN, "educational-audits", note="Educational audits register.")
