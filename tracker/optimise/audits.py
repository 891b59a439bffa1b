"""Educational audits: a setting takes learners of a programme only while an approved audit
for that programme is in date through the whole placement.

An audit approved "with actions" still approves. A later audit of the same programme that was
not approved supersedes an earlier approval from its own date on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from tracker.optimise.model import Problem
from tracker.optimise.practice_tables import Cells

APPROVED = "approved"
APPROVED_WITH_ACTIONS = "approved with actions"
NOT_APPROVED = "not approved"
OUTCOMES: tuple[str, ...] = (APPROVED, APPROVED_WITH_ACTIONS, NOT_APPROVED)


@dataclass(frozen=True)
class Audit:
    row: int
    setting_id: str
    audited_on: date
    expires_on: date
    outcome: str
    programmes: frozenset[str] | None  # None: every programme ('*')

    @property
    def approves(self) -> bool:
        return self.outcome != NOT_APPROVED

    def covers(self, programme: str | None) -> bool:
        if self.programmes is None:
            return True
        return programme is not None and programme.strip().lower() in self.programmes


def read_audits(frame: pd.DataFrame, problems: list[Problem]) -> tuple[Audit, ...]:
    c = Cells("audits", frame, problems)
    if not c.require("setting_id", "audited_on", "expires_on", "outcome", "programmes"):
        return ()
    out: list[Audit] = []
    for pos in range(len(c)):
        sid = c.text(pos, "setting_id", required=True)
        audited, expires = c.span(pos, "audited_on", "expires_on")
        raw = c.text(pos, "outcome", required=True)
        outcome = None if raw is None else " ".join(raw.lower().replace("_", " ").split())
        if raw is not None and outcome not in OUTCOMES:
            c.bad(pos, "outcome", raw, "must be approved, approved with actions or not approved")
        listed = c.text(pos, "programmes", required=True)
        programmes = (
            None
            if listed == "*"
            else frozenset(p.strip().lower() for p in (listed or "").split(";") if p.strip())
        )
        if None in (sid, audited, expires, outcome, listed) or outcome not in OUTCOMES:
            continue
        assert sid is not None and audited is not None and expires is not None
        out.append(Audit(pos + 2, sid, audited, expires, str(outcome), programmes))
    return tuple(out)


def audit_problem(
    audits: Iterable[Audit],
    setting_id: str,
    programme: str | None,
    start: date,
    end: date,
) -> tuple[str, str] | None:
    """None when an approved, in-date audit covers ``programme`` at the setting for the whole
    placement; otherwise ``(reason_code, reason)`` naming the audit and its dates."""
    mine = sorted((a for a in audits if a.setting_id == setting_id), key=lambda a: a.audited_on)
    shown = programme or "this programme"
    for_programme = [a for a in mine if a.covers(programme)]
    refused = [a for a in for_programme if not a.approves and a.audited_on <= end]
    approvals = [a for a in for_programme if a.approves]
    for a in approvals:
        superseded = [r for r in refused if r.audited_on > a.audited_on]
        if a.audited_on <= start and end <= a.expires_on and not superseded:
            return None
    if refused and (not approvals or refused[-1].audited_on >= approvals[-1].audited_on):
        last = refused[-1]
        return (
            "audit_not_approved",
            f"educational audit not approved for {shown} at setting {setting_id}: the audit "
            f"of {last.audited_on.isoformat()} was not approved",
        )
    if approvals:
        last = approvals[-1]
        if last.audited_on > start:
            detail = (
                f"the approved audit of {last.audited_on.isoformat()} is after the placement "
                f"starts on {start.isoformat()}"
            )
        elif refused and refused[-1].audited_on > last.audited_on:
            detail = f"a later audit on {refused[-1].audited_on.isoformat()} was not approved"
        else:
            detail = (
                f"the audit expires on {last.expires_on.isoformat()}, before the placement "
                f"ends on {end.isoformat()}"
            )
        return (
            "audit_expired",
            f"educational audit expired for {shown} at setting {setting_id}: {detail}",
        )
    others = sorted({p for a in mine if a.approves and a.programmes for p in a.programmes})
    detail = (
        f"its audits approve only {', '.join(others)}"
        if others
        else "no educational audit is recorded for it"
    )
    return (
        "audit_not_approved",
        f"educational audit not approved for {shown} at setting {setting_id}: {detail}",
    )
