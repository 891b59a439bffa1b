"""Educational audits: each setting's audits, keyed by setting and audit date.

The programmes column reads as in the ``assign`` command's audits file (``*`` or
``;``-separated programme codes); the register also accepts programme fields (``adult
nursing``), since audits often approve a whole field. Expiry dates are required here: the
form fills one in from the re-audit interval, a file states its own.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from tracker.data.importers.core import (
    Action,
    Column,
    Context,
    KindSpec,
    by_key,
    chunks,
    max_length,
    upsert,
)
from tracker.data.importers.rows import Row
from tracker.models import AuditOutcome, EducationalAudit, PlacementSetting, Programme

ALL_PROGRAMMES = "*"


def _approvable(session: Session) -> set[str]:
    """What an audit may approve: programme codes and fields, compared without case."""
    return {
        value.lower() for p in session.exec(select(Programme)).all() for value in (p.code, p.field)
    }


def _programmes(row: Row, approvable: set[str]) -> str | None:
    text = row.text("programmes", limit=max_length(EducationalAudit.programmes))
    if text is None:
        return None
    entries = [e.strip() for e in text.split(";") if e.strip()]
    unknown = [e for e in entries if e.lower() not in approvable and e != ALL_PROGRAMMES]
    if ALL_PROGRAMMES in entries and len(entries) > 1:
        row.problem("programmes", "write * alone, or a list of programme codes or fields")
    elif unknown:
        row.problem("programmes", f"unknown programme codes or fields: {', '.join(unknown)}")
    elif not entries:
        row.problem("programmes", "list programme codes or fields separated by ;, or *")
    return ";".join(entries)


def _stored(session: Session, setting_ids: list[int]) -> dict[tuple[int, str], EducationalAudit]:
    found: dict[tuple[int, str], EducationalAudit] = {}
    for batch in chunks(setting_ids):
        query = select(EducationalAudit).where(col(EducationalAudit.setting_id).in_(batch))
        for audit in session.exec(query).all():
            found[(audit.setting_id, audit.audited_on.isoformat())] = audit
    return found


def _check_dates(row: Row, values: dict[str, object]) -> None:
    audited, expires = values.get("audited_on"), values.get("expires_on")
    if isinstance(audited, date) and isinstance(expires, date) and expires < audited:
        row.problem("expires_on", "is before audited_on")
    if values.get("outcome") == AuditOutcome.APPROVED_WITH_ACTIONS.value and not (
        values.get("action_plan") and values.get("action_due_on")
    ):
        row.problem("action_plan", "approved with actions needs the action plan and its due date")


def plan_audits(ctx: Context, rows: list[Row]) -> list[Action]:
    session = ctx.session
    settings = by_key(
        session, PlacementSetting, PlacementSetting.code, (r.raw("setting_id") for r in rows)
    )
    stored = _stored(session, [s.id for s in settings.values() if s.id is not None])
    approvable = _approvable(session)
    seen: dict[tuple[str, str], int] = {}
    actions = []
    for row in rows:
        code = row.text("setting_id", limit=max_length(PlacementSetting.code))
        setting = settings.get(code or "")
        if code is not None and setting is None:
            row.problem("setting_id", "no placement setting with this code; import settings first")
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
        key = (code or "", row.raw("audited_on"))
        if code is not None:
            row.first_time(seen, key, "audited_on", "audit of this setting on this day")
        if row.bad or setting is None or setting.id is None:
            continue
        existing = stored.get((setting.id, row.raw("audited_on")))
        actions.append(
            upsert(
                EducationalAudit,
                existing,
                f"{code}@{row.raw('audited_on')}",
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
        Column(
            "outcome",
            "approved, approved_with_actions or not_approved",
            required=True,
        ),
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
