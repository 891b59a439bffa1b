"""The educational audits register: every setting's audits with the status a coordinator acts on.

A status is relative to a day the caller passes (the page passes today), never read from the
clock here, so tests and the dashboard card agree on what "due" means.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from types import MappingProxyType
from typing import Final

import pandas as pd
from sqlmodel import Session, col, select

from tracker.access import Principal, require_audits_reader, setting_owner_scope
from tracker.models import AuditOutcome, AuditStatus, EducationalAudit, PlacementSetting
from tracker.queries.filters import narrowed
from tracker.queries.joins import SETTING_OWNER
from tracker.queries.options import frame_of

#: How far ahead an audit counts as due for renewal (the dashboard card's window).
DUE_WITHIN = timedelta(days=90)

IN_DATE, DUE, OVERDUE = AuditStatus.IN_DATE.value, AuditStatus.DUE.value, AuditStatus.OVERDUE.value
NOT_APPROVED, SUPERSEDED = AuditStatus.NOT_APPROVED.value, AuditStatus.SUPERSEDED.value

AUDIT_COLUMNS = [
    "id",
    "setting_id",
    "setting_name",
    "organisation",
    "audited_on",
    "outcome",
    "expires_on",
    "audit_status",
    "approved_programmes",
    "action_plan",
    "action_due_on",
    "version",
]


def audit_status(outcome: str, expires_on: date, *, latest: bool, today: date) -> str:
    """What the coordinator must do about one audit on ``today``.

    Only a setting's latest audit can be due or overdue: an older one has been replaced
    (superseded) whatever its dates. A refused latest audit is "not approved" until the
    setting is audited again.
    """
    if not latest:
        return SUPERSEDED
    if outcome == AuditOutcome.NOT_APPROVED.value:
        return NOT_APPROVED
    if expires_on < today:
        return OVERDUE
    if expires_on <= today + DUE_WITHIN:
        return DUE
    return IN_DATE


#: The register codes ``audits_register`` chooses in SQL (see ``queries.filters``).
AUDIT_FILTERS: Final = MappingProxyType(
    {"setting": PlacementSetting.code, "organisation": SETTING_OWNER.code}
)


def audits_register(
    session: Session,
    *,
    principal: Principal,
    today: date,
    status: Sequence[str] = (),
    **codes: Sequence[str],
) -> pd.DataFrame:
    """Every educational audit (newest first within a setting) with its status on ``today``.

    ``codes`` choose settings and the organisations owning them (``AUDIT_FILTERS``), ``status``
    ``AuditStatus`` codes (decided here, so chosen after reading); empty means all. Audits
    describe settings, not people, so every role that may read them sees every setting's
    (``access.require_audits_reader``), but a placement provider user, who sees only their
    own organisation's settings (``access.setting_owner_scope``).
    """
    require_audits_reader(principal)
    query = (
        select(EducationalAudit, PlacementSetting.code, PlacementSetting.name, SETTING_OWNER.code)
        .join(PlacementSetting, col(PlacementSetting.id) == EducationalAudit.setting_id)
        .join(SETTING_OWNER, col(SETTING_OWNER.id) == PlacementSetting.organisation_id)
        .order_by(col(PlacementSetting.code), col(EducationalAudit.audited_on).desc())
    )
    owner = setting_owner_scope(principal)
    if owner is not None:
        query = query.where(PlacementSetting.organisation_id == owner)
    query = narrowed(query, AUDIT_FILTERS, codes)
    rows = []
    seen: set[str] = set()
    for audit, code, name, org in session.exec(query).all():
        rows.append(
            {
                "id": audit.id,
                "setting_id": code,
                "setting_name": name,
                "organisation": org,
                "audited_on": audit.audited_on,
                "outcome": audit.outcome,
                "expires_on": audit.expires_on,
                "audit_status": audit_status(
                    audit.outcome, audit.expires_on, latest=code not in seen, today=today
                ),
                "approved_programmes": audit.programmes,
                "action_plan": audit.action_plan,
                "action_due_on": audit.action_due_on,
                "version": audit.version,
            }
        )
        seen.add(code)
    frame = frame_of(rows, AUDIT_COLUMNS)
    if status:
        frame = frame[frame["audit_status"].isin(list(status))].reset_index(drop=True)
    return frame


def audits_due(session: Session, *, principal: Principal, today: date) -> pd.DataFrame:
    """The dashboard card: settings whose latest audit is overdue or due within 90 days,
    most urgent first."""
    frame = audits_register(session, principal=principal, today=today, status=(OVERDUE, DUE))
    return frame.sort_values(["expires_on", "setting_id"]).reset_index(drop=True)


def unaudited_settings(session: Session, *, principal: Principal) -> list[str]:
    """Active settings with no audit at all: once the register is in use they take nobody."""
    require_audits_reader(principal)
    audited = select(EducationalAudit.setting_id).distinct()
    query = (
        select(PlacementSetting.code)
        .where(PlacementSetting.active == True)  # noqa: E712  (SQL, not Python truth)
        .where(col(PlacementSetting.id).not_in(audited))
        .order_by(PlacementSetting.code)
    )
    return list(session.exec(query).all())
