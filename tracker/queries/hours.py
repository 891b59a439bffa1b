"""Practice hours: learners' progress against their programme's requirement and their hours
records, scoped through ``tracker.access`` (an HEI user only ever gets its own learners).

"In training" is as for readiness (no completion, withdrawal or transfer out on or before
the day asked about). Progress is relative to the day the caller passes (the page passes
today), never read from the clock here; the measures are ``measures.hours``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlmodel import Session, col, func, select

from tracker.access import Principal, hei_scope, require_hours_reader, sees_learner_rows
from tracker.measures.hours import PROGRESS_COLUMNS, YEAR_COLUMNS, hours_by_year, hours_progress
from tracker.models import (
    Cohort,
    Learner,
    LearnerEvent,
    PracticeHours,
    PracticeRequirement,
    Programme,
)
from tracker.queries.filters import narrowed
from tracker.queries.joins import HEI, with_cohort
from tracker.queries.options import frame_of
from tracker.queries.readiness import ENDINGS

HOURS_FILTERS = {"hei": HEI.code, "programme": Programme.code}
LEARNER_COLUMNS = ["learner_id", "learner_ref", "hei", "programme", "intake", "start_date", "years"]
REQUIREMENT_COLUMNS = ["programme", "unit", "required", "year_split", "behind_margin"]
RECORD_COLUMNS = ["learner_id", "worked_on", "hours", "births", "status"]
PROGRESS_REGISTER = [
    "learner_ref",
    "hei",
    "programme",
    "intake",
    *[c for c in PROGRESS_COLUMNS if c not in ("learner_id", "programme", "behind")],
    "hours_status",
]
HOURS_REGISTER = [
    "id",
    "learner_ref",
    "hei",
    "programme",
    "worked_on",
    "period",
    "hours",
    "births",
    "absence_hours",
    "absence_reason",
    "sign_off",
    "signed_off_by",
    "note",
    "updated_at",
    "version",
]


def _learners_query(principal: Principal | None, today: date) -> Any:
    ended = select(LearnerEvent.learner_id).where(
        col(LearnerEvent.event).in_(ENDINGS), LearnerEvent.event_date <= today
    )
    query = select(  # type: ignore[call-overload]
        Learner.id,
        Learner.learner_ref,
        HEI.code,
        Programme.code,
        Cohort,
        Learner.start_date,
        Programme.years,
    )
    query = with_cohort(query, Learner.cohort_id).where(col(Learner.id).not_in(ended))
    scope = None if principal is None else hei_scope(principal)
    if scope is not None:
        query = query.where(Cohort.hei_id == scope)
    return query


def _learners(session: Session, query: Any) -> pd.DataFrame:
    rows = [
        {
            "learner_id": lid,
            "learner_ref": ref,
            "hei": hei,
            "programme": programme,
            "intake": cohort.intake,
            "start_date": start,
            "years": float(years),
        }
        for lid, ref, hei, programme, cohort, start, years in session.exec(query).all()
    ]
    return frame_of(rows, LEARNER_COLUMNS)


def requirements(session: Session) -> pd.DataFrame:
    """Every programme's practice requirements, by programme code (public configuration)."""
    query = select(PracticeRequirement, Programme.code).join(Programme)
    rows = [
        {
            "programme": code,
            "unit": r.unit,
            "required": r.required,
            "year_split": r.year_split,
            "behind_margin": r.behind_margin,
        }
        for r, code in session.exec(query).all()
    ]
    return frame_of(rows, REQUIREMENT_COLUMNS)


def _records(session: Session, learner_ids: Iterable[int]) -> pd.DataFrame:
    """The amounts of these learners' records (columns, not models: a whole system's hours
    are tens of thousands of rows and each page reads them)."""
    ids = list(learner_ids)
    columns = (
        PracticeHours.learner_id,
        PracticeHours.worked_on,
        PracticeHours.hours,
        PracticeHours.births,
        PracticeHours.status,
    )
    rows: list[tuple[object, ...]] = []
    for start in range(0, len(ids), 500):
        query = select(
            *columns
        ).where(  # type: ignore[call-overload]
            col(PracticeHours.learner_id).in_(ids[start : start + 500])
        )
        rows.extend(tuple(row) for row in session.exec(query).all())
    return pd.DataFrame(rows, columns=RECORD_COLUMNS) if rows else frame_of([], RECORD_COLUMNS)


