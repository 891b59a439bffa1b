"""Runs on the programme calendars (issue 15): a date window's requests on their HEI
programme's own weeks, places counted day by day, dated placements through review,
approval, the placements grid and the calendar file."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tracker.access import Principal
from tracker.db import session_scope
from tracker.models import (
    AllocationRun,
    Cohort,
    Learner,
    LearnerEvent,
    Organisation,
    Placement,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    Programme,
    ProgrammeCalendar,
    Role,
    SupervisionCapacity,
)
from tracker.queries.placements import visible_placements
from tracker.queries.run_explanation import run_explanation
from tracker.queries.run_review import run_review
from tracker.queries.runs import run_history, run_plan
from tracker.queries.tariff import plan_placements
from tracker.services.allocation import AllocationRefused
from tracker.services.named_learners import assign_named_learners
from tracker.services.placement_calendar import placements_calendar
from tracker.services.placements import approve_run
from tracker.services.run_jobs import execute_run
from tracker.services.runs import create_run, create_scenario, rerun_close_to

COORDINATOR = Principal("coord", Role.COORDINATOR)
FIRST = (date(2026, 9, 7), date(2026, 10, 16))  # H1's weeks in the block: 1-6
SECOND = (date(2026, 10, 19), date(2026, 11, 27))  # H2's weeks: 7-12


@pytest.fixture
def ward(engine: Engine) -> None:
    """One ward with 2 nursing places in a 12-week block; H1 asks for 2 learners in weeks 1-6
    of its calendar, H2 for 2 in weeks 7-12. By block they compete for 2 places; on the
    calendars they use the ward in turn."""
    with Session(engine) as session:
        trust = Organisation(code="T1", name="Trust One", kind="nhs_trust", place="Leeds")
        heis = [
            Organisation(code=f"H{i}", name=f"University {i}", kind="hei", place="Leeds")
            for i in (1, 2)
        ]
        nur = Programme(
            code="NUR",
            name="BSc Adult Nursing",
            profession_group="nursing",
            field="adult nursing",
            route="degree",
            years=3,
        )
        session.add_all([trust, *heis, nur])
        session.flush()
        block = PlacementBlock(
            code="B1", name="Block 1", start_date=date(2026, 9, 7), end_date=date(2026, 11, 27)
        )
        ward = PlacementSetting(
            code="W1",
            organisation_id=trust.id,
            name="Ward One",
            sector="acute",
            hosts_any_programme=True,
            lat=53.8,
            lon=-1.55,
        )
        session.add_all([block, ward])
        session.flush()
        session.add(
            SupervisionCapacity(
                setting_id=ward.id,
                block_id=block.id,
                profession_group="nursing",
                practice_supervisors=2,
                learners_per_supervisor=1,
            )
        )
        for hei, (start, end) in zip(heis, (FIRST, SECOND), strict=True):
            cohort = Cohort(
                hei_id=hei.id,
                programme_id=nur.id,
                intake_year=2025,
                intake_month=9,
                commissioned_places=10,
            )
            session.add(cohort)
            session.flush()
            for i in range(2):
                learner = Learner(
                    learner_ref=f"{hei.code}-L{i}",
                    cohort_id=cohort.id,
                    start_date=date(2025, 9, 22),
                )
                session.add(learner)
                session.flush()
                session.add(
                    LearnerEvent(
                        learner_id=learner.id, event_date=date(2025, 9, 22), event="started"
                    )
                )
            session.add(
                ProgrammeCalendar(
                    hei_id=hei.id,
                    programme_id=nur.id,
                    block_id=block.id,
                    year_of_study=2,
                    start_date=start,
                    end_date=end,
                )
            )
            session.add(
                PlacementRequest(
                    code=f"R-{hei.code}",
                    cohort_id=cohort.id,
                    block_id=block.id,
                    learners=2,
                    lat=53.8,
                    lon=-1.55,
                )
            )
        session.commit()


def _run(engine: Engine, **kwargs: object) -> int:
    with session_scope(engine) as session:
        run_id = create_run(session, principal=COORDINATOR, **kwargs)  # type: ignore[arg-type]
    assert execute_run(engine, run_id) == "succeeded"
    return run_id


def test_two_heis_share_a_ward_in_sequence_on_their_calendars(engine: Engine, ward: None) -> None:
    by_block = _run(engine, blocks=["B1"])
    on_calendars = _run(engine, blocks=["B1"], on_calendars=True)
    with Session(engine) as session:
        block_run = session.get(AllocationRun, by_block)
        run = session.get(AllocationRun, on_calendars)
        assert block_run is not None and run is not None
        assert block_run.figures["levels"]["placed"] == 2  # by block: 2 places, 4 learners
        assert run.figures["levels"]["placed"] == 4  # on the calendars: both, in turn
        assert run.scope["window"] == ["2026-09-01", "2027-08-31"]  # the block's academic year
        assert run.inputs["window"] == ["2026-09-01", "2027-08-31"]
        assert {r["start_date"] for r in run.inputs["demand"]} == {"2026-09-07", "2026-10-19"}
        assert run.inputs["capacity"][0]["start_date"] == "2026-09-07"
        assert run.solver and "calendar" in run.solver
        rows = session.exec(select(Placement).where(Placement.run_id == on_calendars)).all()
        assert sorted((p.start_date, p.end_date, p.learners) for p in rows) == [
            (*FIRST, 2),
            (*SECOND, 2),
        ]
        plan = run_plan(session, principal=COORDINATOR, run_id=on_calendars)
        dates = plan.set_index("hei")[["start_date", "end_date"]]
        assert tuple(dates.loc["H1"]) == FIRST and tuple(dates.loc["H2"]) == SECOND
        block_plan = run_plan(session, principal=COORDINATOR, run_id=by_block)
        assert set(block_plan["start_date"]) == {date(2026, 9, 7)}  # a block run: its block's
        expl = run_explanation(session, principal=COORDINATOR, run_id=on_calendars)
        assert expl is not None and expl.status == "optimal"
        assert dict(zip(expl.heis["hei"], expl.heis["fill_ratio"], strict=True)) == {
            "H1": 1.0,
            "H2": 1.0,
        }
        assert [h.reason for h in expl.held] == ["fully_placed"]
        # the review counts the ward in days, as the allocator does: filled once, in turn
        review = run_review(session, principal=COORDINATOR, run_id=on_calendars)
        ward = review.by_setting.set_index("setting").loc["W1"]
        assert (ward["places"], ward["placed"]) == (2 * 82, 4 * 40)  # place-, learner-days
        assert review.by_sector.set_index("sector").loc["acute", "utilisation"] == round(
            run.figures["sector_utilisation"][0]["utilisation"], 4
        )
        priced = plan_placements(session, principal=COORDINATOR, run_id=on_calendars)
        assert sorted(zip(priced["start_date"], priced["end_date"], strict=True)) == [
            FIRST,
            SECOND,
        ]  # the tariff prices the calendar weeks, not the whole block
        block_review = run_review(session, principal=COORDINATOR, run_id=by_block)
        assert block_review.by_setting.set_index("setting").loc["W1", "placed"] == 2
        assert {m for m, _ in expl.held[0].members} == {"H1", "H2"}


def test_dated_placements_are_published_with_their_own_dates(engine: Engine, ward: None) -> None:
    run_id = _run(engine, blocks=[], window=(date(2026, 9, 1), date(2026, 12, 31)))
    with session_scope(engine) as session:
        approve_run(session, principal=COORDINATOR, run_id=run_id)
    with Session(engine) as session:
        shown = visible_placements(session, principal=COORDINATOR)
        dates = {(r.hei, r.block_start, r.block_end) for r in shown.itertuples()}
        assert dates == {("H1", *FIRST), ("H2", *SECOND)}
        ics = placements_calendar(session, shown).decode()
    assert "DTSTART;VALUE=DATE:20260907" in ics and "DTEND;VALUE=DATE:20261017" in ics
    assert "DTSTART;VALUE=DATE:20261019" in ics and "DTEND;VALUE=DATE:20261128" in ics


def test_named_learners_of_a_dated_run_keep_its_dates(engine: Engine, ward: None) -> None:
    run_id = _run(engine, blocks=["B1"], on_calendars=True)
    with session_scope(engine) as session:
        assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
    with Session(engine) as session:
        named = session.exec(
            select(Placement).where(
                Placement.run_id == run_id, col(Placement.learner_id).is_not(None)
            )
        ).all()
        assert len(named) == 4
        assert sorted((p.start_date, p.end_date) for p in named) == [FIRST, FIRST, SECOND, SECOND]


def test_the_window_holds_only_requests_whose_weeks_lie_inside_it(
    engine: Engine, ward: None
) -> None:
    run_id = _run(engine, blocks=[], window=(date(2026, 9, 1), date(2026, 10, 31)))
    with Session(engine) as session:
        run = session.get(AllocationRun, run_id)
        assert run is not None
        assert [r["request_id"] for r in run.inputs["demand"]] == ["R-H1"]
        assert run.name == "Programme calendars 2026-09-01 to 2026-10-31"
        history = run_history(session, principal=COORDINATOR).set_index("run_id")
        assert history.loc[run_id, "blocks"] == "calendars 2026-09-01 to 2026-10-31 (B1)"


@pytest.mark.parametrize(
    ("window", "refusal"),
    [
        ((date(2026, 10, 1), date(2026, 9, 1)), "ends before it starts"),
        ((date(2026, 1, 1), date(2029, 1, 1)), "two years at most"),
        (None, "a block to take its year"),
        ((date(2027, 1, 1), date(2027, 2, 1)), "no submitted requests"),
    ],
)
def test_bad_windows_are_refused(
    engine: Engine, ward: None, window: tuple[date, date] | None, refusal: str
) -> None:
    with session_scope(engine) as session, pytest.raises(AllocationRefused, match=refusal):
        create_run(session, principal=COORDINATOR, blocks=[], on_calendars=True, window=window)


def test_block_only_actions_are_refused_and_what_ifs_keep_the_window(
    engine: Engine, ward: None
) -> None:
    run_id = _run(engine, blocks=["B1"], on_calendars=True)
    with session_scope(engine) as session, pytest.raises(AllocationRefused, match="block runs"):
        rerun_close_to(session, principal=COORDINATOR, run_id=run_id)
    with session_scope(engine) as session:  # a what-if copy keeps the window
        scenario = create_scenario(
            session,
            principal=COORDINATOR,
            run_id=run_id,
            capacity_changes=[{"setting_id": "W1", "places": 1}],
        )
    assert execute_run(engine, scenario) == "succeeded"
    with Session(engine) as session:
        copy = session.get(AllocationRun, scenario)
        assert copy is not None and copy.inputs["window"] == ["2026-09-01", "2027-08-31"]
        assert copy.figures["levels"]["placed"] == 2  # one place, used by each HEI in turn
