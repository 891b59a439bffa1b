"""Keeping the learner status projection (``learner_status``): derived, never edited by hand.

Each learner's row is their event log folded once by the measures' own code
(``measures.status.status_projection``), so it cannot drift from the event-by-event
definition. It is refreshed for the learners an import names, in the import's transaction
(``services.imports.apply_import``), rebuilt whole by ``python -m tracker rebuild-status``, by
the demo and by migration 0020. Nothing else writes it.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlmodel import Session, col

from tracker.measures.status import PROJECTION_COLUMNS, status_projection
from tracker.models import Learner, LearnerStatus
from tracker.queries.learner_status import KEYS, chunks, source_rows

#: Import kinds whose rows change learners' events or cohorts, and so their projection.
PROJECTED_KINDS = frozenset({"learners", "learner-events"})
_DATES = ("start_event_date", "status_date", "interrupted_since", "start_date", "due_date")


def _records(learners: pd.DataFrame, events: pd.DataFrame) -> list[dict[str, object]]:
    """Projection rows as plain Python values (dates, None for missing), ready to insert."""
    rows = status_projection(learners, events).merge(
        learners[["learner_id", *KEYS]], on="learner_id", how="left"
    )
    rows = rows.astype(object).where(rows.notna(), None)
    for column in _DATES:
        rows[column] = [None if v is None else pd.Timestamp(v).date() for v in rows[column]]
    for column in ("learner_id", "interrupted_closed", *KEYS[:3]):
        rows[column] = rows[column].map(int)
    names = ["learner_id", *KEYS, *PROJECTION_COLUMNS]
    return [dict(zip(names, values, strict=True)) for values in rows[names].itertuples(index=False)]


def refresh_learner_status(session: Session, learner_ids: Iterable[int]) -> int:
    """Fold again the events of `learner_ids` and replace their rows; returns how many."""
    ids = sorted(set(int(i) for i in learner_ids))
    if not ids:
        return 0
    table = LearnerStatus.__table__  # type: ignore[attr-defined]
    for batch in chunks(ids):
        session.execute(delete(table).where(table.c.learner_id.in_(batch)))
    learners, events = source_rows(session, ids)
    return _insert(session, learners, events)


def rebuild_learner_status(session: Session) -> int:
    """Every learner's row from scratch (the command, the demo, the migration)."""
    session.execute(delete(LearnerStatus.__table__))  # type: ignore[attr-defined]
    learners, events = source_rows(session)
    return _insert(session, learners, events)


def _insert(session: Session, learners: pd.DataFrame, events: pd.DataFrame) -> int:
    if learners.empty:
        return 0
    records = _records(learners, events)
    table = LearnerStatus.__table__  # type: ignore[attr-defined]
    for first in range(0, len(records), 10_000):
        session.execute(insert(table), records[first : first + 10_000])
    return len(records)


def refresh_for_refs(session: Session, refs: Iterable[str]) -> int:
    """Refresh the learners these references name (an import's rows), after it is applied."""
    wanted = sorted({str(r) for r in refs if isinstance(r, str) and r})
    ids: list[int] = []
    for first in range(0, len(wanted), 5_000):
        batch = wanted[first : first + 5_000]
        found = select(col(Learner.id)).where(col(Learner.learner_ref).in_(batch))
        ids += [int(i) for i in session.execute(found).scalars()]
    return refresh_learner_status(session, ids)