def progress_frames(
    session: Session,
    *,
    principal: Principal | None,
    today: date,
    hei: Sequence[str] = (),
    programme: Sequence[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The learners in training on ``today`` this viewer may count (``principal`` None: every
    one, for the allocator and the aggregate report), their progress (``hours_progress``) and
    progress by year of study (``hours_by_year``)."""
    chosen = {"hei": hei, "programme": programme}
    learners = _learners(
        session, narrowed(_learners_query(principal, today), HOURS_FILTERS, chosen)
    )
    records = _records(session, learners["learner_id"])
    needs = requirements(session)
    progress = hours_progress(learners, records, needs, as_of=today)
    years = hours_by_year(learners, records, needs, as_of=today)
    return learners, progress, years


def _readable(principal: Principal) -> bool:
    require_hours_reader(principal)
    return sees_learner_rows(principal)


def hours_progress_register(
    session: Session,
    *,
    principal: Principal,
    today: date,
    hei: Sequence[str] = (),
    programme: Sequence[str] = (),
    behind_only: bool = False,
    status: Sequence[str] = (),
) -> pd.DataFrame:
    """One row per learner in training and requirement of their programme: completed,
    signed off, queried, expected on ``today``, the shortfall and on track or behind; the
    learners furthest behind first. HEI users get their own learners whatever ``hei`` says;
    ``status`` keeps the rows of those hours statuses (``on_track``, ``behind``)."""
    if not _readable(principal):  # pragma: no cover - HOURS_READERS excludes the collaborative
        return frame_of([], PROGRESS_REGISTER)
    learners, progress, _ = progress_frames(
        session, principal=principal, today=today, hei=hei, programme=programme
    )
    frame = progress.drop(columns=["programme"]).merge(learners, on="learner_id")
    frame["hours_status"] = frame["behind"].map({True: "behind", False: "on_track"})
    if behind_only:
        frame = frame[frame["behind"]]
    if status:
        frame = frame[frame["hours_status"].isin(list(status))]
    frame = frame.sort_values(
        ["behind", "shortfall", "learner_ref"], ascending=[False, False, True]
    )
    return frame[PROGRESS_REGISTER].reset_index(drop=True)


def hours_as_of(session: Session, *, today: date) -> date:
    """The day progress is measured on: today, or the last day of the latest week recorded if
    that is earlier. Hours arrive in batches (the practice assessment record's export), so
    measuring on a later day than the data would count every week since the last import as
    missed; as the pipeline's figures are as of its latest event, these are as of their
    latest record."""
    latest = session.exec(select(func.max(PracticeHours.worked_on))).one()
    if latest is None:
        return today
    return min(today, latest + timedelta(days=6))


def behind_summary(register: pd.DataFrame) -> tuple[int, int]:
    """Learners in a progress register and how many of them are behind on any requirement
    (a midwifery learner has a row per unit but counts once)."""
    per_learner = register.groupby("learner_ref")["hours_status"].agg(lambda s: "behind" in set(s))
    return len(per_learner), int(per_learner.sum())


def hours_year_register(
    session: Session, *, principal: Principal, today: date, learner_ref: str
) -> pd.DataFrame:
    """One learner's progress by year of study (empty for a learner this user may not read)."""
    if not _readable(principal):  # pragma: no cover - HOURS_READERS excludes the collaborative
        return frame_of([], YEAR_COLUMNS)
    learners, _, years = progress_frames(session, principal=principal, today=today)
    ids = learners.loc[learners["learner_ref"] == learner_ref, "learner_id"]
    return years[years["learner_id"].isin(ids)].drop(columns=["learner_id"]).reset_index(drop=True)


def hours_records(
    session: Session,
    *,
    principal: Principal,
    hei: Sequence[str] = (),
    programme: Sequence[str] = (),
    learner_ref: str | None = None,
) -> pd.DataFrame:
    """Practice hours records, newest first, with the learner's HEI and programme."""
    if not _readable(principal):  # pragma: no cover - HOURS_READERS excludes the collaborative
        return frame_of([], HOURS_REGISTER)
    query = select(PracticeHours, Learner.learner_ref, HEI.code, Programme.code).join(
        Learner, col(Learner.id) == PracticeHours.learner_id
    )
    query = narrowed(
        with_cohort(query, Learner.cohort_id), HOURS_FILTERS, {"hei": hei, "programme": programme}
    )
    scope = hei_scope(principal)
    if scope is not None:
        query = query.where(Cohort.hei_id == scope)
    if learner_ref:
        query = query.where(Learner.learner_ref == learner_ref)
    query = query.order_by(col(PracticeHours.worked_on).desc(), col(Learner.learner_ref))
    rows = []
    for h, ref, hei_code, programme_code in session.exec(query).all():
        stored = {c: getattr(h, c) for c in HOURS_REGISTER if hasattr(h, c)}
        rows.append(
            {
                **stored,
                "learner_ref": ref,
                "hei": hei_code,
                "programme": programme_code,
                "sign_off": h.status,
            }
        )
    frame = frame_of(rows, HOURS_REGISTER)
    frame["updated_at"] = pd.to_datetime(frame["updated_at"], utc=True)
    return frame


def behind_learners(session: Session, *, learner_ids: Iterable[int], today: date) -> set[int]:
    """Which of these learners are behind on practice hours on ``today`` (any requirement of
    their programme): stage 2 places them first. Whole-system read (no viewer)."""
    wanted = set(learner_ids)
    if not wanted:
        return set()
    learners = _learners(
        session, _learners_query(None, today).where(col(Learner.id).in_(list(wanted)))
    )
    progress = hours_progress(
        learners, _records(session, wanted), requirements(session), as_of=today
    )
    return {int(i) for i in progress.loc[progress["behind"], "learner_id"]}
