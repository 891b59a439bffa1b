"""Educational audits: each setting's audits, keyed by setting and audit date.

The programmes column reads as in the ``assign`` command's audits file (``*`` or
``;``-separated programme codes); the register also accepts programme fields (``adult
nursing``), since audits often approve a whole field. Expiry dates are required here: the
form fills one in from the re-audit interval, a file states its own.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from tracker.data.importers.common import (
    NO_SETTING,
    codes,
    programme_list,
    rows_where,
    settings_named,
)
from tracker.data.importers.core import Action, Column, Context, KindSpec, max_length, upsert
from tracker.data.importers.rows import Row
from tracker.models import AuditOutcome, EducationalAudit, Programme


def _approvable(session: Session) -> set[str]:
    """What an audit may approve: programme codes and fields, compared without case."""
    return {
        value.lower() for p in session.exec(select(Programme)).all() for value in (p.code, p.field)
    }


def _programmes(row: Row, approvable: set[str]) -> str | None:
    entries = programme_list(
        row,
        lambda entry: entry.lower() in approvable,
        "programme codes or fields",
        limit=max_length(EducationalAudit.programmes),
    )
    return None if entries is None else ";".join(entries)


def _stored(session: Session, setting_ids: list[int]) -> dict[tuple[int, str], EducationalAudit]:
    """Stored audits of these settings by natural key (setting, audit date)."""
    found = rows_where(session, EducationalAudit, EducationalAudit.setting_id, setting_ids)
    return {(a.setting_id, a.audited_on.isoformat()): a for a in found}


def _check_dates(row: Row, values: dict[str, object]) -> None:
    audited, expires = values.get("audited_on"), values.get("expires_on")
    if isinstance(audited, date) and isinstance(expires, date) and expires < audited:
        row.problem("expires_on", "is before audited_on")
    if values.get("outcome") == AuditOutcome.APPROVED_WITH_ACTIONS.value and not (
        values.get("action_plan") and values.get("action_due_on")
    ):
        row.problem("action_plan", "approved with actions needs the action plan and its due date")


def plan_audits(ctx: Context, rows: list[Row]) -> list[Action]:
    settings = settings_named(ctx, rows)
    stored = _stored(ctx.session, [s.id for s in settings.values() if s.id is not None])
    approvable = _approvable(ctx.session)
    seen: dict[tuple[str, str], int] = {}
    actions = []
    for row in rows:
        setting = row.lookup("setting_id", settings, NO_SETTING)
        values: dict[str, object] = {
            "audited_on": row.day("audited_on"),
            "outcome": row.choice("outcome", AuditOutcome),
            "expires_on": row.day("expires_on"),
            "programmes": _programmes(row, approvable),
            "action_plan": row.text(
                "action_plan", required=False, limit=max_length(EducationalAudit.action_plan)
            ),
            "action_due_on": row.day("action_due_on", required=False),
        }
        _check_dates(row, values)
        key = (row.raw("setting_id"), row.raw("audited_on"))
        if setting is not None:
            row.first_time(seen, key, "audited_on", "audit of this setting on this day")
        if row.bad or setting is None or setting.id is None:
            continue
        existing = stored.get((setting.id, row.raw("audited_on")))
        actions.append(
            upsert(
                EducationalAudit,
                existing,
                f"{setting.code}@{row.raw('audited_on')}",
                values,
                create={"setting_id": setting.id},
                bump_version=True,
            )
        )
    return actions


AUDITS = KindSpec(
    kind="audits",
    description="Educational audits of placement settings, by setting and audit date",
    columns=(
        Column("setting_id", "placement setting code", required=True),
        Column("audited_on", "date of the audit, YYYY-MM-DD", required=True),
        Column("outcome", codes(AuditOutcome), required=True),
        Column("expires_on", "date the approval lapses (re-audit due), YYYY-MM-DD", required=True),
        Column(
            "programmes",
            "programmes approved: * for all, or programme codes or fields separated by ;",
            required=True,
        ),
        Column("action_plan", "actions agreed (required with approved_with_actions)"),
        Column("action_due_on", "date the actions are due, YYYY-MM-DD"),
    ),
    access="staff",
    planner=plan_audits,
)
