"""The demo's educational audits: one current audit for every setting, dated around DEMO_AS_OF.

Audits follow a 24-month cycle. Most settings were audited between August 2025 and August
2026, so their approval covers every 2026/27 block. A few fall due within 90 days of the
demo's date (they cover the autumn block only), two are overdue and take no 2026/27 learners,
one care home's re-audit was not approved, every fifteenth approval came with actions, and
every tenth setting keeps its previous, superseded audit as history. Dates come from the
setting's position, not the seeded generator, so adding audits changed no other demo row.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tracker.data.demo_setting_kinds import KINDS, SettingSpec
from tracker.models import AuditOutcome, Sector

#: The re-audit cycle the demo region follows, in years.
CYCLE_YEARS = 2
#: Positions (in setting order) of the overdue audits; every 40th from the 7th falls due.
OVERDUE_AT = (100, 250)
FIRST_AUDIT = date(2025, 8, 4)

ACTIONS = (
    "Refresh the practice supervisors' preparation; update the learner induction pack.",
    "Named cover for practice assessors during leave; learner feedback reviewed monthly.",
)
REFUSAL = "Too few prepared practice supervisors on nights to support learners safely."


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _row(setting_id: int, audited: date, outcome: AuditOutcome, **extra: Any) -> dict[str, Any]:
    return {
        "setting_id": setting_id,
        "audited_on": audited,
        "outcome": outcome.value,
        "expires_on": extra.pop("expires_on", _years_after(audited, CYCLE_YEARS)),
        "programmes": "*",
        "action_plan": extra.pop("action_plan", None),
        "action_due_on": extra.pop("action_due_on", None),
        "version": 1,
    }


def _latest(position: int, as_of: date) -> date:
    """When the setting at ``position`` was last audited (approved)."""
    if position in OVERDUE_AT:
        expires = as_of - timedelta(days=25 * (1 + OVERDUE_AT.index(position)))
        return _years_after(expires, -CYCLE_YEARS)
    if position % 40 == 7:
        expires = as_of + timedelta(days=35 + 6 * (position // 40))
        return _years_after(expires, -CYCLE_YEARS)
    return FIRST_AUDIT + timedelta(days=(position * 37) % 390)


def audit_rows(settings: list[SettingSpec], setting_ids: list[int], as_of: date) -> list[dict]:
    """``EducationalAudit`` rows for every setting, in setting order."""
    refused = next(i for i, s in enumerate(settings) if KINDS[s.kind].sector is Sector.CARE_HOME)
    rows: list[dict[str, Any]] = []
    for position, setting_id in enumerate(setting_ids):
        audited = _latest(position, as_of)
        if position % 10 == 3 or position == refused:
            rows.append(
                _row(setting_id, _years_after(audited, -CYCLE_YEARS), AuditOutcome.APPROVED)
            )
        if position == refused:
            rows.append(
                _row(
                    setting_id,
                    as_of - timedelta(days=135),
                    AuditOutcome.NOT_APPROVED,
                    expires_on=as_of + timedelta(days=45),
                    action_plan=REFUSAL,
                    action_due_on=as_of + timedelta(days=30),
                )
            )
        elif position % 15 == 4:
            rows.append(
                _row(
                    setting_id,
                    audited,
                    AuditOutcome.APPROVED_WITH_ACTIONS,
                    action_plan=ACTIONS[position % 2],
                    action_due_on=audited + timedelta(days=90),
                )
            )
        else:
            rows.append(_row(setting_id, audited, AuditOutcome.APPROVED))
    return rows
