"""Seeded synthetic integrated care system for demos, tests and benchmarks.

Everything is drawn from one ``numpy`` generator and dated relative to :data:`DEMO_AS_OF`,
never today's date, so the same seed and scale give the same database on any machine and
on any day. Rows go in with bulk Core inserts because ``--scale 10`` means tens of
thousands of learners and hundreds of thousands of events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlmodel import Session

from tracker.data import demo_reference as ref
from tracker.data.demo_academic import academic_assessment_rows
from tracker.data.demo_audits import audit_rows
from tracker.data.demo_hours import hours_rows, requirement_rows
from tracker.data.demo_insert import insert_keyed as _insert_keyed
from tracker.data.demo_insert import insert_rows as _insert
from tracker.data.demo_people import CohortPlan, LearnerPlan, plan_cohorts, simulate_learners
from tracker.data.demo_placements import (
    BlockPlan,
    calendar_rows,
    capacity_rows,
    history_rows,
    plan_blocks,
    request_rows,
)
from tracker.data.demo_providers import build_providers
from tracker.data.demo_quality import quality_rows
from tracker.data.demo_readiness import readiness_rows
from tracker.data.demo_setting_kinds import KINDS, OrgSpec, SettingSpec
from tracker.data.demo_staff import assessor_rows, staff_rows
from tracker.data.demo_summary import DemoSummary
from tracker.data.demo_tariff import tariff_rows
from tracker.models import (
    AcademicAssessment,
    AcademicAssessor,
    Cohort,
    EducationalAudit,
    Learner,
    LearnerEvent,
    LearnerReadiness,
    Organisation,
    OrgKind,
    Placement,
    PlacementBlock,
    PlacementEvaluation,
    PlacementRequest,
    PlacementSetting,
    PracticeHours,
    PracticeRequirement,
    PracticeStaff,
    PracticeStaffSetting,
    Programme,
    ProgrammeCalendar,
    QualityReview,
    SettingProgramme,
    SupervisionCapacity,
    TariffRate,
)

#: The day the demo data is "as of": no event is dated after it.
DEMO_AS_OF = date(2026, 10, 31)
DEFAULT_SEED = 2026
#: Academic year whose blocks carry the open requests (the one after DEMO_AS_OF's history).
REQUEST_YEAR = 2026
HISTORY_YEAR = 2025


def has_organisations(session: Session) -> bool:
    return bool(session.execute(select(func.count()).select_from(Organisation)).scalar_one())


@dataclass(frozen=True)
class _Systems:
    """The organisations written for every copy of the system, with their new ids."""

    heis: list[tuple[ref.HeiSpec, str]]
    settings: list[SettingSpec]
    setting_copy: list[int]
    hei_copy: dict[str, int]
    org_ids: dict[str, int]
    programme_ids: dict[str, int]
    organisations: int


def _write_systems(session: Session, rng: np.random.Generator, scale: int) -> _Systems:
    heis: list[tuple[ref.HeiSpec, str]] = []
    orgs: list[OrgSpec] = []
    settings: list[SettingSpec] = []
    setting_copy: list[int] = []
    for copy in range(1, scale + 1):
        suffix = "" if copy == 1 else f"-S{copy}"
        label = "" if copy == 1 else f" (system {copy})"
        for hei in ref.HEIS:
            heis.append((hei, hei.code + suffix))
            orgs.append(OrgSpec(hei.code + suffix, hei.name + label, OrgKind.HEI, hei.place))
        copy_orgs, copy_settings = build_providers(rng, copy)
        orgs += copy_orgs
        settings += copy_settings
        setting_copy += [copy] * len(copy_settings)
    hei_copy = {code: i // len(ref.HEIS) + 1 for i, (_, code) in enumerate(heis)}

    org_ids = _insert_keyed(
        session,
        Organisation,
        [{"code": o.code, "name": o.name, "kind": o.kind.value, "place": o.place} for o in orgs],
    )
    programme_ids = _insert_keyed(
        session,
        Programme,
        [
            {
                "code": p.code,
                "name": p.name,
                "profession_group": p.group.value,
                "field": p.field,
                "route": p.route.value,
                "years": p.years,
            }
            for p in ref.PROGRAMMES
        ],
    )

    return _Systems(
        heis, settings, setting_copy, hei_copy, org_ids, programme_ids, organisations=len(orgs)
    )


@dataclass(frozen=True)
class _People:
    cohorts: list[CohortPlan]
    cohort_ids: list[int]
    learners: list[LearnerPlan]
    learner_ids: list[int]
    events: int
    readiness: int
    requirements: int
    hours: int


def _write_people(session: Session, rng: np.random.Generator, systems: _Systems) -> _People:
    heis, org_ids, programme_ids = systems.heis, systems.org_ids, systems.programme_ids
    cohorts = plan_cohorts(rng, heis, as_of=DEMO_AS_OF)
    cohort_ids = _insert(
        session,
        Cohort,
        [
            {
                "hei_id": org_ids[c.hei_code],
                "programme_id": programme_ids[c.programme],
                "intake_year": c.intake_year,
                "intake_month": c.intake_month,
                "commissioned_places": c.places,
            }
            for c in cohorts
        ],
    )
    learners = simulate_learners(rng, cohorts, as_of=DEMO_AS_OF)
    learner_ids = _insert(
        session,
        Learner,
        [
            {
                "learner_ref": lp.ref,
                "cohort_id": cohort_ids[lp.cohort],
                "start_date": lp.start,
                "home_postcode_district": lp.district,
                "reasonable_adjustments": lp.adjustments,
                "max_travel_km": lp.max_travel_km,
                "driver": lp.driver,
            }
            for lp in learners
        ],
    )
    events = [
        {
            "learner_id": lid,
            "event_date": day,
            "event": event,
            "reason": reason,
            "recorded_at": datetime.combine(day, time(9, 0), tzinfo=UTC),
            "recorded_by": "demo",
        }
        for lid, lp in zip(learner_ids, learners, strict=True)
        for day, event, reason in lp.events
    ]
    _insert(session, LearnerEvent, events)
    readiness = readiness_rows(learners, learner_ids, DEMO_AS_OF)
    _insert(session, LearnerReadiness, readiness)
    requirements = requirement_rows(programme_ids, DEMO_AS_OF)
    _insert(session, PracticeRequirement, requirements)
    hours = hours_rows(cohorts, learners, learner_ids, DEMO_AS_OF)
    _insert(session, PracticeHours, hours)
    return _People(
        cohorts,
        cohort_ids,
        learners,
        learner_ids,
        events=len(events),
        readiness=len(readiness),
        requirements=len(requirements),
        hours=len(hours),
    )


def _write_staff(
    session: Session, systems: _Systems, people: _People, setting_ids: list[int]
) -> tuple[int, int, int]:
    """Named practice staff linked to their settings, the HEIs' academic assessors and the
    learners' academic assessments; how many of each."""
    staff = staff_rows(systems.settings, systems.org_ids, DEMO_AS_OF)
    staff_ids = _insert(session, PracticeStaff, staff.people)
    links = [
        {"staff_id": staff_id, "setting_id": setting_ids[position]}
        for staff_id, positions in zip(staff_ids, staff.settings, strict=True)
        for position in positions
    ]
    _insert(session, PracticeStaffSetting, links)
    assessors = assessor_rows(systems.heis, systems.org_ids)
    assessor_ids = _insert(session, AcademicAssessor, assessors)
    assessments = academic_assessment_rows(
        people.cohorts,
        people.learners,
        people.learner_ids,
        assessors,
        assessor_ids,
        systems.org_ids,
        DEMO_AS_OF,
    )
    _insert(session, AcademicAssessment, assessments)
    return len(staff.people), len(assessors), len(assessments)


