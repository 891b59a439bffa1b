"""Practice hours register and reports: who records what, progress against the requirement,
locking and audit, the aggregate view under disclosure control and who the allocator sees
as behind.

The examples give UNI-A learners A23-0001 and A23-0002 (BSC-ADULT, from 2023-09-18) in
training and UNI-B learners B24-0001 (BSC-ADULT, from 2024-01-22) and B23-0002 (NA-APP).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.data.test_importers import csv, hei_user, load_examples, run
from tracker.access import SYSTEM, AccessDenied, Principal
from tracker.db import session_scope
from tracker.models import AuditLog, Learner, PracticeHours, Role
from tracker.queries.hours import (
    behind_learners,
    behind_summary,
    hours_as_of,
    hours_progress_register,
    hours_records,
    hours_year_register,
)
from tracker.services.hours import HoursInput, delete_hours, save_hours
from tracker.services.hours_reports import hours_behind_report
from tracker.services.registers import SaveRefused, StaleEdit

COORDINATOR = Principal("coord", Role.COORDINATOR)
COLLABORATIVE = Principal("ics", Role.COLLABORATIVE)
# A23-0001 is 364 days in: expected 2300 x 364 / 1095.75 = 764.0 hours (margin 150).
TODAY = date(2024, 9, 16)


@pytest.fixture
def learners(engine: Engine) -> Engine:
    load_examples(engine, upto="learner-events")
    run(
        engine, "practice-requirements", csv("programme,required,behind_margin\nBSC-ADULT,2300,150")
    )
    return engine


def _save(
    engine: Engine, record: HoursInput, principal: Principal, version: int | None = None
) -> PracticeHours:
    with session_scope(engine) as session:
        return save_hours(session, principal=principal, record=record, version=version)


def _progress(engine: Engine, principal: Principal) -> pd.DataFrame:
    with Session(engine) as session:
        return hours_progress_register(session, principal=principal, today=TODAY)


def _weeks(engine: Engine, ref: str, weeks: int, principal: Principal) -> None:
    """``weeks`` signed-off weeks of 37.5 hours from 2023-10-02, imported as the HEI."""
    header = "learner_ref,worked_on,hours,sign_off,signed_off_by\n"
    days = pd.date_range("2023-10-02", periods=weeks, freq="7D")
    rows = "".join(f"{ref},{d.date().isoformat()},37.5,signed_off,PS-1\n" for d in days)
    run(engine, "practice-hours", csv(header + rows), principal)


def _week(ref: str, day: date, hours: float, **rest: object) -> HoursInput:
    return HoursInput(ref, day, "week", hours, **rest)  # type: ignore[arg-type]


def test_an_hei_records_its_learners_hours_and_sees_who_is_behind(learners: Engine) -> None:
    uni_a = hei_user(learners, "UNI-A")
    _weeks(learners, "A23-0001", 20, uni_a)  # 750 hours, above 764.0 - 150
    _save(learners, _week("A23-0002", date(2024, 6, 3), 37.5), uni_a)
    progress = _progress(learners, uni_a).set_index("learner_ref")
    assert list(progress.index) == ["A23-0002", "A23-0001"]  # its own only, behind first
    first = progress.loc["A23-0001"]
    assert first["expected"] == pytest.approx(2300 * 364 / 1095.75)
    assert (first["completed"], first["signed_off"], first["hours_status"]) == (
        750,
        750,
        "on_track",
    )
    assert progress.loc["A23-0002", "hours_status"] == "behind"
    assert progress.loc["A23-0002", "shortfall"] == pytest.approx(2300 * 364 / 1095.75 - 37.5)
    everyone = _progress(learners, COORDINATOR)
    assert set(everyone["learner_ref"]) == {"A23-0001", "A23-0002", "B24-0001"}  # NA-APP: none
    with Session(learners) as session:
        years = hours_year_register(session, principal=uni_a, today=TODAY, learner_ref="A23-0001")
        other = hours_year_register(session, principal=uni_a, today=TODAY, learner_ref="B24-0001")
        records = hours_records(session, principal=uni_a)
    assert years["completed"].tolist() == [750] and other.empty
    assert set(records["learner_ref"]) == {"A23-0001", "A23-0002"}
    assert set(records["sign_off"]) == {"signed_off", "pending"}


def test_corrections_lock_refuse_and_leave_an_audit_trail(learners: Engine) -> None:
    uni_a = hei_user(learners, "UNI-A")
    record = _week("A23-0001", date(2024, 6, 3), 37.5)
    first = _save(learners, record, uni_a)
    with pytest.raises(StaleEdit):
        _save(learners, record, uni_a)  # saved without having seen the stored record
    corrected = _save(
        learners,
        _week("A23-0001", date(2024, 6, 3), 30, absence_hours=7.5, absence_reason="sickness"),
        uni_a,
        first.version,
    )
    assert (corrected.hours, corrected.absence_reason, corrected.version) == (30, "sickness", 2)
    with pytest.raises(SaveRefused, match="absence_reason"):
        _save(learners, _week("A23-0001", date(2024, 6, 10), 30, absence_hours=7.5), uni_a)
    with pytest.raises(SaveRefused, match="in your HEI's records"):
        _save(learners, _week("B24-0001", date(2024, 6, 3), 37.5), uni_a)
    with pytest.raises(AccessDenied):
        _save(learners, record, COORDINATOR)
    with session_scope(learners) as session:
        delete_hours(
            session,
            principal=uni_a,
            learner_ref="A23-0001",
            worked_on=date(2024, 6, 3),
            period="week",
            version=2,
        )
    with Session(learners) as session:
        assert session.exec(select(PracticeHours)).all() == []
        actions = [a.action for a in session.exec(select(AuditLog).order_by(AuditLog.id)).all()]
    assert actions[-3:] == ["save_practice_hours", "save_practice_hours", "delete_practice_hours"]


def test_the_aggregate_view_is_disclosure_controlled_for_all_but_administrators(
    learners: Engine,
) -> None:
    uni_a = hei_user(learners, "UNI-A")
    _weeks(learners, "A23-0001", 20, uni_a)
    with Session(learners) as session:
        exact = hours_behind_report(session, principal=SYSTEM, today=TODAY)
        shown = hours_behind_report(session, principal=COORDINATOR, today=TODAY)
        ics = hours_behind_report(session, principal=COLLABORATIVE, today=TODAY)
        with pytest.raises(AccessDenied):
            hours_behind_report(session, principal=uni_a, today=TODAY)
    table = exact.table.numbers.set_index(["programme", "hei"])
    assert exact.exact and table.loc[("BSC-ADULT", "UNI-A"), ["learners", "behind"]].tolist() == [
        2,
        1,
    ]
    assert table.loc[("All", "All"), ["learners", "behind"]].tolist() == [3, 2]
    for report in (shown, ics):
        assert not report.exact
        numbers = report.table.numbers
        assert all(math.isnan(v) for v in numbers["behind"])  # 1 and 2: small counts
        assert all(math.isnan(v) for v in numbers["behind_share"])
        assert "2" not in report.table.text["behind"].tolist()
        assert set(report.table.download()["behind"]) <= {report.table.text["behind"].iloc[0]}


def test_the_allocator_reads_who_is_behind(learners: Engine) -> None:
    uni_a = hei_user(learners, "UNI-A")
    _weeks(learners, "A23-0001", 20, uni_a)
    with Session(learners) as session:
        ids = {lr.learner_ref: lr.id for lr in session.exec(select(Learner)).all()}
        behind = behind_learners(session, learner_ids=ids.values(), today=TODAY)
    assert behind == {ids["A23-0002"], ids["B24-0001"]}


def test_progress_is_measured_on_the_latest_week_recorded_not_after_it(learners: Engine) -> None:
    """Measured on a day weeks after the last import, every learner would look behind."""
    with Session(learners) as session:
        assert hours_as_of(session, today=TODAY) == TODAY  # nothing recorded: today
    _weeks(learners, "A23-0001", 20, hei_user(learners, "UNI-A"))  # last week from 2024-02-12
    with Session(learners) as session:
        assert hours_as_of(session, today=TODAY) == date(2024, 2, 18)  # that week's last day
        assert hours_as_of(session, today=date(2024, 2, 14)) == date(2024, 2, 14)


def test_the_status_filter_and_the_count_of_learners_behind(learners: Engine) -> None:
    uni_a = hei_user(learners, "UNI-A")
    _weeks(learners, "A23-0001", 20, uni_a)  # 750 hours: on track on TODAY (764 - 150)
    with Session(learners) as session:
        every = hours_progress_register(session, principal=uni_a, today=TODAY)
        behind = hours_progress_register(session, principal=uni_a, today=TODAY, status=["behind"])
        on_track = hours_progress_register(
            session, principal=uni_a, today=TODAY, status=["on_track"]
        )
    assert behind["learner_ref"].tolist() == ["A23-0002"]  # nothing recorded
    assert on_track["learner_ref"].tolist() == ["A23-0001"]
    assert behind_summary(every) == (2, 1)
    # a learner behind on two units (midwifery's hours and births) counts once
    doubled = every.assign(hours_status="behind")
    assert behind_summary(pd.concat([doubled, doubled])) == (2, 2)
