"""Learner pipeline reads: learners, events and cohorts as the measures' input frames.

Every read is scoped through ``tracker.access``: an HEI user's learner rows are only ever
their own HEI's. System comparisons for such a user are built from ``system_frames``, in
which other HEIs are anonymised, and services hand back only disclosure-controlled
aggregates of them (see ``tracker.services.pipeline_reports``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlencode

import numpy as np
import pandas as pd
from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlmodel import Session, select

from tracker.access import Principal, hei_scope
from tracker.cache import PIPELINE_DATA, memo_per_version
from tracker.measures.status import EVENT_COLUMNS, intake_academic_year
from tracker.models import (
    Cohort,
    Learner,
    LearnerEvent,
    Organisation,
    OrgKind,
    Programme,
)
from tracker.queries.joins import HEI, with_hei_and_programme
from tracker.vocabulary import PROFESSION_GROUPS, ROUTES

COHORT_COLUMNS = ("hei", "programme", "profession_group", "route", "intake", "commissioned_places")
#: What other HEIs are called in the frames an HEI user's comparison is built from.
OTHER_HEI = "other"


@dataclass(frozen=True)
class PipelineFilters:
    """The filter bar's selection: codes per dimension; an empty tuple means "all".

    Frozen and made of tuples so it can be compared, hashed and round-tripped through the
    URL (``?hei=UOB,BCU&intake_year=2023/24``), which is how a view is shared.
    """

    profession_group: tuple[str, ...] = ()
    programme: tuple[str, ...] = ()
    hei: tuple[str, ...] = ()
    intake_year: tuple[str, ...] = ()
    route: tuple[str, ...] = ()

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> PipelineFilters:
        """From Dash's ``layout(**query)`` keywords (or any mapping); unknown keys ignored.

        Values may be comma-separated strings or lists of them, so the same parser serves
        page keywords, parsed search strings and dropdown values.
        """
        values: dict[str, tuple[str, ...]] = {}
        for name in cls.names():
            raw = query.get(name)
            if raw is None:
                continue
            items = [raw] if isinstance(raw, str) else list(raw)
            codes = [c.strip() for item in items for c in str(item).split(",") if c.strip()]
            values[name] = tuple(dict.fromkeys(codes))
        return cls(**values)

    @classmethod
    def from_search(cls, search: str | None) -> PipelineFilters:
        """From a location search string such as ``?hei=UOB&route=degree``."""
        parsed = parse_qs((search or "").lstrip("?"))
        return cls.from_query({k: ",".join(v) for k, v in parsed.items()})

    def to_query(self) -> str:
        """The search string for the URL ("" when nothing is selected)."""
        pairs = [(name, ",".join(getattr(self, name))) for name in self.names()]
        pairs = [(k, v) for k, v in pairs if v]
        return "?" + urlencode(pairs, safe="/,") if pairs else ""

    def without(self, *names: str) -> PipelineFilters:
        """The same selection with some dimensions reset to "all" (e.g. the system view)."""
        return replace(self, **{name: () for name in names})

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.names())


@dataclass(frozen=True)
class PipelineFrames:
    """The measures' input contract (see ``tracker.measures.status``)."""

    learners: pd.DataFrame
    events: pd.DataFrame
    cohorts: pd.DataFrame


@dataclass(frozen=True)
class FilterOptions:
    """(code, label) choices for each filter the user may pick from."""

    profession_group: list[tuple[str, str]]
    programme: list[tuple[str, str]]
    hei: list[tuple[str, str]]
    intake_year: list[tuple[str, str]]
    route: list[tuple[str, str]]


@dataclass(frozen=True)
class _System:
    """Every cohort, learner and event of the database, read once per data version.

    Dashboards filter this in memory: reading 60,000 learners and 100,000 events took
    seconds per request, filtering them takes milliseconds. ``cohort_rows`` carries what
    the filters and the HEI scope select on; ``learner_cohort`` is each learner row's cohort.
    """

    cohort_rows: pd.DataFrame
    learner_cohort: np.ndarray
    frames: PipelineFrames