def _write_placements(
    session: Session, rng: np.random.Generator, systems: _Systems, people: _People
) -> dict[str, int]:
    """Blocks, settings, capacity, audits, calendars, requests and past placements; rows per
    table."""
    heis, settings, org_ids = systems.heis, systems.settings, systems.org_ids
    programme_ids, setting_copy, hei_copy = (
        systems.programme_ids,
        systems.setting_copy,
        systems.hei_copy,
    )
    cohorts, cohort_ids = people.cohorts, people.cohort_ids
    learners, learner_ids = people.learners, people.learner_ids
    blocks = plan_blocks()
    block_ids, setting_ids, hosted = _write_settings(session, systems, blocks)
    capacity, places = capacity_rows(rng, settings, setting_ids, blocks, block_ids)
    _insert(session, SupervisionCapacity, capacity)
    audits = audit_rows(settings, setting_ids, DEMO_AS_OF)
    _insert(session, EducationalAudit, audits)
    staff_count, assessor_count, assessments = _write_staff(session, systems, people, setting_ids)
    calendars = calendar_rows(heis, org_ids, programme_ids, blocks, block_ids)
    _insert(session, ProgrammeCalendar, calendars)
    campus = {code: hei.campus for hei, code in heis}
    requests = request_rows(cohorts, cohort_ids, learners, blocks, block_ids, campus, REQUEST_YEAR)
    _insert(session, PlacementRequest, requests)
    history = history_rows(
        rng,
        cohorts,
        [hei_copy[c.hei_code] for c in cohorts],
        learners,
        learner_ids,
        settings,
        setting_copy,
        setting_ids,
        blocks,
        block_ids,
        places,
        HISTORY_YEAR,
    )
    history_ids = _insert(session, Placement, history)
    tariff = tariff_rows()
    _insert(session, TariffRate, tariff)
    # the last draw from the generator, so evaluations shift no other table's values
    evaluations_seed = int(rng.integers(2**31))
    quality = _write_quality(
        session,
        people,
        (history, history_ids),
        (blocks, block_ids),
        (settings, setting_ids),
        hei_ids={code: org_ids[code] for _hei, code in heis},
        seed=evaluations_seed,
    )
    return {
        "placement_settings": len(settings),
        "setting_programmes": hosted,
        "placement_blocks": len(blocks),
        "programme_calendars": len(calendars),
        "supervision_capacity": len(capacity),
        "educational_audits": len(audits),
        "practice_staff": staff_count,
        "academic_assessors": assessor_count,
        "academic_assessments": assessments,
        "placement_requests": len(requests),
        "placements": len(history),
        "tariff_rates": len(tariff),
        **quality,
    }


