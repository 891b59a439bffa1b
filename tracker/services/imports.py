"""Importing a file: the preview and the import, for the upload page and the command line.

Both run the importers' one plan (``tracker.data.importers.plan_import``), so what the preview
accepts is exactly what the import writes. Each runs in the caller's transaction
(``session_scope``): the import's records and its audit row commit together, or not at all.
"""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session

from tracker.access import Principal
from tracker.clock import utcnow
from tracker.data.importers import ImportPlan, ImportRejected, ImportReport, plan_import
from tracker.models import AuditLog
from tracker.services.audit import record_audit
from tracker.services.learner_status import PROJECTED_KINDS, refresh_for_refs
from tracker.services.notify.events import import_event, requests_imported


def preview_import(
    session: Session, principal: Principal, kind: str, frame: pd.DataFrame
) -> ImportReport:
    """What importing ``frame`` would do, with every problem; writes nothing.

    Raises AccessDenied when the principal may not import this kind at all; row-level access
    problems (another HEI's rows) are reported as problems instead.
    """
    return plan_import(session, principal, kind, frame, now=utcnow()).report


def apply_import(
    session: Session, principal: Principal, kind: str, frame: pd.DataFrame
) -> ImportReport:
    """Write every row of ``frame`` in the caller's transaction, or nothing at all.

    Raises ImportRejected (having written nothing) when any row has a problem. Writes one
    audit row with the counts and, for changed records, the old and new values.
    """
    plan = plan_import(session, principal, kind, frame, now=utcnow())
    if not plan.report.ok:
        raise ImportRejected(plan.report)
    plan.apply(session)
    if kind in PROJECTED_KINDS and "learner_ref" in frame.columns:
        session.flush()  # the projection is folded from the events now in the database
        refresh_for_refs(session, frame["learner_ref"].astype(str).str.strip())
    audit = _record_import(session, principal, plan)
    session.flush()
    report = plan.report
    key = f"import:{audit.id}"
    import_event(
        session, principal=principal, kind=kind, summary=report.summary(), key=key, ok=True
    )
    if kind == "requests":
        changed = [str(c.key) for c in report.changes]
        added = [str(k) for k in plan.added_keys]
        requests_imported(
            session, added=added, changed=changed, audit_id=audit.id or 0, actor=principal
        )
    return report


def tell_import_rejected(
    session: Session, principal: Principal, kind: str, report: ImportReport
) -> None:
    """Tell the person who ran an import that it was rejected, in a transaction of its own
    (the import's own rolled back: nothing of it was written)."""
    key = f"import-rejected:{principal.username}:{utcnow().isoformat(timespec='microseconds')}"
    summary = f"{report.summary()}\n\n{len(report.problems)} problem(s); the first: " + (
        str(report.problems[0].message) if report.problems else "-"
    )
    import_event(session, principal=principal, kind=kind, summary=summary, key=key, ok=False)


def _record_import(session: Session, principal: Principal, plan: ImportPlan) -> AuditLog:
    report = plan.report
    return record_audit(
        session,
        principal,
        "import",
        entity=report.kind,
        old={"changes": {c.key: c.old for c in report.changes}} if report.changes else None,
        new={
            "rows": report.rows,
            "added": report.added,
            "changed": report.changed,
            "unchanged": report.unchanged,
            "added_keys": plan.added_keys,
            "changes": {c.key: c.new for c in report.changes},
        },
        detail=report.summary(),
    )
