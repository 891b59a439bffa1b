"""Pipeline reports on SQLite and PostgreSQL: figures, scoping and disclosure control."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.services.disclosure_checks import (
    _candidates,
    differences,
    is_rate_value,
    report_problems,
)
from tests.services.pipeline_fixtures import AS_OF, build_pipeline
from tracker.access import Principal
from tracker.measures import HESA, TOTAL, disclosure_note
from tracker.models import Role
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


def test_the_exact_figures_note_gives_each_viewer_the_true_reason(
    engine: Engine, people: dict
) -> None:
    from tracker.measures import EXACT

    with Session(engine) as session:
        admin = overview_report(session, principal=people["admin"], filters=ALL)
        hei = cohort_report(session, principal=people["h1"], filters=ALL)
        off = overview_report(session, principal=people["collaborative"], filters=ALL, policy=EXACT)
    assert admin.note == (
        "Exact figures: you are an administrator, who sees every HEI's figures unrounded."
    )
    assert hei.note == "Exact figures: these are your own HEI's learners, which you see unrounded."
    assert hei.system_note == disclosure_note(HESA)  # the system's figures stay controlled
    assert off.note == "Exact figures: disclosure control is switched off in this deployment."
    assert "or are an administrator" not in admin.note + hei.note + off.note


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
    # The system's rate is the ratio of its shown counts (15 of 75), not the exact 17 / 74.
    assert math.isclose(comparison.loc["attrition_rate", "system"], 0.2)
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


# --- nothing exact leaves a report built for someone outside the owning HEI ------------------


@pytest.mark.parametrize("who", ["collaborative", "coordinator", "h1"])
def test_reports_for_other_viewers_carry_only_controlled_figures(
    engine: Engine, people: dict, who: str
) -> None:
    """Every count in every frame a non-exact viewer's report carries is a multiple of 5 or
    hidden, and every rate (trends, shares, retention steps and limits, funnel lines and
    the system rate) is at the shown precision. For the HEI user, the system side."""
    principal = people.get(who) or Principal("coord", Role.COORDINATOR)
    problems = []
    with Session(engine) as session:
        for filters in (ALL, PipelineFilters(programme=("NUR",))):
            cohort = cohort_report(session, principal=principal, filters=filters)
            if who == "h1":
                assert cohort.exact and not cohort.system_exact
                system_only = replace(
                    cohort,
                    by_intake=cohort.system_by_intake,
                    comparison=cohort.comparison.drop(columns=["selection"]),
                    retention=cohort.retention.loc[cohort.retention["series"] == "System"],
                )
                problems += report_problems(system_only)
                continue
            problems += report_problems(cohort)
            problems += report_problems(
                overview_report(session, principal=principal, filters=filters)
            )
            for unit in ("programme", "cohort"):
                problems += report_problems(
                    concerns_report(session, principal=principal, filters=filters, unit=unit)
                )
    assert problems == []


def test_controlled_rates_agree_with_the_counts_beside_them(engine: Engine, people: dict) -> None:
    """ "5 withdrawn of 35" sits beside 14.3%, not an exact rate: each shown rate is the ratio
    of the shown counts in its row, at the shown precision."""
    with Session(engine) as session:
        report = overview_report(session, principal=people["collaborative"], filters=ALL)
    rows = report.by_intake.numbers.dropna(subset=["attrition_rate"])
    assert len(rows)
    for row in rows.itertuples(index=False):
        assert row.attrition_rate == round(row.withdrawn / row.starters, 3)
    total = report.by_intake.text.set_index("intake_year").loc["All"]
    # 17 of 74 exactly; shown 15 of 75, and the rate is theirs: 20.0% (not 23.0%).
    assert (total["withdrawn"], total["starters"], total["attrition_rate"]) == ("15", "75", "20.0%")


def test_retention_steps_outside_the_owning_hei_come_from_controlled_counts(
    engine: Engine, people: dict
) -> None:
    with Session(engine) as session:
        exact = cohort_report(session, principal=people["admin"], filters=ALL)
        shown = cohort_report(session, principal=people["collaborative"], filters=ALL)
    exact_steps = exact.retention.loc[exact.retention["withdrawn"] > 0]
    # Exact curves step at each withdrawal, at full precision (1 - 1/74 ...).
    assert not exact_steps["retention"].map(is_rate_value).all()
    steps = shown.retention.loc[shown.retention["withdrawn"] > 0]
    assert len(steps) and (steps["withdrawn"] % 5 == 0).all()
    assert shown.retention["months"].map(float.is_integer).all()
    assert (shown.retention["at_risk"].dropna() >= 20).all()
    assert shown.retention["retention"].dropna().map(is_rate_value).all()
    # Each step is 1 - rounded withdrawals / rounded learners at risk, at shown precision.
    first = steps.iloc[0]
    assert first["retention"] <= 1 - first["withdrawn"] / 80 + 0.0005


def test_differencing_two_selections_does_not_recover_a_small_group(
    engine: Engine, people: dict
) -> None:
    """Pairs of selections whose difference isolates one small group.

    * The collaborative user's trend for every programme and for nursing only: the
      difference is H2's physiotherapy cohort (4 starters, 1 withdrawn).
    * H2's user on the cohort view filtered to nursing, which only H1 and H2 run: the
      system's total less the system's 2020/21 intake is H1's 2023 intake (10 starters,
      1 withdrawn), and the system's total less H2's own exact figures is H1's nursing.
    Under the old rules the rates were exact (16/70 = 0.22857...), pinning the counts; now
    no pair gives back the exact count.
    """
    nursing = PipelineFilters(programme=("NUR",))
    with Session(engine) as session:
        every = overview_report(session, principal=people["collaborative"], filters=ALL)
        nur = overview_report(session, principal=people["collaborative"], filters=nursing)
        mine = cohort_report(session, principal=people["h2"], filters=nursing)
        first = cohort_report(
            session,
            principal=people["h2"],
            filters=replace(nursing, intake_year=("2020/21",)),
        )

    def shown(table: pd.DataFrame, key: str, value: str) -> tuple[float, float, float]:
        row = table.set_index(key).loc[value]
        return (row["withdrawn"], row["starters"], row["attrition_rate"])

    every_all = shown(every.by_intake.numbers, "intake_year", TOTAL)
    nur_all = shown(nur.by_intake.numbers, "intake_year", TOTAL)
    assert (1, 4) not in differences(every_all, nur_all)
    system_all = shown(mine.system_by_intake.numbers, "intake", TOTAL)
    system_2020 = shown(first.system_by_intake.numbers, "intake", TOTAL)
    assert (1, 10) not in differences(system_all, system_2020)
    own = mine.by_intake.numbers.set_index("intake").loc[TOTAL]
    assert (own["withdrawn"], own["starters"]) == (12, 30)  # exact: H2's own learners
    recovered = {(w - 12, s - 30) for w, s in _candidates(*system_all)}
    assert (4, 40) not in recovered  # H1's nursing: 4 withdrawn of 40


def test_home_learner_count_is_exact_only_for_its_owners(people: dict) -> None:
    from tracker.services.pipeline_reports import learners_on_record

    coordinator = Principal("coord", Role.COORDINATOR)
    assert learners_on_record(5787, principal=people["admin"], policy=HESA, own_hei=False) == (
        "5,787"
    )
    assert learners_on_record(5787, principal=people["h1"], policy=HESA, own_hei=True) == "5,787"
    for principal in (people["collaborative"], coordinator):
        assert learners_on_record(5787, principal=principal, policy=HESA, own_hei=False) == "5,785"
        assert learners_on_record(2, principal=principal, policy=HESA, own_hei=False) == "0"
