"""Planning an import: the checks and the list of writes, shared by the preview and the import.

``plan_import`` reads the database and the file and decides every record's fate without
touching the session; ``tracker.services.imports`` applies a clean plan and writes its audit
row. ``validate`` is the preview (and the register editors' one set of rules).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlmodel import Session

from tracker.access import AccessDenied, Principal, may_edit_registers
from tracker.data.importers.core import (
    Action,
    Change,
    Context,
    ImportReport,
    KindSpec,
    Problem,
)
from tracker.data.importers.files import is_comment_or_blank
from tracker.data.importers.kinds import KINDS, spec_for
from tracker.data.importers.rows import Row
from tracker.models import Role

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
    if spec.roles is not None and principal.role not in spec.roles:
        raise AccessDenied(f"Your role ({principal.role.value}) may not import {spec.kind}.")
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


@dataclass(frozen=True)
class ImportPlan:
    """What an import would do: the report, and one action per record (empty if any problem)."""

    report: ImportReport
    actions: tuple[Action, ...]

    @property
    def added_keys(self) -> list[str]:
        return [a.key for a in self.actions if a.status == "added"]

    def apply(self, session: Session) -> None:
        """Write every action into the caller's session; only a clean plan has any."""
        for action in self.actions:
            if action.apply is not None:
                action.apply(session)


def plan_import(
    session: Session, principal: Principal, kind: str, frame: pd.DataFrame, *, now: datetime
) -> ImportPlan:
    """Every check of every row, and the writes a clean file would make; writes nothing.

    Raises AccessDenied when the principal may not import this kind at all.
    """
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
    ctx = Context(session, principal, frozenset(n for n in names if n in known), now)
    rows: list[Row] = []
    positions = {name: names.index(name) for name in ctx.present}
    for number, values in zip(_row_numbers(frame), frame.itertuples(index=False), strict=True):
        cells = [_cell(v) for v in values]
        if is_comment_or_blank(cells):
            continue
        rows.append(Row(number, {name: cells[i] for name, i in positions.items()}, ctx))
    if header:
        return ImportPlan(ImportReport(kind, len(rows), tuple(header), ignored_columns=ignored), ())
    actions = spec.planner(ctx, rows)
    problems = tuple(sorted(ctx.problems, key=lambda p: p.row))
    if problems:
        return ImportPlan(ImportReport(kind, len(rows), problems, ignored_columns=ignored), ())
    report = ImportReport(
        kind=kind,
        rows=len(rows),
        added=sum(a.status == "added" for a in actions),
        changed=sum(a.status == "changed" for a in actions),
        unchanged=sum(a.status == "unchanged" for a in actions),
        changes=tuple(Change(a.key, a.old, a.new) for a in actions if a.status == "changed"),
        ignored_columns=ignored,
    )
    return ImportPlan(report, tuple(actions))


def validate(
    session: Session,
    principal: Principal,
    kind: str,
    frame: pd.DataFrame,
    *,
    now: datetime | None = None,
) -> ImportReport:
    """Check a table and say what importing it would do, without writing (the preview).

    Raises AccessDenied when the principal may not import this kind at all; row-level access
    problems (another HEI's rows) are reported as problems instead.
    """
    return plan_import(session, principal, kind, frame, now=now or datetime.now(UTC)).report
