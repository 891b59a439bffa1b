"""A coordinator changes a named learner's practice supervisor or assessor by hand: every
stage-2 rule, with a change that obeys it and one that breaks it.

The named-staff system (``test_named_staff``): block 2026-B1 (2026-09-07 to 2026-11-27), S1
names supervisors T1-PS-1 ("Ward sister Amy"), T1-PS-2 and adult nursing assessors T1-PA-1
("Charge nurse Bo"), T1-PA-2; S3 one supervisor and one assessor. Each test adds the people
its rule needs at S1 after the learners are named (before, they would add places there).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.services.test_allocation_services import (
    COORDINATOR,
    System,
    _run,
    add_physio_request,
)
from tests.services.test_named_staff import PREPARED
from tests.services.test_named_staff import system as named_system
from tests.services.test_staff_capacity import add_staff
from tracker.access import AccessDenied
from tracker.db import session_scope
from tracker.models import (
    AuditLog,
    Learner,
    LearnerEvent,
    LearnerReadiness,
    Placement,
)
from tracker.queries.placements import visible_placements
from tracker.queries.staff_choices import named_staff_choices
from tracker.services.allocation import AllocationRefused
from tracker.services.named_learners import assign_named_learners
from tracker.services.placements import approve_run
from tracker.services.run_jobs import execute_run
from tracker.services.runs import create_run
from tracker.services.staff_changes import ASSESSOR, SUPERVISOR, change_named_staff

system = named_system  # the fixture, under the name the tests ask for


def _person(
    engine: Engine,
    ref: str,
    roles: str,
    *,
    field: str = "adult nursing",
    prepared: date | None = PREPARED,
    limit: int = 2,
    setting: str = "S1",
    active: bool = True,
) -> int:
    return add_staff(
        engine, setting, ref, roles, limit, prepared=prepared, active=active, field=field
    )


def _named_at_s1(engine: Engine, system: System, *, approve: bool = False) -> list[Placement]:
    run_id = _run(engine, max_km=50)
    with session_scope(engine) as session:
        assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
        if approve:
            approve_run(session, principal=COORDINATOR, run_id=run_id)
    with Session(engine) as session:
        rows = session.exec(
            select(Placement).where(
                Placement.run_id == run_id,
                col(Placement.learner_id).is_not(None),
                Placement.setting_id == system.settings["S1"],
            )
        ).all()
    assert len(rows) == 3 and all(r.practice_supervisor_id for r in rows)
    return list(rows)


def _change(engine: Engine, placement: Placement, slot: str, staff_id: int) -> str:
    with session_scope(engine) as session:
        return change_named_staff(
            session,
            principal=COORDINATOR,
            placement_id=placement.id or 0,
            slot=slot,
            staff_id=staff_id,
        )


def _refused(engine: Engine, placement: Placement, slot: str, staff_id: int, rule: str) -> None:
    with pytest.raises(AllocationRefused, match=rule):
        _change(engine, placement, slot, staff_id)
    with Session(engine) as session:
        now = session.get(Placement, placement.id)
        assert now is not None
        assert (now.practice_supervisor_id, now.practice_assessor_id) == (
            placement.practice_supervisor_id,
            placement.practice_assessor_id,
        )


def test_a_supervisor_off_sick_is_replaced_and_everyone_sees_the_new_name(
    engine: Engine, system: System
) -> None:
    placement = _named_at_s1(engine, system, approve=True)[0]
    stand_in = _person(engine, "T1-PS-9", "s")
    with Session(engine) as session:
        choices = named_staff_choices(
            session, principal=COORDINATOR, placement_id=placement.id or 0
        )
    assert "T1-PS-9" in set(choices["name"]) and "C1-PS-1" not in set(choices["name"])
    said = _change(engine, placement, SUPERVISOR, stand_in)
    assert said == f"T1-PS-9 is now the learner's practice supervisor (placement {placement.id})."
    with Session(engine) as session:
        log = session.exec(select(AuditLog).where(AuditLog.action == "placement.named_staff")).one()
        assert log.entity_id == str(placement.id)
        old, new = (json.loads(v) if isinstance(v, str) else v for v in (log.old, log.new))
        assert old == {"practice_supervisor_id": placement.practice_supervisor_id}
        assert new == {"practice_supervisor_id": stand_in}
        by_hei = [visible_placements(session, principal=p) for p in (system.h1, system.h2)]
        coming = visible_placements(
            session, principal=COORDINATOR, setting_id=system.settings["S1"]
        )
    # the learner's own HEI (one of the two) and the setting's coordinator see the new name
    rows = [seen[seen["placement_id"] == placement.id] for seen in (*by_hei, coming)]
    assert [len(r) for r in rows] in ([1, 0, 1], [0, 1, 1])
    assert {r["practice_supervisor"].iloc[0] for r in rows if len(r)} == {"T1-PS-9"}


def test_different_people_for_one_learner(engine: Engine, system: System) -> None:
    first, second, _ = _named_at_s1(engine, system)
    both = _person(engine, "T1-PB-1", "sa", limit=3)
    _change(engine, first, ASSESSOR, both)  # obeys: a different person from the supervisor
    with Session(engine) as session:
        now = session.get(Placement, first.id)
    assert now is not None and now.practice_assessor_id == both
    _refused(engine, now, SUPERVISOR, both, "Different people: T1-PB-1 is already")
    _change(engine, second, SUPERVISOR, both)  # the same person supervises another learner


def test_assessor_in_the_learners_field(engine: Engine, system: System) -> None:
    placement = _named_at_s1(engine, system)[0]
    mental = _person(engine, "T1-PA-MH", "a", field="Mental health nursing")
    adult = _person(engine, "T1-PA-AD", "a", field="Nursing (Adult)")  # same field, spelt so
    _refused(engine, placement, ASSESSOR, mental, "Assessor in the learner's field")
    _change(engine, placement, ASSESSOR, adult)


def test_prepared_before_the_placement_starts(engine: Engine, system: System) -> None:
    placement = _named_at_s1(engine, system)[0]
    late = _person(engine, "T1-PS-LATE", "s", prepared=date(2026, 9, 8))
    never = _person(engine, "T1-PS-NONE", "s", prepared=None)
    on_time = _person(engine, "T1-PS-ONTIME", "s", prepared=date(2026, 9, 7))
    _refused(engine, placement, SUPERVISOR, late, "Prepared before the placement starts")
    _refused(engine, placement, SUPERVISOR, never, "preparation for the role is not recorded")
    _change(engine, placement, SUPERVISOR, on_time)


def test_no_one_over_their_learner_limit(engine: Engine, system: System) -> None:
    first, second, _ = _named_at_s1(engine, system)
    one = _person(engine, "T1-PS-ONE", "s", limit=1)
    two = _person(engine, "T1-PS-TWO", "s", limit=2)
    _change(engine, first, SUPERVISOR, one)
    # the same dates: a second learner at once is over T1-PS-ONE's limit of 1
    _refused(engine, second, SUPERVISOR, one, "No one over their learner limit: .* 2 learners")
    _change(engine, first, SUPERVISOR, two)
    _change(engine, second, SUPERVISOR, two)


def test_learner_ready_through_the_placements_end(engine: Engine, system: System) -> None:
    first, second, _ = _named_at_s1(engine, system)
    stand_in = _person(engine, "T1-PS-9", "s")
    with session_scope(engine) as session:
        for placement, dbs in ((first, date(2026, 11, 1)), (second, date(2028, 1, 1))):
            session.add(
                LearnerReadiness(
                    learner_id=placement.learner_id,
                    dbs_valid_until=dbs,
                    occupational_health_valid_until=date(2028, 1, 1),
                    mandatory_training_valid_until=date(2028, 1, 1),
                )
            )
    _refused(
        engine,
        first,
        SUPERVISOR,
        stand_in,
        "Learner ready through the placement's end: DBS check expires 2026-11-01, before the "
        "placement ends on 2026-11-27",
    )
    _change(engine, second, SUPERVISOR, stand_in)


def test_only_active_staff_at_the_setting_in_the_role(engine: Engine, system: System) -> None:
    placement = _named_at_s1(engine, system)[0]
    gone = _person(engine, "T1-PS-GONE", "s", active=False)
    elsewhere = _person(engine, "C1-PS-2", "s", setting="S3")
    assessor_only = _person(engine, "T1-PA-9", "a")
    _refused(engine, placement, SUPERVISOR, gone, "is not active")
    _refused(engine, placement, SUPERVISOR, elsewhere, "is not listed at this placement's setting")
    _refused(engine, placement, SUPERVISOR, assessor_only, "is not a practice supervisor")
    with pytest.raises(AllocationRefused, match="Choose whether"):
        _change(engine, placement, "educator", assessor_only)


def test_an_hei_user_cannot_change_staff(engine: Engine, system: System) -> None:
    placement = _named_at_s1(engine, system)[0]
    stand_in = _person(engine, "T1-PS-9", "s")
    with session_scope(engine) as session, pytest.raises(AccessDenied):
        change_named_staff(
            session,
            principal=system.h1,
            placement_id=placement.id or 0,
            slot=SUPERVISOR,
            staff_id=stand_in,
        )
    with Session(engine) as session, pytest.raises(AccessDenied):
        named_staff_choices(session, principal=system.h1, placement_id=placement.id or 0)


def _physiotherapy_learner(engine: Engine, system: System) -> tuple[Placement, int, int]:
    """One H1 physiotherapy learner placed at S2 with an educator named; another
    physiotherapy educator and an occupational therapy educator there too."""
    with session_scope(engine) as session:
        cohort = add_physio_request(session, system, setting="S2", learners=1, places=1)
        learner = Learner(learner_ref="H1-P0", cohort_id=cohort.id, start_date=date(2025, 9, 22))
        session.add(learner)
        session.flush()
        session.add(
            LearnerEvent(learner_id=learner.id, event_date=date(2025, 9, 22), event="started")
        )
    people = {
        ref: add_staff(engine, "S2", ref, "e", 1, field="physiotherapy", group="ahp")
        for ref in ("C1-PE-1", "C1-PE-2")
    }
    with session_scope(engine) as session:
        run_id = create_run(
            session, principal=COORDINATOR, blocks=["2026-B1"], programmes=["PHY"], policy={}
        )
    assert execute_run(engine, run_id) == "succeeded"
    with session_scope(engine) as session:
        assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
    with Session(engine) as session:
        placement = session.exec(
            select(Placement).where(
                Placement.run_id == run_id, col(Placement.learner_id).is_not(None)
            )
        ).one()
    named = placement.practice_assessor_id
    assert named in people.values() and placement.practice_supervisor_id is None
    other = next(i for i in people.values() if i != named)
    ot = add_staff(engine, "S2", "C1-PE-OT", "e", 2, field="occupational therapy", group="ahp")
    return placement, other, ot


def test_allied_health_learners_have_one_educator_in_their_field(
    engine: Engine, system: System
) -> None:
    placement, other, ot = _physiotherapy_learner(engine, system)
    _refused(engine, placement, SUPERVISOR, other, "Who needs whom: allied health")
    _refused(engine, placement, ASSESSOR, ot, "Educator in the learner's field")
    said = _change(engine, placement, ASSESSOR, other)
    assert "is now the learner's practice educator" in said
