"""The learner readiness register: every learner in training with their checks and whether
they may be placed, scoped through ``tracker.access`` (an HEI user only ever gets its own).

"In training" means no completion, withdrawal or transfer out recorded on or before the day
asked about; a learner with no readiness row is listed too, as not ready. Statuses are
relative to the day and horizon the caller passes (the page passes today), never read from
the clock here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlmodel import Session, col, select

from tracker.access import Principal, hei_scope, require_readiness_reader, sees_learner_rows
from tracker.measures.readiness import (
    CHECK_COLUMNS,
    EXPIRING,
    EXPIRY_WINDOW,
    NOT_READY,
    STATUSES,
    readiness_columns,
)
from tracker.models import Cohort, EventType, Learner, LearnerEvent, LearnerReadiness, Programme
from tracker.queries.filters import narrowed
from tracker.queries.joins import HEI, with_cohort
from tracker.queries.options import frame_of
from tracker.vocabulary import READINESS_CHECKS

ENDINGS = (EventType.COMPLETED.value, EventType.WITHDREW.value, EventType.TRANSFERRED_OUT.value)

READINESS_COLUMNS = [
    "id",  # the learner's: every learner has a row, recorded or not
    "learner_ref",
    "hei",
    "programme",
    "intake",
    *CHECK_COLUMNS.values(),
    "ready_until",
    "first_to_expire",
    "not_recorded",
    "readiness_status",
    "note",
    "updated_at",
    "version",  # None: no readiness recorded yet
]
#: The register's code filters (``queries.filters.narrowed``); readiness statuses are derived,
#: so they filter the frame, not the query.
READINESS_FILTERS = {"hei": HEI.code, "programme": Programme.code}
_STORED = ["id", "learner_ref", "hei", "programme", "intake", *CHECK_COLUMNS.values(), "note"]


def _in_training(principal: Principal, today: date):  # type: ignore[no-untyped-def]
    ended = select(LearnerEvent.learner_id).where(
        col(LearnerEvent.event).in_(ENDINGS), LearnerEvent.event_date <= today
    )
    query = select(  # type: ignore[call-overload]
        Learner.id, Learner.learner_ref, HEI.code, Programme.code, Cohort, LearnerReadiness
    )
    query = with_cohort(query, Learner.cohort_id).outerjoin(
        LearnerReadiness, col(LearnerReadiness.learner_id) == Learner.id
    )
    query = query.where(col(Learner.id).not_in(ended))
    scope = hei_scope(principal)
    if scope is not None:
        query = query.where(Cohort.hei_id == scope)
    return query


def readiness_register(
    session: Session,
    *,
    principal: Principal,
    today: date,
    horizon: date | None = None,
    hei: Sequence[str] = (),
    programme: Sequence[str] = (),
    status: Sequence[str] = (),
) -> pd.DataFrame:
    """Learners in training on ``today`` with their readiness, most urgent first (not ready,
    then expiring, then ready; earliest "ready until" first within each).

    A learner is "expiring" when in date on ``today`` but not through ``horizon`` (default:
    60 days on). Filters are HEI and programme codes and readiness statuses; empty means all.
    HEI users get their own HEI's learners whatever ``hei`` says; the collaborative role,
    which sees no learner-level rows, is refused.
    """
    require_readiness_reader(principal)
    if not sees_learner_rows(principal):  # pragma: no cover - READINESS_READERS excludes it
        return frame_of([], READINESS_COLUMNS)
    chosen = {"hei": hei, "programme": programme}
    query = narrowed(_in_training(principal, today), READINESS_FILTERS, chosen)
    query = query.order_by(col(Learner.learner_ref))
    rows, meta = [], []
    for learner_id, ref, hei_code, programme_code, cohort, readiness in session.exec(query).all():
        stored = {c: getattr(readiness, c, None) for c in CHECK_COLUMNS.values()}
        rows.append(
            {
                "id": learner_id,
                "learner_ref": ref,
                "hei": hei_code,
                "programme": programme_code,
                "intake": cohort.intake,
                **stored,
                "note": getattr(readiness, "note", None),
            }
        )
        meta.append((getattr(readiness, "updated_at", None), getattr(readiness, "version", None)))
    frame = frame_of(rows, _STORED)
    frame = readiness_columns(frame, today=today, horizon=horizon or today + EXPIRY_WINDOW)
    frame["not_recorded"] = [", ".join(READINESS_CHECKS[c] for c in m) for m in frame["missing"]]
    frame["updated_at"] = pd.to_datetime(
        pd.Series([m[0] for m in meta], index=frame.index, dtype=object), utc=True
    )
    frame["version"] = pd.Series([m[1] for m in meta], index=frame.index, dtype=object)
    if status:
        frame = frame[frame["readiness_status"].isin(list(status))]
    order = frame["readiness_status"].map({s: i for i, s in enumerate(reversed(STATUSES))})
    until = pd.to_datetime(frame["ready_until"])
    frame = frame.assign(_order=order, _until=until).sort_values(
        ["_order", "_until", "learner_ref"], na_position="first", kind="stable"
    )
    return frame[READINESS_COLUMNS].reset_index(drop=True)


def readiness_attention(
    session: Session, *, principal: Principal, today: date, horizon: date | None = None
) -> pd.DataFrame:
    """The Home card: learners in training who are not ready, or whose checks lapse within
    60 days (or before ``horizon``), most urgent first."""
    return readiness_register(
        session, principal=principal, today=today, horizon=horizon, status=(NOT_READY, EXPIRING)
    )
