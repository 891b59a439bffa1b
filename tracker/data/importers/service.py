"""validate and import_table: the one entry point for the CLI, the upload page and tests."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from sqlmodel import Session

from tracker.access import AccessDenied, Principal, may_edit_registers
from tracker.data.importers.core import (
    Action,
    Change,
    Context,
    ImportRejected,
    ImportReport,
    KindSpec,
    Problem,
    Row,
)
from tracker.data.importers.files import is_comment_or_blank
from tracker.data.importers.kinds import KINDS, spec_for
from tracker.models import Role
from tracker.services.audit import record_audit

IMPORTERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.HEI})


def normalise_column(name: object) -> str:
    """Header matching forgives case, spaces and hyphens ("Learner Ref" is learner_ref)."""
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _check_access(principal: Principal, spec: KindSpec) -> None:
    if spec.access == "staff" and not may_edit_registers(principal):
        raise AccessDenied(f"Only administrators and coordinators may import {spec.kind}.")
    if principal.role not in IMPORTERS:
        raise AccessDenied(f"Your role ({principal.role.value}) may not import data.")
    if principal.is_hei and principal.hei_id is None:
        raise AccessDenied("Your account is not bound to an HEI, so it may not import data.")


def importable_kinds(principal: Principal) -> list[str]:
    """The kinds this user may import, in loading order: what the upload page offers."""
    kinds = []
    for kind, spec in KINDS.items():
        try:
            _check_access(principal, spec)
        except AccessDenied:
            continue
        kinds.append(kind)
    return kinds


def _row_numbers(frame: pd.DataFrame) -> list[int]:
    """Spreadsheet rows: read_table's index, or row 2 onwards for a plain 0-based frame."""
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0:
        return [i + 2 for i in range(len(frame))]
    return [int(i) for i in index]


def _plan(
    session: Session, principal: Principal, kind: str, frame: pd.DataFrame
) -> tuple[ImportReport, list[Action]]:
    spec = spec_for(kind)
    _check_access(principal, spec)
    names = [normalise_column(c) for c in frame.columns]
    known = set(spec.names)
    header: list[Problem] = []
    for i, name in enumerate(names):
        if name in known and names.index(name) != i:
            header.append(Problem(1, name, str(frame.columns[i]), "column appears twice"))
    for name in spec.required:
        if name not in names:
            header.append(Problem(1, name, "", "required column missing from the header row"))
    if spec.one_of_columns and not known.intersection(names).intersection(spec.one_of_columns):
        header.append(
            Problem(
                1,
                spec.one_of_columns[0],
                "",
                "needs one of these columns: " + ", ".join(spec.one_of_columns),
            )
        )
    ignored = tuple(dict.fromkeys(n for n in names if n not in known))
    ctx = Context(session, principal, frozenset(n for n in names if n in known))
    rows: list[Row] = []
    positions = {name: names.index(name) for name in ctx.present}
    for number, values in zip(_row_numbers(frame), frame.itertuples(index=False), strict=True):
        cells = [_cell(v) for v in values]
        if is_comment_or_blank(cells):
            continue
        rows.append(Row(number, {name: cells[i] for name, i in positions.items()}, ctx))
    if header:
        report = ImportReport(kind, len(rows), tuple(header), ignored_columns=ignored)
        return report, []
    actions = spec.planner(ctx, rows)
    problems = tuple(sorted(ctx.problems, key=lambda p: p.row))
    if problems:
        return ImportReport(kind, len(rows), problems, ignored_columns=ignored), []
    report = ImportReport(
        kind=kind,
        rows=len(rows),
        added=sum(a.status == "added" for a in actions),
        changed=sum(a.status == "changed" for a in actions),
        unchanged=sum(a.status == "unchanged" for a in actions),
        changes=tuple(Change(a.key, a.old, a.new) for a in actions if a.status == "changed"),
        ignored_columns=ignored,
    )
    return report, actions


def validate(
    session: Session, principal: Principal, kind: str, frame: pd.DataFrame
) -> ImportReport:
    """Check a table and say what importing it would do, without writing (the preview).

    Raises AccessDenied when the principal may not import this kind at all; row-level access
    problems (another HEI's rows) are reported as problems instead.
    """
    report, _ = _plan(session, principal, kind, frame)
    return report


def import_table(
    session: Session, principal: Principal, kind: str, frame: pd.DataFrame
) -> ImportReport:
    """Validate, then write every row in the caller's transaction, or nothing at all.

    Raises ImportRejected (having written nothing) when any row has a problem. Writes one
    audit row with the counts and, for changed records, the old and new values.
    """
    report, actions = _plan(session, principal, kind, frame)
    if not report.ok:
        raise ImportRejected(report)
    for action in actions:
        if action.apply is not None:
            action.apply(session)
    record_audit(
        session,
        principal,
        "import",
        entity=kind,
        old={"changes": {c.key: c.old for c in report.changes}} if report.changes else None,
        new={
            "rows": report.rows,
            "added": report.added,
            "changed": report.changed,
            "unchanged": report.unchanged,
            "added_keys": [a.key for a in actions if a.status == "added"],
            "changes": {c.key: c.new for c in report.changes},
        },
        detail=report.summary(),
    )
    session.flush()
    return report
