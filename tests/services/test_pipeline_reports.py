"""Pipeline reports on SQLite and PostgreSQL: figures, scoping and disclosure control."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.services.pipeline_fixtures import AS_OF, build_pipeline
from tracker.measures import HESA, disclosure_note
from tracker.queries.pipeline import PipelineFilters
from tracker.services.pipeline_reports import (
    attrition_export,
    cohort_report,
    concerns_report,
    overview_report,
)

ALL = PipelineFilters()


@pytest.fixture
def people(engine: Engine) -> dict:
    with Session(engine) as session:
        return build_pipeline(session)


def test_overview_exact_for_admin_and_controlled_for_collaborative(
    engine: Engine, people: dict
) -> None:
    with Session(engine) as session:
        exact = overview_report(session, principal=people["admin"], filters=ALL)
        shown = overview_report(session, principal=people["collaborative"], filters=ALL)
    assert exact.as_of == AS_OF and exact.exact and not shown.exact
    assert shown.note == disclosure_note(HESA)
    row = exact.by_intake.numbers.set_index("intake_year").loc["2020/21"]
    assert (row["starters"], row["withdrawn"], row["completed"]) == (60, 15, 43)
    controlled = shown.by_intake.text.set_index("intake_year")
    # 2021/22 intake: 4 starters (rounded to 5), 1 withdrawal shown as 0, rate hidden.
    assert controlled.loc["2021/22", "starters"] == "5"
    assert controlled.loc["2021/22", "withdrawn"] == "0"
    assert controlled.loc["2021/22", "attrition_rate"] == ".."
    # Sankey: every flow a multiple of 5 or hidden; the withdrawn flow from year 1 survives.
    flows = shown.flows.dropna(subset=["learners"])
    assert (flows["learners"] % 5 == 0).all()
    assert shown.flows["hidden"].any()
    reasons = exact.reasons.numbers.set_index("reason")
    assert reasons.loc["financial", "withdrawn"] == 9
    assert reasons.loc["All", "withdrawn"] == 17


def test_filter_changes_overview_figures(engine: Engine, people: dict) -> None:
    with Session(engine) as session:
        h2 = overview_report(
            session, principal=people["admin"], filters=PipelineFilters(hei=("H2",))
        )
    total = h2.by_intake.numbers.set_index("intake_year").loc["All"]
    assert (total["starters"], total["withdrawn"]) == (34, 13)


def test_concerns_flags_the_outlying_programme(engine: Engine, people: dict) -> None:
    with Session(engine) as session:
        exact = concerns_report(session, principal=people["admin"], filters=ALL)
        shown = concerns_report(session, principal=people["collaborative"], filters=ALL)
    assert math.isclose(exact.system_rate, 17 / 74)
    assert list(exact.flagged[["hei", "programme", "flag"]].itertuples(index=False)) == [
        ("H2", "NUR", "above 95%")
    ]
    assert set(exact.limits.columns) >= {"n", "target", "upper_95", "upper_99_8"}
    # Outside the HEIs, a unit of 4 starters has no rate to show: not plotted, counted.
    assert shown.hidden_units == 1 and len(shown.points) == 2
    assert list(shown.flagged["hei"]) == ["H2"]


def test_cohort_view_for_hei_is_exact_and_system_is_controlled(
    engine: Engine, people: dict
) -> None:
    with Session(engine) as session:
        report = cohort_report(session, principal=people["h1"], filters=ALL)
        collab = cohort_report(
            session, principal=people["collaborative"], filters=PipelineFilters(hei=("H1",))
        )
    assert report.exact and not report.system_exact
    assert report.learners is not None
    assert set(report.learners["hei"]) == {"H1"}
    assert not report.learners["learner_ref"].str.startswith("H2").any()
    own = report.by_intake.numbers.set_index("intake")
    assert (own.loc["2020-09", "transferred_out"], own.loc["2020-09", "interrupted"]) == (1, 1)
    system = report.system_by_intake.text.set_index("intake")
    # System figures are rounded aggregates: no other HEI's row, no small count shown.
    assert "hei" not in report.system_by_intake.text.columns
    assert system.loc["All", "starters"] == "75"
    assert system.loc["2021-09", "attrition_rate"] == ".."
    comparison = report.comparison.set_index("measure")
    assert math.isclose(comparison.loc["attrition_rate", "selection"], 0.1)
    assert math.isclose(comparison.loc["attrition_rate", "system"], 17 / 74)
    # Collaborative users see any HEI, but controlled and without learner rows.
    assert not collab.exact and collab.learners is None


def test_attrition_export_groups_and_controls(engine: Engine, people: dict) -> None:
    with Session(engine) as session:
        exact = attrition_export(session, principal=people["admin"], by=["hei", "programme"])
        safe = attrition_export(
            session, principal=people["admin"], by=["hei", "programme"], disclosure_control=True
        )
        mine = attrition_export(session, principal=people["h2"], by=["programme"])
        with pytest.raises(ValueError, match="cannot group by route"):
            attrition_export(session, principal=people["admin"], by=["route"])
    assert list(exact.frame.columns) == [
        "hei",
        "programme",
        "starters",
        "withdrawn",
        "transferred_out",
        "interrupted",
        "completed",
        "attrition_rate",
    ]
    row = exact.frame.set_index(["hei", "programme"]).loc[("H2", "NUR")]
    assert list(row) == [30, 12, 0, 0, 18, 0.4]
    assert exact.exact and not safe.exact
    safe_rows = safe.frame.set_index(["hei", "programme"])
    assert safe_rows.loc[("H2", "PHY"), "starters"] == 5
    assert safe_rows.loc[("H2", "PHY"), "attrition_rate"] == ".."
    assert safe_rows.loc[("All", "All"), "starters"] == 75
    # An HEI user exporting sees exact figures of its own HEI only.
    assert mine.exact and set(mine.frame["programme"]) == {"NUR", "PHY", "All"}
    assert mine.frame.set_index("programme").loc["All", "starters"] == 34


def test_the_deployment_convention_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tracker.config import load_settings
    from tracker.measures import NHS
    from tracker.services.pipeline_reports import disclosure_policy

    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRACKER_DISCLOSURE", "nhs")
    monkeypatch.setenv("TRACKER_DISCLOSURE_MIN_RATE_DENOMINATOR", "30")
    policy = disclosure_policy(load_settings())
    assert policy.small_max == NHS.small_max
    assert policy.min_rate_denominator == 30
    monkeypatch.setenv("TRACKER_DISCLOSURE", "exact")
    with pytest.raises(ValueError, match="Unknown disclosure convention"):
        disclosure_policy(load_settings())
