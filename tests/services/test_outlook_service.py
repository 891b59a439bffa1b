"""The supply outlook report: what each viewer may read and how they may see it."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.services.pipeline_fixtures import AS_OF, build_pipeline
from tracker.access import Principal
from tracker.measures import HESA
from tracker.measures.outlook import OutlookOptions
from tracker.measures.outlook_scenario import Scenario, ScenarioError, parse_scenario
from tracker.models import Role
from tracker.services.outlook import (
    OutlookReport,
    OutlookRequest,
    outlook_programmes,
    outlook_report,
)

FAST = OutlookOptions(draws=200)


@pytest.fixture
def people(engine: Engine) -> dict[str, Principal]:
    with Session(engine) as session:
        return build_pipeline(session)


def _report(engine: Engine, who: Principal, scenario: Scenario | None = None) -> OutlookReport:
    request = OutlookRequest(years=3, scenario=scenario, options=FAST)
    with Session(engine) as session:
        return outlook_report(session, principal=who, request=request, policy=HESA)


def test_administrator_sees_every_hei_exactly(engine: Engine, people: dict[str, Principal]) -> None:
    report = _report(engine, people["admin"])
    assert report.exact and report.as_of == AS_OF
    table = report.outlook.numbers
    assert set(table["field"]) == {"adult nursing", "physiotherapy"}
    # H2's physiotherapy cohort: 3 on programme, projected to complete in 2025 (as of
    # 1 October 2024, outlook year 2025 ends 1 October 2025).
    phy = table.set_index(["field", "year"]).loc[("physiotherapy", 2025), "completions"]
    assert 0 < phy <= 3
    assert set(report.track_record.columns) == {"profession_group", "predicted", "actual", "mape"}


def test_hei_user_sees_only_its_own_programmes_exactly(
    engine: Engine, people: dict[str, Principal]
) -> None:
    report = _report(engine, people["h1"])
    assert report.exact
    assert set(report.outlook.numbers["field"]) == {"adult nursing"}  # H1 runs no physiotherapy
    own = report.outlook.numbers["completions"].sum()
    every = _report(engine, people["admin"]).outlook.numbers
    assert own < every.loc[every["field"] == "adult nursing", "completions"].sum()


def test_collaborative_sees_controlled_figures(
    engine: Engine, people: dict[str, Principal]
) -> None:
    report = _report(engine, people["collaborative"])
    assert not report.exact
    numbers, text = report.outlook.numbers, report.outlook.text
    for col in ("completions", "completions_low", "completions_high", "local_posts"):
        shown = numbers[col].dropna()
        assert (shown % 5 == 0).all(), col  # rounded to 5 (HESA)
    phy = text.set_index(["field", "year"]).loc[("physiotherapy", 2025), "completions"]
    assert phy in {"0", HESA.small_label}  # about 3 projected completions are not shown
    assert "HESA" in report.note and "80% interval" in report.note


def test_coordinator_is_controlled_too(engine: Engine, people: dict[str, Principal]) -> None:
    assert not _report(engine, Principal("coord", Role.COORDINATOR)).exact


def test_hei_user_cannot_name_another_heis_programme(
    engine: Engine, people: dict[str, Principal]
) -> None:
    scenario = parse_scenario({"intake_change": {"PHY": {"percent": 10, "by_year": 2026}}})
    with pytest.raises(ScenarioError, match="'PHY' is no programme"):
        _report(engine, people["h1"], scenario=scenario)


def test_track_record_mape_is_finite_where_completions_were_recorded(
    engine: Engine, people: dict[str, Principal]
) -> None:
    record = _report(engine, people["admin"]).track_record.set_index("profession_group")
    # As of 1 Oct 2022 (two years before the data's end) the 2020 nursing cohorts were in
    # year 3 and completed in 2023: a year with recorded completions, so a finite MAPE.
    assert math.isfinite(record.loc["nursing", "mape"])


def test_empty_database_gives_an_empty_outlook(engine: Engine) -> None:
    report = _report(engine, Principal("admin", Role.ADMIN))
    assert report.as_of is None
    assert report.outlook.numbers.empty and report.track_record.empty


@pytest.mark.parametrize(
    ("who", "codes"), [("h1", ["NUR"]), ("h2", ["NUR", "PHY"]), ("admin", ["NUR", "PHY"])]
)
def test_the_programmes_offered_are_those_the_viewers_outlook_covers(
    engine: Engine, people: dict[str, Principal], who: str, codes: list[str]
) -> None:
    # H1 runs nursing only: its scenario editor must not offer (or name) H2's physiotherapy
    with Session(engine) as session:
        offered = outlook_programmes(session, principal=people[who])
    assert list(offered["code"]) == codes
    assert "BSc Physiotherapy" not in set(offered["name"]) or "PHY" in codes
