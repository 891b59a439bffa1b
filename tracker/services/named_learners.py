"""Stage 2: name the learners who fill each request's places in a finished plan, with their
practice supervisor and assessor where the settings name their staff.

One transaction with its audit row. Named placements sit beside the request-level rows of the
same run (``learner_id`` set); queries keep the two apart. Learners left without a place (or
without staff) are kept per run with the rule's code and reason (``UnassignedLearner``).
Once the practice staff register lists active staff at any of the plan's settings,
``services.named_staff`` feeds ``optimise.practice.assign_staff`` from the registers; until
then learners are named as before, without staff (``optimise.assign_learners``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

import pandas as pd
from sqlmodel import Session, col, select

from tracker import optimise
from tracker.access import Principal
from tracker.clock import utcnow
from tracker.models import (
    Learner,
    LearnerEvent,
    Placement,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    PlacementStatus,
    RunStatus,
    UnassignedLearner,
)
from tracker.queries.hours import behind_learners, hours_as_of
from tracker.services.allocation import (
    AllocationRefused,
    run_or_refuse,
    staff_only,
)
from tracker.services.audit import record_audit
from tracker.services.named_staff import Gap, NamedRow, assign_with_staff

_ACTIVE_LEARNER_EVENTS = frozenset({"started", "returned", "transferred_in"})


def _active_learners(session: Session, cohort_id: int, on: Any) -> list[Learner]:
    learners = session.exec(
        select(Learner).where(Learner.cohort_id == cohort_id).order_by(Learner.learner_ref)
    ).all()
    events = session.exec(
        select(LearnerEvent)
        .join(Learner)
        .where(Learner.cohort_id == cohort_id, LearnerEvent.event_date <= on)
        .order_by(col(LearnerEvent.event_date), col(LearnerEvent.id))
    ).all()
    last: dict[int, str] = {}
    for event in events:
        last[event.learner_id] = event.event
    return [x for x in learners if x.id not in last or last[x.id] in _ACTIVE_LEARNER_EVENTS]


def _clear_named(session: Session, run_id: int) -> None:
    """Remove the run's earlier names, refusing when some already went on (cancelled or
    completed placements cannot be reassigned)."""
    named = session.exec(
        select(Placement).where(Placement.run_id == run_id, col(Placement.learner_id).is_not(None))
    ).all()
    if any(
        p.status in (PlacementStatus.CANCELLED.value, PlacementStatus.COMPLETED.value)
        for p in named
    ):
        raise AllocationRefused(
            "Some named placements of this run are already cancelled or "
            "completed: they can no longer be reassigned."
        )
    for row in named:
        session.delete(row)
    for gap in session.exec(select(UnassignedLearner).where(UnassignedLearner.run_id == run_id)):
        session.delete(gap)
    session.flush()


def _learners_for(
    session: Session, plan: Sequence[Placement], setting_rows: Mapping[int | None, PlacementSetting]
) -> pd.DataFrame:
    """The learners who may fill the plan's requests, one row each with their request's
    origin, their travel limit and the sectors they have had."""
    requests = {
        r.id: r
        for r in session.exec(
            select(PlacementRequest).where(
                col(PlacementRequest.id).in_({p.request_id for p in plan})
            )
        ).all()
    }
    blocks = {b.id: b for b in session.exec(select(PlacementBlock)).all()}
    had = _sectors_had(session, setting_rows)
    behind = _behind_on_hours(session, {r.cohort_id for r in requests.values()})
    learner_rows: list[dict[str, Any]] = []
    taken: set[int] = set()
    for request in sorted(requests.values(), key=lambda r: r.code):
        pool = [
            x
            for x in _active_learners(
                session, request.cohort_id, blocks[request.block_id].start_date
            )
            if x.id not in taken
        ]
        # learners behind on practice hours first: they fill the request before the others
        pool.sort(key=lambda x: x.id not in behind)
        chosen = pool[: request.learners]
        taken.update(x.id for x in chosen if x.id is not None)
        learner_rows += [
            {
                "learner_id": str(x.id),
                "request_id": str(request.id),
                "lat": request.lat,
                "lon": request.lon,
                "max_distance_km": x.max_travel_km,
                "sectors_had": ";".join(sorted(had.get(x.id or 0, set()))),
                "behind_on_hours": "yes" if x.id in behind else "",
            }
            for x in chosen
        ]
    return pd.DataFrame(learner_rows, columns=LEARNER_COLUMNS)


LEARNER_COLUMNS = [
    "learner_id",
    "request_id",
    "lat",
    "lon",
    "max_distance_km",
    "sectors_had",
    "behind_on_hours",
]


def _behind_on_hours(session: Session, cohort_ids: set[int]) -> set[int]:
    """The learners of these cohorts behind on practice hours, measured as the hours pages
    measure (``queries.hours.hours_as_of``): stage 2 places them first."""
    ids = session.exec(select(Learner.id).where(col(Learner.cohort_id).in_(cohort_ids))).all()
    as_of = hours_as_of(session, today=utcnow().date())
    return behind_learners(session, learner_ids=[i for i in ids if i is not None], today=as_of)


def _store_named(
    session: Session,
    run_id: int,
    named: Sequence[NamedRow],
    gaps: Sequence[Gap],
    status: PlacementStatus,
) -> None:
    """One placement row per learner given a setting (with their staff, where named), and
    one row per learner left without, with the reason. A learner of a run on the programme
    calendars keeps the dates of the request-level placement they fill."""
    now = utcnow()
    planned = session.exec(
        select(Placement).where(Placement.run_id == run_id, col(Placement.learner_id).is_(None))
    ).all()
    dates = {(p.request_id, p.setting_id, p.block_id): (p.start_date, p.end_date) for p in planned}
    for row in named:
        start, end = dates.get((row.request_id, row.setting_id, row.block_id), (None, None))
        session.add(
            Placement(
                run_id=run_id,
                request_id=row.request_id,
                learner_id=row.learner_id,
                setting_id=row.setting_id,
                block_id=row.block_id,
                learners=1,
                status=status.value,
                updated_at=now,
                practice_supervisor_id=row.supervisor_id,
                practice_assessor_id=row.assessor_id,
                start_date=start,
                end_date=end,
            )
        )
    session.add_all(UnassignedLearner(run_id=run_id, **asdict(gap)) for gap in gaps)


def _without_staff(
    plan: Sequence[Placement],
    people: pd.DataFrame,
    setting_rows: Mapping[int | None, PlacementSetting],
) -> tuple[list[NamedRow], list[Gap]]:
    """Today's stage 2, for plans whose settings name no staff: places only."""
    stage_one = pd.DataFrame(
        [
            {
                "request_id": str(p.request_id),
                "setting_id": str(p.setting_id),
                "block": str(p.block_id),
                "learners": p.learners,
            }
            for p in plan
        ],
        columns=["request_id", "setting_id", "block", "learners"],
    )
    settings = pd.DataFrame(
        [
            {"setting_id": str(s.id), "sector": s.sector, "lat": s.lat, "lon": s.lon}
            for s in setting_rows.values()
        ],
        columns=["setting_id", "sector", "lat", "lon"],
    )
    if not len(people):
        return [], []
    assigned = optimise.assign_learners(stage_one, people, settings)
    named, gaps = [], []
    for row in assigned.itertuples(index=False):
        if row.setting_id is None or pd.isna(row.setting_id):
            code = row.reason_code if isinstance(row.reason_code, str) else "no_place"
            why = row.reason if isinstance(row.reason, str) else "no place was left"
            gaps.append(Gap(int(row.learner_id), int(row.request_id), code, why))
        else:
            named.append(
                NamedRow(
                    int(row.learner_id),
                    int(row.request_id),
                    int(row.setting_id),
                    int(row.block),
                    None,
                    None,
                )
            )
    return named, gaps


