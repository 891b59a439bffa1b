"""Published placements as an iCalendar file: what a learner's or a setting's calendar opens,
parsed back with the icalendar library, on both databases."""

from __future__ import annotations

from datetime import date

from icalendar import Calendar
from sqlalchemy import Engine
from sqlmodel import Session

from tests.services.test_allocation_services import COORDINATOR, System, _run, system

__all__ = ["system"]  # the fixture, shared with the allocation services tests
from tracker.db import session_scope
from tracker.queries.placements import visible_placements
from tracker.services.named_learners import assign_named_learners
from tracker.services.placement_calendar import placements_calendar
from tracker.services.placements import approve_run, set_placement_status


def _events(session: Session, rows: object) -> list[object]:
    calendar = Calendar.from_ical(placements_calendar(session, rows))  # type: ignore[arg-type]
    return list(calendar.walk("VEVENT"))


def _published(engine: Engine) -> None:
    run_id = _run(engine, max_km=50)
    with session_scope(engine) as session:
        assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
        approve_run(session, principal=COORDINATOR, run_id=run_id)


def test_each_placement_is_one_all_day_event_at_its_setting(engine: Engine, system: System) -> None:
    _published(engine)
    with Session(engine) as session:
        rows = visible_placements(session, principal=COORDINATOR)
        events = _events(session, rows)
    assert len(events) == len(rows)
    assert len({str(e["uid"]) for e in events}) == len(rows)  # type: ignore[index]
    named = rows[rows["learner"].notna()].iloc[0]
    event = next(
        e
        for e in events
        if str(e["uid"]).startswith(f"placement-{named['placement_id']}@")  # type: ignore[index]
    )
    start, end = event["dtstart"].dt, event["dtend"].dt  # type: ignore[index]
    assert start == date.fromisoformat(str(named["block_start"])[:10])
    # all-day events end the day after the block's last day (RFC 5545: the end is exclusive)
    assert (end - start).days == (date.fromisoformat(str(named["block_end"])[:10]) - start).days + 1
    assert str(named["learner"]) in str(event["summary"])  # type: ignore[index]
    assert str(named["setting_name"]) in str(event["location"])  # type: ignore[index]
    assert "Programme: NUR" in str(event["description"])  # type: ignore[index]
    assert str(event["status"]) == "CONFIRMED"  # type: ignore[index]


def test_an_hei_users_file_holds_its_own_learners_only_and_cancellations_say_so(
    engine: Engine, system: System
) -> None:
    _published(engine)
    with Session(engine) as session:
        mine = visible_placements(session, principal=system.h1)
        everyone = visible_placements(session, principal=COORDINATOR)
        events = _events(session, mine)
    assert 0 < len(events) < len(everyone)
    assert all("H2" not in str(e["description"]) for e in events)  # type: ignore[index]
    assert all("HEI: H1" in str(e["description"]) for e in events)  # type: ignore[index]
    cancelled = int(mine["placement_id"].iloc[0])
    with session_scope(engine) as session:
        set_placement_status(
            session, principal=COORDINATOR, placement_id=cancelled, status="cancelled"
        )
    with Session(engine) as session:
        again = visible_placements(session, principal=system.h1)
        event = next(
            e
            for e in _events(session, again)
            if str(e["uid"]) == f"placement-{cancelled}@placements.tracker"  # type: ignore[index]
        )
    # the same UID, now cancelled: a calendar that holds the event removes it
    assert str(event["status"]) == "CANCELLED"  # type: ignore[index]
