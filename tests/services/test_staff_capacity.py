"""Capacity derived from named staff, in the registers and in the allocation run.

The allocation services' system: nursing places in block 2026-B1 (starting 2026-09-07), typed
S1 3, S2 1, S3 2, S4 2; 7 learners requested around Leeds, 6 places within 50 km.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.services import test_audit_allocation
from tests.services.test_allocation_services import COORDINATOR, System, _run
from tracker.models import (
    AllocationRun,
    Placement,
    PlacementSetting,
    PracticeStaff,
    PracticeStaffSetting,
)
from tracker.queries.allocator_inputs import allocator_inputs
from tracker.queries.capacity import capacity_register
from tracker.services.capacity_reports import capacity_demand_report

BEFORE, AFTER = date(2026, 1, 5), date(2026, 9, 8)  # prepared before / after the block starts
system = test_audit_allocation.system  # the allocation services' system, as a fixture


def add_staff(
    engine: Engine,
    setting: str,
    ref: str,
    roles: str,
    limit: int,
    *,
    prepared: date | None = BEFORE,
    active: bool = True,
    field: str = "adult nursing",
    also: str | None = None,
    group: str = "nursing",
) -> int:
    """One person of ``group`` at ``setting`` (and ``also``): roles ``s`` supervisor, ``a``
    assessor, ``e`` educator; their id."""
    with Session(engine) as session:
        where = {s.code: s for s in session.exec(select(PlacementSetting)).all()}
        person = PracticeStaff(
            organisation_id=where[setting].organisation_id,
            staff_ref=ref,
            profession_group=group,
            field=field,
            is_supervisor="s" in roles,
            is_assessor="a" in roles,
            is_educator="e" in roles,
            prepared_on=prepared,
            max_learners=limit,
            active=active,
        )
        session.add(person)
        session.flush()
        for code in filter(None, (setting, also)):
            session.add(PracticeStaffSetting(staff_id=person.id, setting_id=where[code].id))
        session.commit()
        return int(person.id or 0)


def _register(engine: Engine) -> dict[str, tuple[int, str]]:
    with Session(engine) as session:
        frame = capacity_register(session, principal=COORDINATOR)
    return {
        str(r.setting_id): (int(r.places), str(r.capacity_kind))
        for r in frame.itertuples(index=False)
    }


def test_a_named_setting_offers_its_staffs_places_and_an_unnamed_one_its_typed_count(
    engine: Engine, system: System
) -> None:
    # S1: supervisors for 3 learners, assessors for 2: 2 places (typed: 3)
    add_staff(engine, "S1", "PS-1", "s", 3)
    add_staff(engine, "S1", "PA-1", "a", 1)
    add_staff(engine, "S1", "PA-2", "a", 1)
    register = _register(engine)
    assert register["S1"] == (2, "named")
    assert register["S2"] == (1, "unnamed") and register["S4"] == (2, "unnamed")
    with Session(engine) as session:
        _, capacity, _ = allocator_inputs(session, blocks=["2026-B1"], programmes=["NUR"])
        report = capacity_demand_report(session, principal=COORDINATOR, blocks=["2026-B1"])
    assert dict(zip(capacity["setting_id"], capacity["places"], strict=True)) == {
        "S1": 2,
        "S2": 1,
        "S3": 2,
        "S4": 2,
    }
    kinds = report.frames.capacity.set_index("setting_id")["capacity_kind"]
    assert kinds["S1"] == "named" and kinds["S3"] == "unnamed"
    assert report.by_sector.set_index("sector").loc["acute", "places"] == 4


def test_staff_not_prepared_by_the_blocks_start_or_inactive_do_not_count(
    engine: Engine, system: System
) -> None:
    add_staff(engine, "S1", "PS-1", "s", 3)
    add_staff(engine, "S1", "PA-1", "a", 2, prepared=AFTER)
    add_staff(engine, "S1", "PA-2", "a", 2, prepared=None)
    add_staff(engine, "S1", "PA-3", "a", 2, active=False)
    assert _register(engine)["S1"] == (0, "named")
    add_staff(engine, "S1", "PA-4", "a", 1)
    assert _register(engine)["S1"] == (1, "named")


def test_a_person_at_two_settings_is_counted_once_between_them(
    engine: Engine, system: System
) -> None:
    # S2 and S3 (both Care Homes Ltd) share a supervisor with room for 3: 2 at S2, 1 at S3
    add_staff(engine, "S2", "PS-9", "s", 3, also="S3")
    add_staff(engine, "S2", "PA-8", "a", 2)
    add_staff(engine, "S3", "PA-9", "a", 2)
    register = _register(engine)
    assert register["S2"] == (2, "named") and register["S3"] == (1, "named")


def test_a_field_nobody_at_the_setting_can_assess_is_not_offered_there(
    engine: Engine, system: System
) -> None:
    add_staff(engine, "S1", "PS-1", "s", 3)
    add_staff(engine, "S1", "PA-1", "a", 3, field="mental health nursing")
    with Session(engine) as session:
        settings, capacity, _ = allocator_inputs(session, blocks=["2026-B1"], programmes=["NUR"])
    assert "S1" not in set(settings["setting_id"]) and "S1" not in set(capacity["setting_id"])


def test_the_allocation_run_places_only_what_the_named_staff_can_support(
    engine: Engine, system: System
) -> None:
    """S1 types 3 places but names one supervisor and one assessor with room for 1 learner
    each: the run places 1 learner there, so 4 of 7 within 50 km (S1 1, S2 1, S3 2)."""
    add_staff(engine, "S1", "PS-1", "s", 1)
    add_staff(engine, "S1", "PA-1", "a", 1)
    run_id = _run(engine, max_km=50)
    with Session(engine) as session:
        rows = session.exec(
            select(Placement).where(Placement.run_id == run_id, col(Placement.learner_id).is_(None))
        ).all()
        at = {s: 0 for s in system.settings}
        for p in rows:
            code = next(c for c, i in system.settings.items() if i == p.setting_id)
            at[code] += p.learners
        run = session.get(AllocationRun, run_id)
    assert at == {"S1": 1, "S2": 1, "S3": 2, "S4": 0}
    assert run is not None and run.inputs is not None
    snapshot_places = {c["setting_id"]: c["places"] for c in run.inputs["capacity"]}
    assert snapshot_places["S1"] == 1