def _read_system(session: Session) -> _System:
    """Cohorts, learners and events in three column reads, joined in memory by cohort id."""
    cohorts = _read_cohorts(session)
    raw = frame_of(
        session,
        select_columns(  # type: ignore[call-overload]
            Learner.id, Learner.learner_ref, Learner.cohort_id, Learner.start_date
        ).order_by(Learner.id),
        ["learner_id", "learner_ref", "cohort_id", "start"],
    )
    cohort_frame = cohorts.loc[:, list(COHORT_COLUMNS)].copy()
    cohort_frame["commissioned_places"] = cohort_frame["commissioned_places"].astype("int64")
    return _System(
        cohort_rows=cohorts,
        learner_cohort=raw["cohort_id"].to_numpy("int64"),
        frames=PipelineFrames(
            learners=_learner_frame(raw, cohorts.set_index("cohort_id")),
            events=_read_events(session),
            cohorts=cohort_frame,
        ),
    )


def _read_cohorts(session: Session) -> pd.DataFrame:
    """Every cohort with its HEI and programme, and its intake as a month and academic year."""
    # Plain SQLAlchemy select for column tuples: SQLModel's typed select stops at four.
    cohort_stmt = select_columns(  # type: ignore[call-overload]
        Cohort.id,
        HEI.id,
        HEI.code,
        Programme.code,
        Programme.profession_group,
        Programme.route,
        Programme.years,
        Cohort.intake_year,
        Cohort.intake_month,
        Cohort.commissioned_places,
    )
    cohort_stmt = with_hei_and_programme(
        cohort_stmt, hei_id=Cohort.hei_id, programme_id=Cohort.programme_id
    ).order_by(Cohort.id)
    cohorts = frame_of(
        session,
        cohort_stmt,
        [
            "cohort_id",
            "hei_id",
            "hei",
            "programme",
            "profession_group",
            "route",
            "years",
            "intake_year_num",
            "intake_month",
            "commissioned_places",
        ],
    )
    cohorts["intake"] = [
        f"{int(y):04d}-{int(m):02d}"
        for y, m in zip(cohorts["intake_year_num"], cohorts["intake_month"], strict=True)
    ]
    cohorts["intake_year"] = intake_academic_year(cohorts["intake"]) if len(cohorts) else ""
    return cohorts


def _learner_frame(raw: pd.DataFrame, info: pd.DataFrame) -> pd.DataFrame:
    """Learner rows in the measures' shape: each carries its cohort's HEI, programme and intake."""
    cohort = raw["cohort_id"]
    return pd.DataFrame(
        {
            "learner_id": raw["learner_id"].astype("int64"),
            "learner_ref": raw["learner_ref"].astype(object),
            "hei": cohort.map(info["hei"]).astype(object),
            "programme": cohort.map(info["programme"]).astype(object),
            "profession_group": cohort.map(info["profession_group"]).astype(object),
            "route": cohort.map(info["route"]).astype(object),
            "intake": cohort.map(info["intake"]).astype(object),
            "start_date": pd.to_datetime(raw["start"]),
            "years": cohort.map(info["years"]).astype(float),
        }
    )


def _read_events(session: Session) -> pd.DataFrame:
    """Every learner event in date order, typed as ``tracker.measures.status`` expects."""
    events = frame_of(
        session,
        select_columns(  # type: ignore[call-overload]
            LearnerEvent.learner_id,
            LearnerEvent.event_date,
            LearnerEvent.event,
            LearnerEvent.reason,
        ).order_by(LearnerEvent.learner_id, LearnerEvent.event_date, LearnerEvent.id),
        list(EVENT_COLUMNS),
    )
    events["learner_id"] = events["learner_id"].astype("int64")
    events["date"] = pd.to_datetime(events["date"])
    events["event"] = events["event"].astype(object)
    events["reason"] = events["reason"].astype(object)
    return events


def frame_of(session: Session, stmt: Any, names: list[str]) -> pd.DataFrame:
    """A statement's rows as a frame, without building a Python object per row and cell."""
    rows = session.execute(stmt).all()
    data = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return pd.DataFrame(
        {name: pd.Series(list(col), dtype=object) for name, col in zip(names, data, strict=True)}
    )


def _system(session: Session) -> _System:
    return memo_per_version(
        session, "pipeline_system", PIPELINE_DATA, lambda: _read_system(session)
    )


