"""Stage 2 with named staff: the registers as the inputs of ``optimise.practice.assign_staff``.

Used by ``services.named_learners`` once the practice staff register lists active staff at
any of a run's settings. Ids handed to the optimiser are register codes (setting, request,
block and learner references) so that its reasons read in the words users know; staff get
their reference (with their organisation's code where two organisations use the same one),
and every id is mapped back to its database row here.

The rule for settings without named staff: a setting that lists no active staff in a learner's
profession group is "unnamed" for that group, as on the capacity page. Its places still take
learners, by today's counts, and the learner's supervisor and assessor are left empty: the
optimiser sees stand-ins there (one supervisor and one assessor or educator per field, able
to take every place), which never reach the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlmodel import Session, col, select

from tracker.measures.readiness import Dates, ready_until
from tracker.models import (
    Cohort,
    Learner,
    Organisation,
    Placement,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    PracticeStaff,
    PracticeStaffSetting,
    Programme,
    ProgrammeCalendar,
)
from tracker.optimise.practice import StaffAssignment, assign_staff
from tracker.queries.allocator_inputs import allocator_audits
from tracker.queries.programme_dates import calendar_dates
from tracker.queries.staff import NMC_GROUPS, roles_of
from tracker.services.named_readiness import check_dates, readiness_reason

#: Stand-ins for an unnamed setting's staff start with this; they map back to no one.
UNNAMED = "unnamed "
_EVER = date(1900, 1, 1)  # a stand-in's preparation date: prepared before any placement


@dataclass(frozen=True)
class NamedRow:
    """One learner placed with (where the setting names them) their staff."""

    learner_id: int
    request_id: int
    setting_id: int
    block_id: int
    supervisor_id: int | None
    assessor_id: int | None


@dataclass(frozen=True)
class Gap:
    """A learner left without a place, supervisor or assessor, and why."""

    learner_id: int
    request_id: int | None
    reason_code: str
    reason: str


@dataclass(frozen=True)
class _Ids:
    """Register codes handed to the optimiser -> database ids."""

    learners: dict[str, int]
    requests: dict[str, int]
    settings: dict[str, int]
    blocks: dict[str, int]
    staff: dict[str, int]
    request_of: dict[int, int]  # learner id -> the request they were chosen for


def named_staff_at(session: Session, setting_ids: set[int]) -> list[tuple[PracticeStaff, set[int]]]:
    """Active practice staff working at any of these settings, each with those settings."""
    links = session.exec(
        select(PracticeStaffSetting).where(col(PracticeStaffSetting.setting_id).in_(setting_ids))
    ).all()
    where: dict[int, set[int]] = defaultdict(set)
    for link in links:
        where[link.staff_id].add(link.setting_id)
    people = session.exec(
        select(PracticeStaff).where(
            col(PracticeStaff.id).in_(set(where)), col(PracticeStaff.active).is_(True)
        )
    ).all()
    return [(p, where[p.id or 0]) for p in sorted(people, key=lambda p: p.id or 0)]


def placement_dates(
    session: Session, request: PlacementRequest, cohort: Cohort, block: PlacementBlock
) -> tuple[date, date]:
    """The placement's dates: the HEI's calendar for the programme in the block (for the
    cohort's year of study when it has several), else the block's own
    (``queries.programme_dates``, the rule runs on the calendars use too)."""
    entries = session.exec(
        select(ProgrammeCalendar).where(
            ProgrammeCalendar.hei_id == cohort.hei_id,
            ProgrammeCalendar.programme_id == cohort.programme_id,
            ProgrammeCalendar.block_id == block.id,
        )
    ).all()
    return calendar_dates(entries, cohort, block)


def _staff_frame(
    named: list[tuple[PracticeStaff, set[int]]],
    settings: Mapping[int, PlacementSetting],
    orgs: Mapping[int, str],
) -> tuple[list[dict[str, object]], dict[str, int]]:
    refs = [p.staff_ref for p, _ in named]
    rows: list[dict[str, object]] = []
    ids: dict[str, int] = {}
    for person, where in named:
        label = (
            person.staff_ref
            if refs.count(person.staff_ref) == 1
            else f"{orgs.get(person.organisation_id, '?')}/{person.staff_ref}"
        )
        ids[label] = person.id or 0
        rows.append(
            {
                "staff_id": label,
                "setting_id": ";".join(sorted(settings[s].code for s in where)),
                "roles": roles_of(person),
                "field": person.field or "",
                "prepared_on": "" if person.prepared_on is None else person.prepared_on.isoformat(),
                "max_learners": person.max_learners,
            }
        )
    return rows, ids


def _stand_ins(setting: str, field: str, nmc: bool, places: int) -> list[dict[str, object]]:
    """An unnamed setting's staff for one field, able to take every place there."""
    common = {"setting_id": setting, "field": field, "prepared_on": _EVER.isoformat()}
    limit = max(places, 1)
    if not nmc:
        return [
            {**common, "staff_id": f"{UNNAMED}educator ({setting}, {field})",
             "roles": "practice_educator", "max_learners": limit}
        ]  # fmt: skip
    return [
        {**common, "staff_id": f"{UNNAMED}supervisor ({setting}, {field})",
         "roles": "practice_supervisor", "max_learners": limit},
        {**common, "staff_id": f"{UNNAMED}assessor ({setting}, {field})",
         "roles": "practice_assessor", "max_learners": limit},
    ]  # fmt: skip


def assign_with_staff(
    session: Session, plan: Sequence[Placement], people: pd.DataFrame
) -> tuple[list[NamedRow], list[Gap]] | None:
    """Name learners with their staff, or None when no setting of the plan lists any active
    named staff (stage 2 then runs as before, without staff). ``people`` is the learners
    chosen for the plan's requests (``learner_id`` and ``request_id`` as database ids)."""
    setting_rows = {
        s.id or 0: s
        for s in session.exec(
            select(PlacementSetting).where(
                col(PlacementSetting.id).in_({p.setting_id for p in plan})
            )
        ).all()
    }
    named = named_staff_at(session, set(setting_rows))
    if not named:
        return None
    inputs, ids, dates = _inputs(session, plan, people, setting_rows, named)
    result = assign_staff(*inputs)
    return _results(result, ids, dates)


@dataclass(frozen=True)
class _Rows:
    """The database rows the plan's inputs are built from, by id."""

    requests: dict[int, PlacementRequest]
    cohorts: dict[int, Cohort]
    programmes: dict[int, Programme]
    blocks: dict[int, PlacementBlock]
    learners: dict[int, Learner]

    def programme_of(self, request_id: int) -> Programme:
        return self.programmes[self.cohorts[self.requests[request_id].cohort_id].programme_id]


def _rows(session: Session, plan: Sequence[Placement], learner_ids: list[int]) -> _Rows:
    wanted = {p.request_id for p in plan}
    return _Rows(
        requests={
            r.id or 0: r
            for r in session.exec(
                select(PlacementRequest).where(col(PlacementRequest.id).in_(wanted))
            ).all()
        },
        cohorts={c.id or 0: c for c in session.exec(select(Cohort)).all()},
        programmes={p.id or 0: p for p in session.exec(select(Programme)).all()},
        blocks={b.id or 0: b for b in session.exec(select(PlacementBlock)).all()},
        learners={
            x.id or 0: x
            for x in session.exec(select(Learner).where(col(Learner.id).in_(learner_ids))).all()
        },
    )


def _placement_rows(
    session: Session,
    places: Mapping[tuple[int, int, int], int],
    rows: _Rows,
    settings: Mapping[int, PlacementSetting],
) -> list[dict[str, object]]:
    out = []
    for (rid, sid, bid), n in sorted(places.items()):
        request = rows.requests[rid]
        start, end = placement_dates(
            session, request, rows.cohorts[request.cohort_id], rows.blocks[bid]
        )
        out.append(
            {
                "request_id": request.code,
                "setting_id": settings[sid].code,
                "block": rows.blocks[bid].code,
                "learners": n,
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "programme": rows.programme_of(rid).code,
            }
        )
    return out


def _learner_rows(
    people: pd.DataFrame, rows: _Rows, checks: Mapping[int, Dates] | None
) -> list[dict[str, object]]:
    out = []
    for row in people.itertuples(index=False):
        learner = rows.learners[int(row.learner_id)]
        programme = rows.programme_of(int(row.request_id))
        ready: dict[str, str] = {}
        if checks is not None:
            until = ready_until(checks[learner.id or 0])
            ready["ready_until"] = "" if until is None else until.isoformat()
        out.append(
            {
                "learner_id": learner.learner_ref,
                "request_id": rows.requests[int(row.request_id)].code,
                "programme": programme.code,
                "field": programme.field,
                "lat": row.lat,
                "lon": row.lon,
                "max_distance_km": row.max_distance_km,
                "sectors_had": row.sectors_had,
                "behind_on_hours": row.behind_on_hours,
                **ready,
            }
        )
    return out


def _unnamed_rows(
    named: list[tuple[PracticeStaff, set[int]]],
    places: Mapping[tuple[int, int, int], int],
    rows: _Rows,
    settings: Mapping[int, PlacementSetting],
) -> list[dict[str, object]]:
    """Stand-ins for each setting and field whose profession group lists no named staff."""
    groups: dict[int, set[str]] = defaultdict(set)
    for person, where in named:
        for s in where:
            groups[s].add(person.profession_group)
    programmes = {rows.programme_of(r).id: rows.programme_of(r) for r, _, _ in places}
    out: list[dict[str, object]] = []
    for sid, setting in settings.items():
        taken = sum(n for (_, s, _), n in places.items() if s == sid)
        for programme in sorted(programmes.values(), key=lambda p: p.code):
            if programme.profession_group not in groups[sid]:
                nmc = programme.profession_group in NMC_GROUPS
                out += _stand_ins(setting.code, programme.field, nmc, taken)
    return out


def _inputs(
    session: Session,
    plan: Sequence[Placement],
    people: pd.DataFrame,
    settings: Mapping[int, PlacementSetting],
    named: list[tuple[PracticeStaff, set[int]]],
) -> tuple[
    tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame | None],
    _Ids,
    dict[int, Dates] | None,
]:
    """The optimiser's five tables, the id maps back, and the learners' check dates."""
    learner_ids = [int(x) for x in people["learner_id"]]
    rows = _rows(session, plan, learner_ids)
    places: dict[tuple[int, int, int], int] = defaultdict(int)
    for p in plan:
        places[(p.request_id or 0, p.setting_id, p.block_id)] += p.learners
    checks = check_dates(session, learner_ids)
    setting_frame = pd.DataFrame(
        [
            {
                "setting_id": s.code,
                "sector": s.sector,
                "lat": s.lat,
                "lon": s.lon,
                "active": s.active,
            }
            for s in settings.values()
        ],
        columns=["setting_id", "sector", "lat", "lon", "active"],
    )
    orgs = {i or 0: c for i, c in session.exec(select(Organisation.id, Organisation.code)).all()}
    staff_rows, staff_ids = _staff_frame(named, settings, orgs)
    staff_rows += _unnamed_rows(named, places, rows, settings)
    ids = _Ids(
        learners={x.learner_ref: i for i, x in rows.learners.items()},
        requests={r.code: i for i, r in rows.requests.items()},
        settings={s.code: i for i, s in settings.items()},
        blocks={b.code: i for i, b in rows.blocks.items()},
        staff=staff_ids,
        request_of={int(r.learner_id): int(r.request_id) for r in people.itertuples(index=False)},
    )
    frames = (
        pd.DataFrame(_placement_rows(session, places, rows, settings)),
        pd.DataFrame(_learner_rows(people, rows, checks)),
        setting_frame,
        pd.DataFrame(staff_rows).drop_duplicates(subset=["staff_id"]),
        allocator_audits(session, settings=setting_frame),
    )
    return frames, ids, checks


def _results(
    result: StaffAssignment, ids: _Ids, checks: Mapping[int, Dates] | None
) -> tuple[list[NamedRow], list[Gap]]:
    def person(label: object) -> int | None:
        return None if not isinstance(label, str) or not label else ids.staff.get(label)

    rows = [
        NamedRow(
            ids.learners[str(r.learner_id)],
            ids.requests[str(r.request_id)],
            ids.settings[str(r.setting_id)],
            ids.blocks[str(r.block)],
            person(r.practice_supervisor),
            person(r.practice_assessor),
        )
        for r in result.assignments.itertuples(index=False)
    ]
    gaps = []
    for r in result.unassigned.itertuples(index=False):
        learner = ids.learners[str(r.learner_id)]
        reason = str(r.reason)
        if r.reason_code == "not_ready" and checks is not None:
            reason = readiness_reason(checks.get(learner, {}), reason)
        gaps.append(Gap(learner, ids.request_of.get(learner), str(r.reason_code), reason))
    return rows, gaps
