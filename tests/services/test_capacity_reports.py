"""Capacity reports through the one caching rule: same figures as computed, new ones after edits."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from flask import Flask
from sqlalchemy import Engine, event
from sqlmodel import Session

from tests.services.test_capacity_services import (
    COORDINATOR,
    Registers,
    _capacity,
    _edit,
    build_registers,
)
from tracker.access import Principal
from tracker.cache import (
    CAPACITY_DATA,
    REPORT_CACHE_KEY,
    ReportCache,
    cached_for,
    cached_report,
    data_version,
)
from tracker.cache_stores import DiskStore
from tracker.db import session_scope
from tracker.queries.capacity_demand import CapacityDemandFrames, capacity_demand_frames
from tracker.services.capacity import save_capacity_rows
from tracker.services.capacity_reports import calendar_report, capacity_demand_report


@pytest.fixture
def registers(engine: Engine) -> Registers:
    with Session(engine, expire_on_commit=False) as session:
        return build_registers(session)


@pytest.fixture
def cache(tmp_path: Path) -> ReportCache:
    return ReportCache(DiskStore(tmp_path / "reports"), namespace="test")


def _places(frames: CapacityDemandFrames, setting: str) -> int:
    return int(frames.capacity.loc[frames.capacity["setting_id"] == setting, "places"].sum())


def test_cached_frames_equal_computed_ones_and_follow_capacity_edits(
    engine: Engine, registers: Registers, cache: ReportCache
) -> None:
    with Session(engine) as s:
        fresh = capacity_demand_frames(s, principal=COORDINATOR, blocks=["2026-B1"])
        cached = capacity_demand_report(
            s, principal=COORDINATOR, blocks=["2026-B1"], cache=cache
        ).frames
        again = capacity_demand_report(
            s, principal=COORDINATOR, blocks=["2026-B1"], cache=cache
        ).frames
        mine = capacity_demand_report(
            s, principal=registers.h1, blocks=["2026-B1"], cache=cache
        ).frames
        version = data_version(s, CAPACITY_DATA)
        edited = _capacity(s, "S2", "2026-B1", "nursing")
    for name in ("capacity", "demand", "hosting", "placed", "settings"):
        pd.testing.assert_frame_equal(getattr(cached, name), getattr(fresh, name))
        pd.testing.assert_frame_equal(getattr(again, name), getattr(fresh, name))
    assert set(mine.demand["hei"]) == {"H1"}  # an HEI user never gets another's entry
    assert _places(cached, "S2") == 1

    with session_scope(engine) as s:
        save_capacity_rows(s, principal=COORDINATOR, rows=[_edit(edited, practice_supervisors=4)])
    with Session(engine) as s:
        assert data_version(s, CAPACITY_DATA) != version
        after = capacity_demand_report(
            s, principal=COORDINATOR, blocks=["2026-B1"], cache=cache
        ).frames
    assert _places(after, "S2") == 4


class _CountingCache(ReportCache):
    """Counts the reports actually computed (misses)."""

    def __init__(self, store: DiskStore) -> None:
        super().__init__(store, namespace="test")
        self.computed: list[str] = []

    def get_or_compute(self, key, compute):  # type: ignore[no-untyped-def]
        def counted():  # type: ignore[no-untyped-def]
            self.computed.append(key.split(":")[0])
            return compute()

        return super().get_or_compute(key, counted)


def test_filters_chosen_in_another_order_share_one_entry(
    engine: Engine, registers: Registers, tmp_path: Path
) -> None:
    cache = _CountingCache(DiskStore(tmp_path / "counted"))
    with Session(engine) as s:
        one = capacity_demand_report(
            s, principal=COORDINATOR, blocks=["2026-B1", "2026-B3"], cache=cache
        )
        other = capacity_demand_report(
            s, principal=COORDINATOR, blocks=("2026-B3", "2026-B1"), cache=cache
        )
        capacity_demand_report(s, principal=COORDINATOR, blocks=["2026-B3"], cache=cache)
    assert cache.computed == ["capacity_demand_report", "capacity_demand_report"]
    pd.testing.assert_frame_equal(one.by_sector, other.by_sector)


def test_the_report_finds_the_web_apps_cache(
    engine: Engine, registers: Registers, tmp_path: Path
) -> None:
    """Pages pass no cache: inside the app the decorator uses the app's; outside, none."""
    cache = _CountingCache(DiskStore(tmp_path / "app"))
    app = Flask("test")
    app.extensions[REPORT_CACHE_KEY] = cache
    with Session(engine) as s:
        calendar_report(s, principal=COORDINATOR)
        assert cache.computed == []
        with app.app_context():
            first = calendar_report(s, principal=COORDINATOR, profession_groups=["nursing"])
            again = calendar_report(s, principal=COORDINATOR, profession_groups=["nursing"])
    assert cache.computed == ["calendar_report"]
    pd.testing.assert_frame_equal(first.entries, again.entries)
    assert set(first.entries["profession_group"]) <= {"nursing"}


def test_a_request_reads_the_data_version_once(
    engine: Engine, registers: Registers, cache: ReportCache
) -> None:
    """Drawn content around a report around its frames: one version statement, not three."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with Session(engine) as s:
            cached_for(
                cache,
                s,
                COORDINATOR,
                "view:test",
                (),
                CAPACITY_DATA,
                lambda: capacity_demand_report(s, principal=COORDINATOR, cache=cache),
            )
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    versions = [q for q in statements if "max(id)" in q]
    assert len(versions) == 1


def test_a_report_without_the_arguments_of_the_rule_is_refused() -> None:
    with pytest.raises(TypeError, match="cache"):

        @cached_report(CAPACITY_DATA)
        def report(session: Session, *, principal: Principal) -> int:
            return 1