def _frames(session: Session, *, hei_id: int | None, filters: PipelineFilters) -> PipelineFrames:
    system = _system(session)
    rows = system.cohort_rows
    keep = np.ones(len(rows), dtype=bool)
    if hei_id is not None:
        keep &= (rows["hei_id"] == hei_id).to_numpy()
    for name, column in (
        ("hei", "hei"),
        ("programme", "programme"),
        ("profession_group", "profession_group"),
        ("route", "route"),
        ("intake_year", "intake_year"),
    ):
        chosen = getattr(filters, name)
        if chosen:
            keep &= rows[column].isin(chosen).to_numpy()
    whole = system.frames
    if keep.all():
        return whole
    learner_rows = np.isin(system.learner_cohort, rows.loc[keep, "cohort_id"].to_numpy("int64"))
    learners = whole.learners.loc[learner_rows].reset_index(drop=True)
    event_rows = np.isin(whole.events["learner_id"].to_numpy(), learners["learner_id"].to_numpy())
    return PipelineFrames(
        learners=learners,
        events=whole.events.loc[event_rows].reset_index(drop=True),
        cohorts=whole.cohorts.loc[keep].reset_index(drop=True),
    )


def pipeline_frames(
    session: Session, *, principal: Principal, filters: PipelineFilters
) -> PipelineFrames:
    """The learners, events and cohorts this user may read, narrowed by the filters.

    An HEI user gets only their own HEI's rows whatever the filters ask for.
    """
    return _frames(session, hei_id=hei_scope(principal), filters=filters)


def system_frames(
    session: Session, *, principal: Principal, filters: PipelineFilters
) -> PipelineFrames:
    """Whole-system frames for comparisons: only ever summarised before they are shown.

    For a user limited to one HEI, other HEIs' learners keep no reference and their HEI
    is called ``OTHER_HEI``, so nothing that leaves this function can name a learner or
    another HEI even if a caller forgot to aggregate; services then return the system
    figures to such a user only as disclosure-controlled aggregates.
    """
    frames = _frames(session, hei_id=None, filters=filters)
    own = hei_scope(principal)
    if own is None:
        return frames
    own_code = principal.hei_code
    learners = frames.learners.copy()
    others = learners["hei"] != own_code
    learners.loc[others, "learner_ref"] = ""
    learners.loc[others, "hei"] = OTHER_HEI
    cohorts = frames.cohorts.copy()
    cohorts.loc[cohorts["hei"] != own_code, "hei"] = OTHER_HEI
    return PipelineFrames(learners=learners, events=frames.events, cohorts=cohorts)


def latest_event_date(session: Session) -> date | None:
    """The date the figures are as of: the last event recorded, never today's date, so a
    page, an export and a test run later all describe the same data the same way."""
    value = session.exec(select(func.max(LearnerEvent.event_date))).one()
    return value if isinstance(value, date) or value is None else date.fromisoformat(str(value))


def filter_options(session: Session, *, principal: Principal) -> FilterOptions:
    """Choices for the filter bar; an HEI user is offered only their own HEI."""
    scope = hei_scope(principal)
    heis = select(Organisation.code, Organisation.name).where(
        Organisation.kind == OrgKind.HEI.value
    )
    if scope is not None:
        heis = heis.where(Organisation.id == scope)
    programmes = select(Programme.code, Programme.name).order_by(Programme.name)
    intakes = select(Cohort.intake_year, Cohort.intake_month).distinct()
    if scope is not None:
        programmes = programmes.where(
            Programme.id.in_(  # type: ignore[union-attr]
                select(Cohort.programme_id).where(Cohort.hei_id == scope)
            )
        )
        intakes = intakes.where(Cohort.hei_id == scope)
    intake_rows = session.exec(intakes).all()
    years = sorted(
        set(intake_academic_year(pd.Series([f"{y:04d}-{m:02d}" for y, m in intake_rows])).tolist())
        if intake_rows
        else set()
    )
    return FilterOptions(
        profession_group=list(PROFESSION_GROUPS.items()),
        programme=[(code, f"{name} ({code})") for code, name in session.exec(programmes).all()],
        hei=[(code, name) for code, name in session.exec(heis.order_by(Organisation.name)).all()],
        intake_year=[(y, y) for y in years],
        route=list(ROUTES.items()),
    )
