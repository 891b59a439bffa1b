"""Allocation use cases on both databases: runs, pins, moves, stability, what-if, publishing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tracker.access import AccessDenied, Principal
from tracker.db import session_scope
from tracker.models import (
    AllocationRun,
    AuditLog,
    Cohort,
    Learner,
    LearnerEvent,
    Organisation,
    Placement,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    Programme,
    Role,
    RunStatus,
    SupervisionCapacity,
)
from tracker.queries.move_targets import settings_for_move
from tracker.queries.placements import learner_placements, visible_placements
from tracker.queries.run_learners import named_learners
from tracker.queries.run_review import compare_runs, run_review
from tracker.queries.runs import (
    approval_preview,
    run_history,
    run_plan,
)
from tracker.services.allocation import AllocationRefused
from tracker.services.named_learners import assign_named_learners
from tracker.services.placements import approve_run, set_placement_status
from tracker.services.plans import move_learners, pin_placement
from tracker.services.run_jobs import execute_run, fail_stale_runs
from tracker.services.runs import cancel_run, create_run, create_scenario, rerun_close_to
from tracker.snapshots import CapacityChange

COORDINATOR = Principal("coord", Role.COORDINATOR)
LEEDS = (53.80, -1.55)
LONDON = (51.51, -0.13)


@dataclass(frozen=True)
class System:
    h1: Principal
    h2: Principal
    settings: dict[str, int]


def build_system(session: Session) -> System:
    """Two HEIs asking for 7 nursing learners in block 2026-B1 around Leeds.

    Places (nursing, 2026-B1): S1 acute Leeds 3, S2 care home Leeds 1, S3 care home Leeds 2,
    S4 acute London 2. Within 50 km of Leeds there are 6 places for 7 learners; without a
    distance limit there are 8. Requests: R1 from H1 (4 learners), R2 from H2 (3 learners).
    H1's cohort has 5 learners on the programme, H2's 3.
    """
    t1 = Organisation(code="T1", name="Trust One", kind="nhs_trust", place="Leeds")
    c1 = Organisation(code="C1", name="Care Homes Ltd", kind="care_home_provider", place="Leeds")
    h1 = Organisation(code="H1", name="First University", kind="hei", place="Leeds")
    h2 = Organisation(code="H2", name="Second University", kind="hei", place="York")
    nur = Programme(
        code="NUR",
        name="BSc Adult Nursing",
        profession_group="nursing",
        field="adult nursing",
        route="degree",
        years=3,
    )
    session.add_all([t1, c1, h1, h2, nur])
    session.flush()
    block = PlacementBlock(
        code="2026-B1", name="Block 1", start_date=date(2026, 9, 7), end_date=date(2026, 11, 27)
    )
    session.add(block)
    settings = {}
    for code, org, sector, (lat, lon), places in [
        ("S1", t1, "acute", LEEDS, 3),
        ("S2", c1, "care_home", LEEDS, 1),
        ("S3", c1, "care_home", (53.82, -1.50), 2),
        ("S4", t1, "acute", LONDON, 2),
    ]:
        setting = PlacementSetting(
            code=code,
            organisation_id=org.id,
            name=f"Setting {code}",
            sector=sector,
            hosts_any_programme=True,
            lat=lat,
            lon=lon,
        )
        session.add(setting)
        session.flush()
        session.add(
            SupervisionCapacity(
                setting_id=setting.id,
                block_id=block.id,
                profession_group="nursing",
                practice_supervisors=places,
                learners_per_supervisor=1,
            )
        )
        settings[code] = setting.id
    for hei, count, asked, code in [(h1, 5, 4, "R1"), (h2, 3, 3, "R2")]:
        cohort = Cohort(
            hei_id=hei.id,
            programme_id=nur.id,
            intake_year=2025,
            intake_month=9,
            commissioned_places=count,
        )
        session.add(cohort)
        session.flush()
        for i in range(count):
            learner = Learner(
                learner_ref=f"{hei.code}-L{i}", cohort_id=cohort.id, start_date=date(2025, 9, 22)
            )
            session.add(learner)
            session.flush()
            session.add(
                LearnerEvent(learner_id=learner.id, event_date=date(2025, 9, 22), event="started")
            )
        session.add(
            PlacementRequest(
                code=code,
                cohort_id=cohort.id,
                block_id=block.id,
                learners=asked,
                lat=LEEDS[0],
                lon=LEEDS[1],
            )
        )
    session.commit()
    return System(
        h1=Principal("h1user", Role.HEI, hei_id=h1.id, hei_code="H1"),
        h2=Principal("h2user", Role.HEI, hei_id=h2.id, hei_code="H2"),
        settings=settings,
    )


@pytest.fixture
def system(engine: Engine) -> System:
    with Session(engine) as session:
        return build_system(session)


def _run(
    engine: Engine,
    *,
    max_km: float | None = None,
    policy: dict[str, object] | None = None,
    **kwargs: object,
) -> int:
    with session_scope(engine) as session:
        run_id = create_run(
            session,
            principal=COORDINATOR,
            blocks=["2026-B1"],
            programmes=["NUR"],
            policy={"max_distance_km": max_km, **(policy or {})},
            **kwargs,
        )  # type: ignore[arg-type]
    assert execute_run(engine, run_id) == "succeeded"
    return run_id


def _placements(session: Session, run_id: int) -> list[Placement]:
    return list(
        session.exec(
            select(Placement).where(Placement.run_id == run_id, col(Placement.learner_id).is_(None))
        ).all()
    )


def _at(session: Session, run_id: int, setting_id: int) -> Placement:
    return next(p for p in _placements(session, run_id) if p.setting_id == setting_id)


def test_run_is_stored_with_figures_unmet_reasons_and_audit(engine: Engine, system: System) -> None:
    progress: list[float] = []
    with session_scope(engine) as session:
        run_id = create_run(
            session,
            principal=COORDINATOR,
            blocks=["2026-B1"],
            programmes=["NUR"],
            policy={"max_distance_km": 50},
        )
    assert execute_run(engine, run_id, progress=lambda f, _m: progress.append(f)) == "succeeded"
    assert progress and progress[-1] == 1.0
    with Session(engine) as session:
        run = session.get(AllocationRun, run_id)
        assert run is not None and run.status == "succeeded" and run.created_by == "coord"
        assert run.inputs["demand"] and run.inputs["fingerprint"] and run.solver
        assert run.figures["levels"]["placed"] == 6
        assert run.figures["levels"]["requested"] == 7
        assert run.seconds is not None and run.figures["timings"]["total"] >= 0
        plan = run_plan(session, principal=COORDINATOR, run_id=run_id)
        assert plan["learners"].sum() == 6 and "S4" not in set(plan["setting"])
        review = run_review(session, principal=COORDINATOR, run_id=run_id)
        assert review.unmet["learners"].sum() == 1 and review.unmet["reason"].iloc[0]
        assert set(review.by_hei["hei"]) == {"H1", "H2"}
        sector = review.by_sector.set_index("sector")
        assert sector.loc["care_home", "placed"] == 3 and sector.loc["acute", "places"] == 5
        history = run_history(session, principal=COORDINATOR)
        assert history.iloc[0]["run_id"] == run_id and history.iloc[0]["placed"] == 6
        actions = set(session.exec(select(AuditLog.action)).all())
        assert {"allocation.run.create", "allocation.run.finish"} <= actions


def test_hei_users_may_not_run_allocations(engine: Engine, system: System) -> None:
    with Session(engine) as session, pytest.raises(AccessDenied):
        create_run(session, principal=system.h1, blocks=["2026-B1"])
    with Session(engine) as session, pytest.raises(AccessDenied):
        run_history(session, principal=system.h1)


def test_input_problems_fail_the_run_with_row_level_reasons(engine: Engine, system: System) -> None:
    with session_scope(engine) as session:
        run_id = create_run(session, principal=COORDINATOR, blocks=["2026-B1"])
        run = session.get(AllocationRun, run_id)
        assert run is not None
        run.inputs = {**run.inputs, "demand": [{**run.inputs["demand"][0], "learners": -2}]}
    assert execute_run(engine, run_id) == "failed"
    with Session(engine) as session:
        run = session.get(AllocationRun, run_id)
        assert run is not None and "problem" in (run.error or "")
        assert any("demand row 2" in p for p in run.figures["problems"])
        assert _placements(session, run_id) == []


def test_cancel_during_the_solve_leaves_no_half_written_run(engine: Engine, system: System) -> None:
    with session_scope(engine) as session:
        run_id = create_run(session, principal=COORDINATOR, blocks=["2026-B1"])

    def cancel_once(fraction: float, _message: str) -> None:
        if fraction == 0.0:
            with session_scope(engine) as s:
                cancel_run(s, principal=COORDINATOR, run_id=run_id)

    assert execute_run(engine, run_id, progress=cancel_once) == "cancelled"
    assert execute_run(engine, run_id) == "cancelled"  # a cancelled run is never started again
    with Session(engine) as session:
        assert _placements(session, run_id) == []
        assert session.get(AllocationRun, run_id).status == "cancelled"  # type: ignore[union-attr]


def test_stale_running_runs_are_closed(engine: Engine, system: System) -> None:
    with session_scope(engine) as session:
        run_id = create_run(session, principal=COORDINATOR, blocks=["2026-B1"])
        run = session.get(AllocationRun, run_id)
        assert run is not None
        run.status = RunStatus.RUNNING.value
        run.started_at = run.created_at
    with session_scope(engine) as session:
        assert fail_stale_runs(session) == 0
        later = session.get(AllocationRun, run_id).created_at + timedelta(hours=3)  # type: ignore[union-attr]
        assert fail_stale_runs(session, now=later) == 1
    with Session(engine) as session:
        assert session.get(AllocationRun, run_id).status == "failed"  # type: ignore[union-attr]


def test_moves_are_validated_against_capacity_and_rules(engine: Engine, system: System) -> None:
    free = _run(engine)  # no distance limit: 8 places for 7 learners, one spare
    with session_scope(engine) as session:
        s2 = _at(session, free, system.settings["S2"])
        with pytest.raises(AllocationRefused, match="supervisor capacity") as refused:
            move_learners(
                session,
                principal=COORDINATOR,
                placement_id=s2.id,
                to_setting_id=system.settings["S1"],
                learners=1,
            )
        # a sentence naming the setting as the register does, never an internal key
        target = session.get(PlacementSetting, system.settings["S1"])
        assert target is not None and f"{target.name} (S1)" in str(refused.value)
        assert "#" not in str(refused.value) and "pins" not in str(refused.value)
        options = settings_for_move(session, principal=COORDINATOR, run_id=free, placement_id=s2.id)
        assert {o["value"] for o in options} == {system.settings[c] for c in ("S1", "S3", "S4")}
    with Session(engine) as session:
        used: dict[int, int] = {}
        for p in _placements(session, free):  # a setting may hold rows of several requests
            used[p.setting_id] = used.get(p.setting_id, 0) + p.learners
    # each target says its spare places under the plan, most spare first; S1 (3 places) is full
    caps = {"S1": 3, "S3": 2, "S4": 2}
    by_value = {o["value"]: o["label"] for o in options}
    for code, cap in caps.items():
        left = cap - used.get(system.settings[code], 0)
        said = "full" if left <= 0 else f"{left} spare place"
        assert f"({code}) · {said}" in by_value[system.settings[code]]
    assert by_value[system.settings["S1"]].endswith("full") and options[-1]["label"].endswith(
        "full"
    )
    spare = next(
        s
        for s, cap in [
            (system.settings["S4"], 2),
            (system.settings["S3"], 2),
            (system.settings["S1"], 3),
        ]
        if used.get(s, 0) < cap
    )
    source = next(s for s in used if s != spare)
    with session_scope(engine) as session:
        moved_to = move_learners(
            session,
            principal=COORDINATOR,
            placement_id=_at(session, free, source).id,
            to_setting_id=spare,
            learners=1,
        )
    with Session(engine) as session:
        target = session.get(Placement, moved_to)
        assert target is not None and target.pinned and target.setting_id == spare
        assert sum(p.learners for p in _placements(session, free)) == 7
        assert (
            session.exec(
                select(AuditLog).where(AuditLog.action == "allocation.placement.move")
            ).first()
            is not None
        )

    near = _run(engine, max_km=50)
    with session_scope(engine) as session, pytest.raises(AllocationRefused, match="distance limit"):
        move_learners(
            session,
            principal=COORDINATOR,
            placement_id=_at(session, near, system.settings["S1"]).id,
            to_setting_id=system.settings["S4"],
            learners=1,
        )


def add_physio_request(
    session: Session, system: System, *, setting: str, learners: int, places: int
) -> Cohort:
    """H1's physiotherapy cohort asking (request R3) for ``learners`` in 2026-B1, and
    ``places`` physiotherapy places at ``setting``: a second profession group in the system."""
    phy = Programme(
        code="PHY",
        name="BSc Physiotherapy",
        profession_group="ahp",
        field="physiotherapy",
        route="degree",
        years=3,
    )
    session.add(phy)
    session.flush()
    block = session.exec(select(PlacementBlock)).one()
    assert system.h1.hei_id is not None and phy.id is not None and block.id is not None
    cohort = Cohort(
        hei_id=system.h1.hei_id,
        programme_id=phy.id,
        intake_year=2025,
        intake_month=9,
        commissioned_places=learners,
    )
    session.add(cohort)
    session.flush()
    session.add_all(
        [
            SupervisionCapacity(
                setting_id=system.settings[setting],
                block_id=block.id,
                profession_group="ahp",
                practice_supervisors=places,
                practice_educators=places,
                learners_per_supervisor=1,
            ),
            PlacementRequest(
                code="R3",
                cohort_id=cohort.id,
                block_id=block.id,
                learners=learners,
                lat=LEEDS[0],
                lon=LEEDS[1],
            ),
        ]
    )
    return cohort


def test_move_targets_count_only_the_placements_group(engine: Engine, system: System) -> None:
    # S3 offers 5 nursing places (here) and 2 physiotherapy places; H1 asks for 2 physio
    # learners, who fill those. A nursing learner moving to S3 finds S3's nursing places less
    # its nursing learners, not less the physio learners too.
    with Session(engine) as session:
        s3_nursing = session.exec(
            select(SupervisionCapacity).where(
                SupervisionCapacity.setting_id == system.settings["S3"]
            )
        ).one()
        s3_nursing.practice_supervisors = 5
        add_physio_request(session, system, setting="S3", learners=2, places=2)
        session.commit()
    with session_scope(engine) as session:
        run_id = create_run(
            session, principal=COORDINATOR, blocks=["2026-B1"], programmes=["NUR", "PHY"]
        )
    assert execute_run(engine, run_id) == "succeeded"
    s3 = system.settings["S3"]
    with Session(engine) as session:
        requests = {r.id: r.code for r in session.exec(select(PlacementRequest)).all()}
        plan = _placements(session, run_id)
        physio_at_s3 = sum(p.learners for p in plan if requests[p.request_id] == "R3")
        nursing_at_s3 = sum(
            p.learners for p in plan if p.setting_id == s3 and requests[p.request_id] != "R3"
        )
        nursing = next(p for p in plan if p.setting_id != s3 and requests[p.request_id] != "R3")
        options = settings_for_move(
            session, principal=COORDINATOR, run_id=run_id, placement_id=nursing.id
        )
    assert physio_at_s3 == 2
    left = 5 - nursing_at_s3
    said = "full" if left <= 0 else f"{left} spare place"
    label = next(o["label"] for o in options if o["value"] == s3)
    assert label.startswith("Setting S3 (S3) · ") and said in label, label
    assert left > 0  # the physio learners there would have made it look full


def test_rerun_keeps_pins_and_moves_only_what_must_move(engine: Engine, system: System) -> None:
    first = _run(engine, max_km=50)
    with session_scope(engine) as session:
        pin_placement(
            session,
            principal=COORDINATOR,
            placement_id=_at(session, first, system.settings["S2"]).id,
        )
        # the register changes: S1 loses a supervisor
        row = session.exec(
            select(SupervisionCapacity).where(
                SupervisionCapacity.setting_id == system.settings["S1"]
            )
        ).one()
        row.practice_supervisors = 2
    with session_scope(engine) as session:
        second = rerun_close_to(session, principal=COORDINATOR, run_id=first)
    assert execute_run(engine, second) == "succeeded"
    with Session(engine) as session:
        run = session.get(AllocationRun, second)
        assert run is not None and run.parent_run_id == first
        assert run.policy["stay_close_to_previous"] is True
        kept = _at(session, second, system.settings["S2"])
        old = _at(session, first, system.settings["S2"])
        assert kept.pinned and (kept.request_id, kept.learners) == (old.request_id, old.learners)
        comparison = compare_runs(session, principal=COORDINATOR, run_a=first, run_b=second)
        assert comparison.moved == 1 == run.figures["levels"]["moved_learners"]
        assert list(comparison.figures["placed"]) == [6, 5]
        assert (comparison.changes["change"] != 0).all()


def test_scenario_edits_a_copy_never_the_live_register(engine: Engine, system: System) -> None:
    base = _run(engine, max_km=50)
    with Session(engine) as session:
        before = [
            (c.setting_id, c.practice_supervisors)
            for c in session.exec(select(SupervisionCapacity)).all()
        ]
    with session_scope(engine) as session:
        what_if = create_scenario(
            session,
            principal=COORDINATOR,
            run_id=base,
            capacity_changes=[CapacityChange(sector="care_home", add_supervisors=1)],
        )
    assert execute_run(engine, what_if) == "succeeded"
    with Session(engine) as session:
        after = [
            (c.setting_id, c.practice_supervisors)
            for c in session.exec(select(SupervisionCapacity)).all()
        ]
        assert after == before
        run = session.get(AllocationRun, what_if)
        assert run is not None and run.is_scenario and "care home" in run.name
        assert run.figures["levels"]["placed"] == 7
        comparison = compare_runs(session, principal=COORDINATOR, run_a=base, run_b=what_if)
        assert list(comparison.figures["unmet"]) == [1, 0]
    with session_scope(engine) as session, pytest.raises(AllocationRefused, match="what-if"):
        approve_run(session, principal=COORDINATOR, run_id=what_if)


def test_approve_publishes_to_the_owning_hei_only(engine: Engine, system: System) -> None:
    run_id = _run(engine, max_km=50)
    with Session(engine) as session:
        assert visible_placements(session, principal=system.h1).empty  # proposed: not published
    with session_scope(engine) as session:
        summary = assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
    assert summary == {"learners": 7, "placed": 6, "without_place": 1, "with_named_staff": 0}
    with Session(engine) as session:
        plan_rows = len(_placements(session, run_id))
    with session_scope(engine) as session:
        assert approve_run(session, principal=COORDINATOR, run_id=run_id) == plan_rows + 6
    with Session(engine) as session:
        run = session.get(AllocationRun, run_id)
        assert run is not None and run.status == "approved" and run.approved_by == "coord"
        mine = visible_placements(session, principal=system.h1)
        assert set(mine["hei"]) == {"H1"} and set(mine["status"]) == {"confirmed"}
        assert mine["learner"].dropna().str.startswith("H1-").all()
        assert set(visible_placements(session, principal=COORDINATOR)["hei"]) == {"H1", "H2"}
        by_setting = visible_placements(
            session, principal=COORDINATOR, setting_id=system.settings["S1"]
        )
        assert set(by_setting["setting"]) == {"S1"}
        named = named_learners(session, principal=COORDINATOR, run_id=run_id, hei="H2")
        assert len(named) and set(named["hei"]) == {"H2"}


def test_collaborative_users_see_published_placements_without_learners(
    engine: Engine, system: System
) -> None:
    """The collaborative role is system-wide but aggregate: learners per request, setting and
    block for every HEI, never a named learner (its ``hei_scope`` is None, like staff's)."""
    collaborative = Principal("collab", Role.COLLABORATIVE)
    run_id = _run(engine, max_km=50)
    with session_scope(engine) as session:
        assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
        approve_run(session, principal=COORDINATOR, run_id=run_id)
    with Session(engine) as session:
        staff = visible_placements(session, principal=COORDINATOR)
        seen = visible_placements(session, principal=collaborative)
        assert staff["learner"].notna().sum() == 6
        assert set(seen["hei"]) == {"H1", "H2"}
        assert seen["learner"].isna().all()
        assert seen["learners"].sum() == staff.loc[staff["learner"].isna(), "learners"].sum()
        learner_id = session.exec(
            select(Placement.learner_id).where(col(Placement.learner_id).is_not(None))
        ).first()
        assert learner_id is not None
        assert not learner_placements(session, principal=COORDINATOR, learner_id=learner_id).empty
        assert learner_placements(session, principal=collaborative, learner_id=learner_id).empty


def test_approval_refuses_overlaps_and_changed_inputs(engine: Engine, system: System) -> None:
    first = _run(engine, max_km=50)
    second = _run(engine, max_km=50)
    with Session(engine) as session:
        placed = _placements(session, first)
        preview = approval_preview(session, principal=COORDINATOR, run_id=first)
    learners = sum(p.learners for p in placed)
    settings = len({p.setting_id for p in placed})
    assert preview.startswith(f"Approving run {first} (")
    assert f"confirms {learners} learners in {len(placed)} placements at {settings} settings" in (
        preview
    )
    assert "for 2 HEIs" in preview
    assert "supersede" not in preview
    with session_scope(engine) as session:
        approve_run(session, principal=COORDINATOR, run_id=first)
    with Session(engine) as session:
        preview = approval_preview(session, principal=COORDINATOR, run_id=second)
        assert f"Run {first} (" in preview and "supersede it" in preview
        assert "only a finished run" in approval_preview(
            session, principal=COORDINATOR, run_id=first
        )
    with session_scope(engine) as session, pytest.raises(AllocationRefused, match="supersede"):
        approve_run(session, principal=COORDINATOR, run_id=second)
    with session_scope(engine) as session:
        approve_run(session, principal=COORDINATOR, run_id=second, supersede=True)
    with Session(engine) as session:
        assert {p.status for p in _placements(session, first)} == {"cancelled"}
        assert {p.status for p in _placements(session, second)} == {"confirmed"}

    third = _run(engine, max_km=50)
    with session_scope(engine) as session:
        request = session.exec(select(PlacementRequest).where(PlacementRequest.code == "R1")).one()
        request.learners = 5
    with (
        session_scope(engine) as session,
        pytest.raises(AllocationRefused, match=r"registers changed.*requests"),
    ):
        approve_run(session, principal=COORDINATOR, run_id=third, supersede=True)


def test_cancel_and_complete_are_audited_and_reach_the_learner(
    engine: Engine, system: System
) -> None:
    run_id = _run(engine, max_km=50)
    with session_scope(engine) as session:
        assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
        approve_run(session, principal=COORDINATOR, run_id=run_id)
    with Session(engine) as session:
        named = named_learners(session, principal=COORDINATOR, run_id=run_id)
        first, second = int(named["placement_id"].iloc[0]), int(named["placement_id"].iloc[1])
        learner_id = session.get(Placement, first).learner_id  # type: ignore[union-attr]
    with session_scope(engine) as session:
        with pytest.raises(AccessDenied):
            set_placement_status(
                session, principal=system.h1, placement_id=first, status="completed"
            )
        set_placement_status(session, principal=COORDINATOR, placement_id=first, status="completed")
        set_placement_status(
            session,
            principal=COORDINATOR,
            placement_id=second,
            status="cancelled",
            note="learner unwell",
        )
    with session_scope(engine) as session, pytest.raises(AllocationRefused, match="confirmed"):
        set_placement_status(session, principal=COORDINATOR, placement_id=first, status="cancelled")
    with Session(engine) as session:
        actions = [a.action for a in session.exec(select(AuditLog)).all()]
        assert "placement.completed" in actions and "placement.cancelled" in actions
        assert learner_placements(session, principal=COORDINATOR, learner_id=learner_id)[
            "status"
        ].tolist() == ["completed"]
        other_hei = system.h2 if named["hei"].iloc[0] == "H1" else system.h1
        assert learner_placements(session, principal=other_hei, learner_id=learner_id).empty
    with session_scope(engine) as session, pytest.raises(AllocationRefused, match="completed"):
        assign_named_learners(session, principal=COORDINATOR, run_id=run_id)


def test_named_learners_keep_within_their_own_travel_limit(engine: Engine, system: System) -> None:
    """Without a system distance limit the plan uses the two London places; when every learner
    may travel only 10 km from their request's origin (Leeds), nobody may be named to London:
    those places stay unnamed and the learners left over are reported without a place."""
    with session_scope(engine) as session:
        for learner in session.exec(select(Learner)).all():
            learner.max_travel_km = 10
            learner.reasonable_adjustments = True
            session.add(learner)
    run_id = _run(engine)  # no system limit: the plan uses S4 in London
    with Session(engine) as session:
        in_london = sum(
            p.learners
            for p in _placements(session, run_id)
            if p.setting_id == system.settings["S4"]
        )
    assert in_london > 0
    with session_scope(engine) as session:
        summary = assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
    with Session(engine) as session:
        named = session.exec(
            select(Placement).where(
                Placement.run_id == run_id, col(Placement.learner_id).is_not(None)
            )
        ).all()
    assert named and all(p.setting_id != system.settings["S4"] for p in named)
    assert summary["without_place"] >= in_london
