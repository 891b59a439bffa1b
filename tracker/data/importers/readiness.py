"""Learner readiness: each learner's DBS check, occupational health clearance and mandatory
training, with the last day each is in date, keyed by the learner's reference.

An empty date cell means the check has not been done (the learner is then not ready); a date
column the file leaves out leaves that check as it is. HEI users import their own learners'
rows only: another HEI's learner reads exactly as a reference that exists nowhere
(``access.may_edit_readiness`` decides, by the learner's HEI).
"""

from __future__ import annotations

from sqlmodel import Session

from tracker.access import READINESS_KEEPERS, may_edit_readiness
from tracker.data.importers.common import (
    OWN_LEARNER,
    editable_learners,
    learner_named,
    rows_where,
    stamped,
)
from tracker.data.importers.core import Action, Column, Context, KindSpec, max_length, upsert
from tracker.data.importers.rows import Row
from tracker.measures.readiness import CHECK_COLUMNS
from tracker.models import LearnerReadiness

DATE_COLUMNS = tuple(CHECK_COLUMNS.values())


def _stored(session: Session, learner_ids: list[int]) -> dict[int, LearnerReadiness]:
    """Stored readiness of these learners, by learner id (one row each at most)."""
    found = rows_where(session, LearnerReadiness, LearnerReadiness.learner_id, learner_ids)
    return {r.learner_id: r for r in found}


def _values(row: Row) -> dict[str, object]:
    """The columns the file has: each date (None when the cell is empty) and the note."""
    values: dict[str, object] = {
        column: row.day(column, required=False) for column in DATE_COLUMNS if row.has(column)
    }
    if row.has("note"):
        values["note"] = row.text("note", required=False, limit=max_length(LearnerReadiness.note))
    return values


def plan_readiness(ctx: Context, rows: list[Row]) -> list[Action]:
    editable = editable_learners(ctx, rows, may_edit_readiness)
    stored = _stored(ctx.session, [lr.id for lr in editable.values() if lr.id is not None])
    seen: dict[str, int] = {}
    actions = []
    for row in rows:
        ref, learner = learner_named(row, editable)
        if ref is not None:
            row.first_time(seen, ref, "learner_ref", "learner reference")
        values = _values(row)
        if row.bad or ref is None or learner is None or learner.id is None:
            continue
        actions.append(
            upsert(
                LearnerReadiness,
                stored.get(learner.id),
                ref,
                values,
                create={"learner_id": learner.id},
                bump_version=True,
                after=stamped(ctx.now),
            )
        )
    return actions


def _until(check: str) -> str:
    return f"last day the {check} is in date, YYYY-MM-DD; empty: not done"


READINESS = KindSpec(
    kind="readiness",
    description=(
        "Learners' readiness for placement: DBS check, occupational health clearance and "
        "mandatory training, each with the last day it is in date."
    ),
    access="hei",
    roles=READINESS_KEEPERS,
    planner=plan_readiness,
    one_of_columns=DATE_COLUMNS,
    columns=(
        OWN_LEARNER,
        Column("dbs_valid_until", _until("DBS check")),
        Column("occupational_health_valid_until", _until("occupational health clearance")),
        Column("mandatory_training_valid_until", _until("mandatory training")),
        Column("note", "optional, at most 500 characters; no health or personal details"),
    ),
)
