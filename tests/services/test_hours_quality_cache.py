"""The hours-behind and quality reports go through the one caching rule: a repeat view is
served from the cache, and an import (or a review) makes a new data version they follow.

A change made behind the app's back (SQL by hand, not audited) is what shows a view came
from the cache: the cached report keeps the old figures while one computed afresh has the
new; then an import through the app moves the version and the cached view follows.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from tests.data.test_importers import csv, hei_user, load_examples, run
from tracker.access import SYSTEM, Principal
from tracker.cache import ReportCache
from tracker.cache_stores import DiskStore
from tracker.db import session_scope
from tracker.models import Role
from tracker.services.hours_reports import hours_behind_report
from tracker.services.quality_reports import quality_report
from tracker.services.quality_reviews import start_review

COORDINATOR = Principal("coord", Role.COORDINATOR)
TODAY = date(2024, 9, 16)
EVALUATIONS = (
    "response_ref,learner_ref,setting_id,block,submitted_on,supervision,"
    "learning_opportunities,induction,feeling_valued,would_recommend,comment\n"
)


@pytest.fixture
def cache(tmp_path: Path) -> ReportCache:
    return ReportCache(DiskStore(tmp_path / "reports"), namespace="test")


def _by_hand(engine: Engine, statement: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(statement))


def _weeks(engine: Engine, ref: str, start: str, weeks: int, principal: Principal) -> None:
    header = "learner_ref,worked_on,hours,sign_off,signed_off_by\n"
    days = pd.date_range(start, periods=weeks, freq="7D")
    rows = "".join(f"{ref},{d.date().isoformat()},37.5,signed_off,PS-1\n" for d in days)
    run(engine, "practice-hours", csv(header + rows), principal)


def _behind(engine: Engine, cache: ReportCache | None) -> int:
    with Session(engine) as session:
        report = hours_behind_report(session, principal=SYSTEM, today=TODAY, cache=cache)
    totals = report.table.numbers.set_index(["programme", "hei"])
    return int(totals.loc[("All", "All"), "behind"])


def test_hours_behind_is_served_from_the_cache_until_hours_are_imported(
    engine: Engine, cache: ReportCache
) -> None:
    load_examples(engine, upto="learner-events")
    run(
        engine, "practice-requirements", csv("programme,required,behind_margin\nBSC-ADULT,2300,150")
    )
    uni_a = hei_user(engine, "UNI-A")
    _weeks(engine, "A23-0001", "2023-10-02", 20, uni_a)  # on track: 750 of 764 hours expected
    assert _behind(engine, cache) == 2
    _by_hand(engine, "UPDATE practice_hours SET hours = 1")  # unaudited: no new version
    assert _behind(engine, None) == 3  # computed afresh: A23-0001 is behind now
    assert _behind(engine, cache) == 2  # the repeat view is the cached one
    _weeks(engine, "A23-0002", "2023-10-02", 1, uni_a)  # an import: a new data version
    assert _behind(engine, cache) == _behind(engine, None) == 3


def _quality(engine: Engine, cache: ReportCache | None) -> pd.DataFrame:
    with Session(engine) as session:
        report = quality_report(session, principal=COORDINATOR, min_responses=5, cache=cache)
    return report.table.assign(reviews=len(report.reviews))


def test_quality_is_served_from_the_cache_until_evaluations_or_reviews_change(
    engine: Engine, cache: ReportCache
) -> None:
    load_examples(engine, upto="requests")
    learners = ["A23-0001", "A23-0002", "A23-0003", "B24-0001", "A23-0001"]
    rows = "".join(
        f"R{i},{ref},T1-WARD12,2025-B1,2025-02-1{i},4,4,4,4,4,\n" for i, ref in enumerate(learners)
    )
    run(engine, "evaluations", csv(EVALUATIONS + rows))
    first = _quality(engine, cache)
    _by_hand(engine, "UPDATE placement_evaluation SET supervision = 1")
    fresh = _quality(engine, None)
    assert not fresh.equals(first)  # the hand edit shows when computed afresh
    pd.testing.assert_frame_equal(_quality(engine, cache), first)  # served from the cache

    run(
        engine,
        "evaluations",
        csv(EVALUATIONS + "R9,A23-0002,T1-WARD12,2025-B1,2025-03-02,2,2,2,2,2,\n"),
    )
    imported = _quality(engine, cache)
    pd.testing.assert_frame_equal(imported, _quality(engine, None))
    assert not imported.equals(first)
    with session_scope(engine) as session:
        start_review(
            session, COORDINATOR, setting="T1-WARD12", reason="Scores fell", started_on=TODAY
        )
    assert _quality(engine, cache)["reviews"].iloc[0] == 1
