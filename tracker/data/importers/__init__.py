"""Importers for every kind of register and pipeline data: templates, validation, all-or-nothing.

Use::

    frame = read_table(filename, content)          # CSV or .xlsx, all cells as strings
    report = validate(session, principal, kind, frame)   # preview: no writes
    plan = plan_import(session, principal, kind, frame, now=now)  # report + writes

Applying a plan and writing its audit row is ``tracker.services.imports.apply_import``.

Rules shared by every kind:

* One bad row rejects the whole file; the report lists every problem with the spreadsheet row
  (header = row 1), column, value and what is wrong.
* Rows are upserted by natural key (codes; learner_ref; hei/programme/intake; ...), so
  re-importing a file changes nothing and reports its rows as unchanged.
* An optional column left out of the file leaves that field as it is on existing records; an
  optional column present with an empty cell sets the field to its default.
* Learner events are append-only: an import never deletes or rewrites one.
* Extra columns are allowed and ignored (the report names them); column headers are matched
  ignoring case, spaces and hyphens.
"""

from __future__ import annotations

from tracker.data.importers.core import (
    Change,
    Column,
    ImportRejected,
    ImportReport,
    KindSpec,
    Problem,
    UnreadableFile,
)
from tracker.data.importers.files import read_table, template_csv
from tracker.data.importers.kinds import KINDS, UnknownKind, spec_for
from tracker.data.importers.limits import MIB, FileTooLarge, ImportLimits
from tracker.data.importers.planning import ImportPlan, importable_kinds, plan_import, validate

__all__ = [
    "KINDS",
    "MIB",
    "Change",
    "Column",
    "FileTooLarge",
    "ImportLimits",
    "ImportPlan",
    "ImportRejected",
    "ImportReport",
    "KindSpec",
    "Problem",
    "UnknownKind",
    "UnreadableFile",
    "importable_kinds",
    "plan_import",
    "read_table",
    "spec_for",
    "template_csv",
    "validate",
]