def _write_settings(
    session: Session, systems: _Systems, blocks: list[BlockPlan]
) -> tuple[list[int], list[int], int]:
    """The system's blocks, its settings and the programmes each setting hosts (where it does
    not host any); returns the blocks' and settings' ids and the hosted rows written."""
    settings, org_ids, programme_ids = systems.settings, systems.org_ids, systems.programme_ids
    block_ids = _insert(
        session,
        PlacementBlock,
        [
            {"code": b.code, "name": b.name, "start_date": b.start, "end_date": b.end}
            for b in blocks
        ],
    )
    setting_ids = _insert(
        session, PlacementSetting, [s.record(org_ids[s.org_code]) for s in settings]
    )
    hosted = [
        {"setting_id": sid, "programme_id": programme_ids[p]}
        for sid, s in zip(setting_ids, settings, strict=True)
        if not s.hosts_any
        for p in KINDS[s.kind].programmes
    ]
    _insert(session, SettingProgramme, hosted)
    return block_ids, setting_ids, len(hosted)


def _write_quality(
    session: Session,
    people: _People,
    placements: tuple[list[dict[str, Any]], list[int]],
    blocks: tuple[list[BlockPlan], list[int]],
    settings: tuple[list[SettingSpec], list[int]],
    *,
    hei_ids: dict[str, int],
    seed: int,
) -> dict[str, int]:
    """Learners' evaluations of their completed placements and one setting under review."""
    evaluations, reviews = quality_rows(
        placements,
        learner_hei={
            lid: hei_ids[people.cohorts[plan.cohort].hei_code]
            for lid, plan in zip(people.learner_ids, people.learners, strict=True)
        },
        block_end={bid: b.end for b, bid in zip(*blocks, strict=True)},
        setting_sector={sid: KINDS[s.kind].sector.value for s, sid in zip(*settings, strict=True)},
        seed=seed,
        as_of=DEMO_AS_OF,
    )
    _insert(session, PlacementEvaluation, evaluations)
    _insert(session, QualityReview, reviews)
    return {"placement_evaluations": len(evaluations), "quality_reviews": len(reviews)}


def write_demo_rows(session: Session, *, seed: int = DEFAULT_SEED, scale: int = 1) -> DemoSummary:
    """Fill an empty database with the demo system's data inside the caller's transaction.

    ``scale`` adds that many copies of the system (HEIs, providers, settings) side by side,
    with their own codes, for benchmarks. The sign-in accounts are the user service's
    (``services.demo.generate_demo`` adds them): ``users`` is 0 here.
    """
    if scale < 1:
        raise ValueError(f"scale must be a whole number of at least 1, not {scale}.")
    if has_organisations(session):
        raise ValueError(
            "The database already has organisations: demo data only goes into an empty "
            "database. Point TRACKER_DATABASE_URL at a fresh database and try again."
        )
    rng = np.random.default_rng(seed)
    systems = _write_systems(session, rng, scale)
    people = _write_people(session, rng, systems)
    placements = _write_placements(session, rng, systems, people)
    session.flush()
    return DemoSummary(
        organisations=systems.organisations,
        programmes=len(systems.programme_ids),
        cohorts=len(people.cohorts),
        learners=len(people.learners),
        learner_events=people.events,
        learner_readiness=people.readiness,
        practice_requirements=people.requirements,
        practice_hours=people.hours,
        **placements,
        users=0,
    )
