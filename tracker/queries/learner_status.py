"""The learner status projection (``learner_status`` table) and the rows it is folded from.

The projection is each learner's event log folded once (``measures.status.status_projection``);
``services.learner_status`` keeps it. Reading it gives ``learner_status`` without replaying
events (``measures.status.status_from_projection``), equal to the replay whenever the as-of
date is on or after the latest event, as the dashboards' is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from tracker.measures.status import EVENT_COLUMNS, LEARNER_COLUMNS, PROJECTION_COLUMNS
from tracker.models import Cohort, Learner, LearnerEvent, LearnerStatus, Programme
from tracker.queries.joins import HEI, with_cohort
from tracker.queries.pipeline import frame_of

#: Ids per IN list: well under SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 5_000
#: The grouping columns the projection keeps beside the folded log, as database ids.
KEYS = ("cohort_id", "hei_id", "programme_id", "intake")
_DATES = ("start_event_date", "status_date", "interrupted_since", "start_date", "due_date")


def chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """`ids` in lists of at most ``CHUNK`` (sorted, distinct)."""
    ordered = sorted(set(ids))
    for first in range(0, len(ordered), CHUNK):
        yield ordered[first : first + CHUNK]


def _learner_stmt() -> Any:
    stmt = select(  # type: ignore[call-overload]
        Learner.id,
        Learner.learner_ref,
        HEI.code,
        Programme.code,
        Programme.profession_group,
        Programme.route,
        Cohort.intake_year,
        Cohort.intake_month,
        Learner.start_date,
        Programme.years,
        Learner.cohort_id,
        Cohort.hei_id,
        Cohort.programme_id,
    ).select_from(Learner)
    return with_cohort(stmt, Learner.cohort_id)


def source_rows(
    session: Session, learner_ids: Iterable[int] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The learners (measures' columns plus cohort, HEI and programme ids) and their events,
    for `learner_ids` or, when None, every learner."""
    names = [*LEARNER_COLUMNS[:7], "intake_month", "start_date", "years", *KEYS[:3]]
    learner_parts, event_parts = [], []
    events = select(  # type: ignore[call-overload]
        LearnerEvent.learner_id, LearnerEvent.event_date, LearnerEvent.event, LearnerEvent.reason
    )
    batches: Iterable[list[int] | None] = [None] if learner_ids is None else chunks(learner_ids)
    for batch in batches:
        learner_stmt, event_stmt = _learner_stmt(), events
        if batch is not None:
            learner_stmt = learner_stmt.where(Learner.id.in_(batch))  # type: ignore[union-attr]
            event_stmt = event_stmt.where(LearnerEvent.learner_id.in_(batch))  # type: ignore[attr-defined]
        learner_parts.append(frame_of(session, learner_stmt, names))
        event_parts.append(frame_of(session, event_stmt, list(EVENT_COLUMNS)))
    learners = pd.concat(learner_parts, ignore_index=True)
    learners["intake"] = [
        f"{int(y):04d}-{int(m):02d}"
        for y, m in zip(learners.pop("intake"), learners.pop("intake_month"), strict=True)
    ]
    learners["learner_id"] = learners["learner_id"].astype("int64")
    learners["start_date"] = pd.to_datetime(learners["start_date"])
    learners["years"] = learners["years"].astype(float)
    events = pd.concat(event_parts, ignore_index=True)
    events["learner_id"] = events["learner_id"].astype("int64")
    events["date"] = pd.to_datetime(events["date"])
    return learners, events


def projected_rows(session: Session) -> pd.DataFrame:
    """Every row of the projection, dates as timestamps, by learner_id."""
    table = LearnerStatus.__table__  # type: ignore[attr-defined]
    names = ["learner_id", *KEYS, *PROJECTION_COLUMNS]
    rows = frame_of(session, select(*(table.c[n] for n in names)), names)
    for column in _DATES:
        rows[column] = pd.to_datetime(rows[column])
    for column in ("learner_id", "interrupted_closed"):
        rows[column] = rows[column].astype("int64")
    for column in ("transferred_in", "employed_local", "employed_elsewhere", "completed_on_time"):
        rows[column] = rows[column].astype(bool)
    return rows.sort_values("learner_id", kind="stable").reset_index(drop=True)
