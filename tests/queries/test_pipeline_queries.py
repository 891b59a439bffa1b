"""Pipeline reads on SQLite and PostgreSQL: the measures' input frames, scoped by access."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.services.pipeline_fixtures import AS_OF, build_pipeline
from tracker.queries.pipeline import (
    OTHER_HEI,
    PipelineFilters,
    filter_options,
    latest_event_date,
    pipeline_frames,
    system_frames,
)


@pytest.fixture
def people(engine: Engine) -> dict:
    with Session(engine) as session:
        return build_pipeline(session)


def test_filters_round_trip_through_the_url() -> None:
    filters = PipelineFilters(hei=("H1", "H2"), intake_year=("2023/24",), route=("degree",))
    search = filters.to_query()
    assert search == "?hei=H1,H2&intake_year=2023/24&route=degree"
    assert PipelineFilters.from_search(search) == filters
    assert (
        PipelineFilters.from_query(
            {"hei": "H1,H2", "intake_year": ["2023/24"], "route": "degree", "unknown": "x"}
        )
        == filters
    )
    assert PipelineFilters().to_query() == ""
    assert filters.without("hei").hei == ()


def test_frames_follow_the_measures_contract(engine: Engine, people: dict) -> None:
    with Session(engine) as session:
        frames = pipeline_frames(session, principal=people["admin"], filters=PipelineFilters())
        assert latest_event_date(session) == AS_OF
    assert list(frames.learners.columns) == [
        "learner_id",
        "learner_ref",
        "hei",
        "programme",
        "profession_group",
        "route",
        "intake",
        "start_date",
        "years",
    ]
    assert list(frames.events.columns) == ["learner_id", "date", "event", "reason"]
    assert list(frames.cohorts.columns) == [
        "hei",
        "programme",
        "profession_group",
        "route",
        "intake",
        "commissioned_places",
    ]
    assert len(frames.learners) == 74
    assert set(frames.learners["intake"]) == {"2020-09", "2021-09", "2023-09"}
    assert frames.events["learner_id"].isin(frames.learners["learner_id"]).all()


def test_filters_narrow_the_rows(engine: Engine, people: dict) -> None:
    with Session(engine) as session:
        nursing_2023 = pipeline_frames(
            session,
            principal=people["collaborative"],
            filters=PipelineFilters(profession_group=("nursing",), intake_year=("2023/24",)),
        )
        ahp = pipeline_frames(
            session, principal=people["admin"], filters=PipelineFilters(programme=("PHY",))
        )
    assert len(nursing_2023.learners) == 10
    assert set(nursing_2023.cohorts["intake"]) == {"2023-09"}
    assert set(ahp.learners["hei"]) == {"H2"} and len(ahp.learners) == 4


def test_hei_user_never_gets_another_heis_learner_rows(engine: Engine, people: dict) -> None:
    with Session(engine) as session:
        own = pipeline_frames(session, principal=people["h1"], filters=PipelineFilters())
        asked_for_other = pipeline_frames(
            session, principal=people["h1"], filters=PipelineFilters(hei=("H2",))
        )
        system = system_frames(session, principal=people["h1"], filters=PipelineFilters())
        options = filter_options(session, principal=people["h1"])
    assert set(own.learners["hei"]) == {"H1"} and len(own.learners) == 40
    assert not own.learners["learner_ref"].str.startswith("H2").any()
    assert asked_for_other.learners.empty
    # The comparison frames name neither other HEIs nor their learners.
    others = system.learners.loc[system.learners["hei"] != "H1"]
    assert set(others["hei"]) == {OTHER_HEI} and (others["learner_ref"] == "").all()
    assert set(system.cohorts["hei"]) == {"H1", OTHER_HEI}
    assert [code for code, _ in options.hei] == ["H1"]
    assert [code for code, _ in options.programme] == ["NUR"]
    assert [code for code, _ in options.intake_year] == ["2020/21", "2023/24"]