def assign_named_learners(session: Session, *, principal: Principal, run_id: int) -> dict[str, int]:
    """Second stage: name the learners who fill each request's places in this plan.

    Each request is filled from its cohort's learners who are still on the programme at the
    start of the block (in learner reference order, sharing a cohort between its requests in
    that block), honouring each learner's own travel limit and preferring a sector they have
    not had yet. Earlier names of this run are replaced, so it can be repeated after edits.
    Learner records hold only a postcode district, so each learner travels from their
    request's origin (the one stage 1 measured distances from) when the limit is checked.

    With named staff at the plan's settings, each learner also gets a practice supervisor and
    a practice assessor (or a practice educator), obeying every stage 2 rule (readiness
    through the placement's end, audits, fields, preparation, staff learner limits), and the
    most learners are assigned in full across all requests together; a learner who cannot
    be is left unassigned with the reason. Settings (per profession group) without named
    staff take learners by their counts, with the staff left unnamed.
    """
    staff_only(principal, "assign named learners")
    run = run_or_refuse(session, run_id, lock=True)
    if run.status not in (RunStatus.SUCCEEDED.value, RunStatus.APPROVED.value):
        raise AllocationRefused(
            f"Run {run_id} is {run.status}: assign learners to a finished plan."
        )
    _clear_named(session, run_id)
    plan = session.exec(
        select(Placement).where(Placement.run_id == run_id, col(Placement.learner_id).is_(None))
    ).all()
    setting_rows = {s.id: s for s in session.exec(select(PlacementSetting)).all()}
    people = _learners_for(session, plan, setting_rows)
    with_staff = assign_with_staff(session, plan, people) if len(people) else None
    named, gaps = with_staff or _without_staff(plan, people, setting_rows)
    status = (
        PlacementStatus.CONFIRMED
        if run.status == RunStatus.APPROVED.value
        else PlacementStatus.PROPOSED
    )
    _store_named(session, run_id, named, gaps, status)
    summary = {
        "learners": len(people),
        "placed": len(named),
        "without_place": len(people) - len(named),
        "with_named_staff": sum(
            1 for r in named if r.supervisor_id is not None or r.assessor_id is not None
        ),
    }
    run.figures = {**run.figures, "named": summary}
    record_audit(
        session,
        principal,
        "allocation.learners.assign",
        entity="allocation_run",
        entity_id=run_id,
        new=summary,
    )
    return summary


def _sectors_had(
    session: Session, settings: Mapping[int | None, PlacementSetting]
) -> dict[int, set[str]]:
    rows = session.exec(
        select(Placement).where(
            col(Placement.learner_id).is_not(None),
            col(Placement.status).in_([PlacementStatus.COMPLETED.value]),
        )
    ).all()
    out: dict[int, set[str]] = {}
    for p in rows:
        assert p.learner_id is not None
        out.setdefault(p.learner_id, set()).add(settings[p.setting_id].sector)
    return out
