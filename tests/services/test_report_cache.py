"""The shared report cache: same figures as without it, and new figures after every write."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.services.pipeline_fixtures import build_pipeline
from tracker.cache import PIPELINE_DATA, ReportCache, data_version, viewer_scope
from tracker.cache_stores import DiskStore
from tracker.data.importers import read_table
from tracker.db import session_scope
from tracker.models import LearnerEvent
from tracker.queries.pipeline import PipelineFilters
from tracker.services.audit import record_audit
from tracker.services.imports import apply_import
from tracker.services.pipeline_reports import cohort_report, concerns_report, overview_report

ALL = PipelineFilters()


@pytest.fixture
def people(engine: Engine) -> dict:
    with Session(engine) as session:
        return build_pipeline(session)


@pytest.fixture
def cache(tmp_path: Path) -> ReportCache:
    return ReportCache(DiskStore(tmp_path / "reports"), namespace="test")


def _withdrawn(report: object, intake_year: str) -> int:
    numbers = report.by_intake.numbers.set_index("intake_year")  # type: ignore[attr-defined]
    return int(numbers.loc[intake_year, "withdrawn"])


def test_cached_reports_equal_computed_ones(
    engine: Engine, people: dict, cache: ReportCache
) -> None:
    for who in ("admin", "collaborative", "h1"):
        principal = people[who]
        for filters in (ALL, PipelineFilters(hei=("H2",))):
            with Session(engine) as session:
                plain = overview_report(session, principal=principal, filters=filters)
                first = overview_report(session, principal=principal, filters=filters, cache=cache)
                again = overview_report(session, principal=principal, filters=filters, cache=cache)
                pd.testing.assert_frame_equal(plain.by_intake.text, again.by_intake.text)
                pd.testing.assert_frame_equal(plain.headlines, again.headlines)
                pd.testing.assert_frame_equal(plain.flows, first.flows)
                assert (plain.exact, plain.note, plain.as_of) == (
                    again.exact,
                    again.note,
                    again.as_of,
                )
                concerns = concerns_report(session, principal=principal, filters=filters)
                cached = concerns_report(session, principal=principal, filters=filters, cache=cache)
                pd.testing.assert_frame_equal(concerns.points, cached.points)
                cohorts = cohort_report(session, principal=principal, filters=filters)
                cached_cohorts = cohort_report(
                    session, principal=principal, filters=filters, cache=cache
                )
                pd.testing.assert_frame_equal(cohorts.comparison, cached_cohorts.comparison)


def test_viewers_with_different_scope_never_share_an_entry(people: dict) -> None:
    assert viewer_scope(people["admin"]) != viewer_scope(people["collaborative"])
    assert viewer_scope(people["h1"]) != viewer_scope(people["h2"])
    other_admin = type(people["admin"])("someone-else", people["admin"].role)
    assert viewer_scope(other_admin) == viewer_scope(people["admin"])


def test_an_import_changes_the_cached_figures(
    engine: Engine, people: dict, cache: ReportCache
) -> None:
    admin = people["admin"]
    with Session(engine) as session:
        before = overview_report(session, principal=admin, filters=ALL, cache=cache)
        version = data_version(session, PIPELINE_DATA)
    assert _withdrawn(before, "2023/24") == 1
    frame = read_table(
        "learner-events.csv",
        b"learner_ref,date,event,reason\nH1N23-05,2024-06-01,withdrew,financial\n",
    )
    with session_scope(engine) as session:
        apply_import(session, admin, "learner-events", frame)
    with Session(engine) as session:
        assert data_version(session, PIPELINE_DATA) != version
        after = overview_report(session, principal=admin, filters=ALL, cache=cache)
        fresh = overview_report(session, principal=admin, filters=ALL)
    assert _withdrawn(after, "2023/24") == 2
    pd.testing.assert_frame_equal(after.by_intake.numbers, fresh.by_intake.numbers)


def test_an_edit_in_place_changes_the_cached_figures(
    engine: Engine, people: dict, cache: ReportCache
) -> None:
    """Same row counts and ids after the edit: the audit row written with it is what tells."""
    admin = people["admin"]
    with Session(engine) as session:
        before = overview_report(session, principal=admin, filters=ALL, cache=cache)
    reasons = before.reasons.numbers.set_index("reason")
    assert reasons.loc["financial", "withdrawn"] == 9
    with session_scope(engine) as session:
        event = session.exec(
            select(LearnerEvent).where(LearnerEvent.reason == "financial").order_by(LearnerEvent.id)
        ).first()
        assert event is not None
        event.reason = "academic"
        record_audit(
            session,
            admin,
            "learner.event.edit",
            entity="learner_event",
            entity_id=event.id,
            old={"reason": "financial"},
            new={"reason": "academic"},
        )
    with Session(engine) as session:
        after = overview_report(session, principal=admin, filters=ALL, cache=cache)
    assert after.reasons.numbers.set_index("reason").loc["financial", "withdrawn"] == 8


class _NoComputeCache(ReportCache):
    """Answers from the store only: a miss fails the test."""

    def get_or_compute(self, key, compute):  # type: ignore[no-untyped-def]
        return super().get_or_compute(key, lambda: pytest.fail(f"not warmed: {key}"))


def test_warming_fills_the_views_users_open_first(web_engine: Engine, tmp_path: Path) -> None:
    from tracker.access import Principal
    from tracker.measures import DEFAULT_POLICY
    from tracker.models import Role, User
    from tracker.services.cache_warmup import warm_report_cache
    from tracker.services.capacity_reports import capacity_demand_report
    from tracker.services.users import principal_for

    store = DiskStore(tmp_path / "warm")
    summary = warm_report_cache(web_engine, ReportCache(store, "warm"), policy=DEFAULT_POLICY)
    # Demo users: administrator, coordinator, collaborative member and one HEI user, four
    # scopes; the HEI user has only the cohort view, and no capacity against demand. The
    # three placement provider accounts read none of these views, so nothing is warmed.
    assert summary.scopes == 4
    assert summary.entries > 0
    warm = _NoComputeCache(store, "warm")
    collaborative = Principal("someone-else", Role.COLLABORATIVE)
    with Session(web_engine) as session:
        hei_user = session.exec(select(User).where(User.role == Role.HEI.value)).first()
        hei = principal_for(session, hei_user)
        nursing = PipelineFilters(profession_group=("nursing",))
        overview_report(session, principal=collaborative, filters=nursing, cache=warm)
        concerns_report(session, principal=collaborative, filters=ALL, unit="cohort", cache=warm)
        cohort_report(
            session, principal=hei, filters=PipelineFilters(route=("degree",)), cache=warm
        )
        capacity_demand_report(
            session,
            principal=collaborative,
            blocks=[],
            sectors=["care_home"],
            profession_groups=[],
            cache=warm,
        )
        with pytest.raises(pytest.fail.Exception):  # an HEI user has no system overview
            overview_report(session, principal=hei, filters=ALL, cache=warm)
