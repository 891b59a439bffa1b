"""Capacity reads on both databases: allocator inputs, scoping of requests, frames."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.services.test_capacity_services import (
    COORDINATOR,
    Registers,
    build_registers,
)
from tracker.cache import CAPACITY_DATA, PIPELINE_DATA, data_version
from tracker.db import session_scope
from tracker.measures.capacity import ANY_SECTOR
from tracker.models import (
    Placement,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    SupervisionCapacity,
)
from tracker.optimise.validate import validate
from tracker.queries.allocator_inputs import (
    ALLOCATOR_CAPACITY_COLUMNS,
    ALLOCATOR_DEMAND_COLUMNS,
    ALLOCATOR_SETTINGS_COLUMNS,
    allocator_inputs,
)
from tracker.queries.capacity import capacity_register
from tracker.queries.capacity_demand import CapacityDemandFrames, capacity_demand_frames
from tracker.queries.requests import requests_register
from tracker.queries.settings import settings_register
from tracker.snapshots import setting_code


@pytest.fixture
def registers(engine: Engine) -> Registers:
    with Session(engine, expire_on_commit=False) as session:
        return build_registers(session)


def test_allocator_inputs_one_profession_group(engine: Engine, registers: Registers) -> None:
    with Session(engine) as s:
        settings, capacity, demand = allocator_inputs(s, blocks=["2026-B1"], programmes=["NUR"])
    assert list(settings.columns) == ALLOCATOR_SETTINGS_COLUMNS
    assert list(capacity.columns) == ALLOCATOR_CAPACITY_COLUMNS
    assert list(demand.columns) == ALLOCATOR_DEMAND_COLUMNS
    # S3 has no B1 capacity: left out; S1's AHP places are not nursing places
    assert settings.to_dict("records")[0] == {
        "setting_id": "S1",
        "sector": "acute",
        "programmes": "NUR",
        "lat": 53.80,
        "lon": -1.55,
        "active": True,
    }
    assert settings["setting_id"].tolist() == ["S1", "S2"]
    assert math.isnan(settings.loc[1, "lat"]) is False
    assert capacity.values.tolist() == [["S1", "2026-B1", 3, 1], ["S2", "2026-B1", 1, 1]]
    # the withdrawn R4 and the physiotherapy R3 are not nursing demand in B1
    assert demand["request_id"].tolist() == ["R1", "R2"]
    r1, r2 = demand.to_dict("records")
    assert (r1["hei"], r1["programme"], r1["block"], r1["learners"]) == ("H1", "NUR", "2026-B1", 4)
    assert r1["sector"] is None and (r1["lat"], r1["lon"]) == (53.79, -1.54)
    assert r2["sector"] == "care_home" and math.isnan(r2["lat"])
    validate(settings, capacity, demand)  # the allocator accepts them as they are


def test_allocator_inputs_split_a_setting_by_profession_group(
    engine: Engine, registers: Registers
) -> None:
    with Session(engine) as s:
        settings, capacity, demand = allocator_inputs(s, blocks=None, programmes=None)
    by_id = settings.set_index("setting_id")["programmes"].to_dict()
    # S1 offers nursing and AHP places: one allocator setting per group, so they never mix
    assert by_id == {"S1#ahp": "PHY", "S1#nursing": "NUR", "S2": "NUR", "S3": "NUR"}
    places = {(r.setting_id, r.block): r.places for r in capacity.itertuples()}
    assert places[("S1#ahp", "2026-B1")] == 2
    assert places[("S1#nursing", "2026-B1")] == 3
    assert places[("S3", "2026-B3")] == 2
    assert ("S3", "2026-B1") not in places
    assert capacity["block"].tolist()[:3] == ["2026-B1", "2026-B2", "2026-B3"]
    assert setting_code("S1#ahp") == ("S1", "ahp")
    assert setting_code("S2") == ("S2", None)
    assert setting_code("A#B") == ("A#B", None)
    assert demand["request_id"].tolist() == ["R1", "R2", "R3"]
    validate(settings, capacity, demand)


def test_allocator_inputs_capacity_overrides(engine: Engine, registers: Registers) -> None:
    overrides = {("S2", "2026-B1", "nursing"): 7, ("S3", "2026-B1", "nursing"): 4}
    with Session(engine) as s:
        settings, capacity, _ = allocator_inputs(
            s, blocks=["2026-B1"], programmes=["NUR"], capacity_overrides=overrides
        )
        as_frame = allocator_inputs(
            s,
            blocks=["2026-B1"],
            programmes=["NUR"],
            capacity_overrides=pd.DataFrame(
                [
                    {
                        "setting_id": "S2",
                        "block": "2026-B1",
                        "profession_group": "nursing",
                        "places": 0,
                    }
                ]
            ),
        )[1]
    places = dict(zip(capacity["setting_id"], capacity["places"], strict=True))
    assert places == {"S1": 3, "S2": 7, "S3": 4}  # S3 gains a row it did not have
    assert "S3" in settings["setting_id"].tolist()
    assert dict(zip(as_frame["setting_id"], as_frame["places"], strict=True))["S2"] == 0
    # the register itself is untouched
    with Session(engine) as s:
        register = capacity_register(s, principal=COORDINATOR, blocks=["2026-B1"])
    assert register.loc[register["setting_id"] == "S2", "places"].tolist() == [1]


def test_hei_sees_only_its_own_requests(engine: Engine, registers: Registers) -> None:
    with Session(engine) as s:
        own = requests_register(s, principal=registers.h1)
        other = requests_register(s, principal=registers.h2)
        every = requests_register(s, principal=COORDINATOR)
    assert set(own["hei"]) == {"H1"} and set(own["request_id"]) == {"R1", "R3"}
    assert set(other["request_id"]) == {"R2", "R4"}
    assert len(every) == 4


def test_registers_and_frames(engine: Engine, registers: Registers) -> None:
    with Session(engine) as s:
        settings = settings_register(s, principal=COORDINATOR)
        care = settings_register(s, principal=COORDINATOR, sector=["care_home"])
        cap = capacity_register(s, principal=COORDINATOR, blocks=["2026-B3"], organisation=["C1"])
        frames = capacity_demand_frames(s, principal=COORDINATOR, blocks=["2026-B1"])
    assert settings.set_index("setting_id")["programmes"].to_dict() == {
        "S1": "NUR;PHY",
        "S2": "NUR",
        "S3": "*",
    }
    assert care["setting_id"].tolist() == ["S2", "S3"]
    assert cap[["setting_id", "places"]].values.tolist() == [["S2", 1], ["S3", 2]]
    assert frames.capacity["places"].sum() == 3 + 2 + 1
    assert frames.demand.set_index("request_id")["sector"].to_dict() == {
        "R1": ANY_SECTOR,
        "R2": "care_home",
        "R3": ANY_SECTOR,
    }
    hosting = set(map(tuple, frames.hosting.values.tolist()))
    assert ("S3", "PHY", "ahp") in hosting and ("S2", "NUR", "nursing") in hosting


def test_registers_refuse_a_filter_they_do_not_have(engine: Engine, registers: Registers) -> None:
    """A misspelt filter is refused, as a misspelt keyword is, rather than widening the read."""
    with Session(engine) as s:
        requests_register(s, principal=COORDINATOR, heis=[], blocks=[])  # empty keeps all
        with pytest.raises(TypeError, match="sectors"):
            capacity_register(s, principal=COORDINATOR, sectors=["acute"])
        with pytest.raises(TypeError, match="hei"):
            requests_register(s, principal=COORDINATOR, hei=["H1"])


def _places(frames: CapacityDemandFrames, setting: str) -> int:
    return int(frames.capacity.loc[frames.capacity["setting_id"] == setting, "places"].sum())


def test_a_new_capacity_row_changes_the_data_version(engine: Engine, registers: Registers) -> None:
    """Even written without an audit row (a bulk load), a new row is a new data version."""
    with Session(engine) as s:
        version = data_version(s, CAPACITY_DATA)
    with session_scope(engine) as s:
        setting = s.exec(select(PlacementSetting).where(PlacementSetting.code == "S3")).one()
        block = s.exec(select(PlacementBlock).where(PlacementBlock.code == "2026-B1")).one()
        s.add(
            SupervisionCapacity(
                setting_id=setting.id,
                block_id=block.id,
                profession_group="nursing",
                practice_supervisors=1,
            )
        )
    with Session(engine) as s:
        assert data_version(s, CAPACITY_DATA) != version


def test_draft_plans_and_sign_ins_leave_capacity_figures_and_their_version_alone(
    engine: Engine, registers: Registers
) -> None:
    """Only published placements take places; a draft run's proposals, a sign-in or a new
    draft run change neither the figures nor the version (so nothing cached goes stale)."""
    from tracker.services.audit import record_audit

    with Session(engine) as s:
        before = capacity_demand_frames(s, principal=COORDINATOR, blocks=["2026-B1"])
        capacity_version = data_version(s, CAPACITY_DATA)
        pipeline_version = data_version(s, PIPELINE_DATA)
    with session_scope(engine) as s:
        setting = s.exec(select(PlacementSetting).where(PlacementSetting.code == "S1")).one()
        block = s.exec(select(PlacementBlock).where(PlacementBlock.code == "2026-B1")).one()
        request = s.exec(select(PlacementRequest).where(PlacementRequest.code == "R1")).one()
        draft = Placement(
            request_id=request.id,
            setting_id=setting.id,
            block_id=block.id,
            learners=2,
            status="proposed",
        )
        s.add(draft)
        record_audit(s, COORDINATOR, "allocation.run.create", entity="allocation_run")
        record_audit(s, COORDINATOR, "signin")
    with Session(engine) as s:
        assert data_version(s, CAPACITY_DATA) == capacity_version
        assert data_version(s, PIPELINE_DATA) == pipeline_version
        drafted = capacity_demand_frames(s, principal=COORDINATOR, blocks=["2026-B1"])
    pd.testing.assert_frame_equal(drafted.placed, before.placed)
    with session_scope(engine) as s:  # approving publishes it: now it takes places
        row = s.get(Placement, draft.id)
        row.status = "confirmed"
        record_audit(s, COORDINATOR, "allocation.run.approve", entity="allocation_run")
    with Session(engine) as s:
        assert data_version(s, CAPACITY_DATA) != capacity_version
        published = capacity_demand_frames(s, principal=COORDINATOR, blocks=["2026-B1"])
    assert published.placed.set_index("setting_id").loc["S1", "learners"] == 2
