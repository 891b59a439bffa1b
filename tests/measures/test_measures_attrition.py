"""Cohort measures, in-year attrition, reasons, year of study, headlines and flows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from measures_helpers import AS_OF

from tracker.measures import (
    ATTRITION_EXPORT_COLUMNS,
    COHORT_COLUMNS,
    MEASURE_LABELS,
    TOTAL,
    cohort_measures,
    headline_figures,
    in_year_attrition,
    learner_status,
    pipeline_flows,
    withdrawals_by_reason,
    withdrawals_by_year_of_study,
)


def test_cohort_measures_by_intake(
    learners: pd.DataFrame, events: pd.DataFrame, cohorts: pd.DataFrame
) -> None:
    t = cohort_measures(learners, events, cohorts, by=["intake"], as_of=AS_OF).set_index("intake")
    assert list(t.columns) == list(COHORT_COLUMNS)
    c20 = t.loc["2020-09"]
    # Starters L1-L7 (L8 transferred in: counted apart, not a starter).
    assert c20["starters"] == 7
    assert c20["withdrawn"] == 2  # L2, L6
    assert c20["transferred_out"] == 1  # L4: not attrition
    assert c20["interrupted"] == 1  # L5
    assert c20["completed"] == 2  # L1 on time, L3 late
    assert c20["active"] == 1  # L7
    assert (
        c20["withdrawn"]
        + c20["transferred_out"]
        + c20["interrupted"]
        + c20["completed"]
        + c20["active"]
        == c20["starters"]
    )
    assert c20["completed_on_time"] == 1
    assert c20["employed_local"] == 1  # L1
    assert c20["transferred_in"] == 1  # L8
    # RePAIR: due = 7 starters - 1 transfer out = 6; on time only L1 -> 5 of 6 not.
    assert c20["due"] == 6 and c20["not_completed_on_time"] == 5
    assert c20["attrition_rate"] == pytest.approx(2 / 7)  # 28.6%
    assert c20["non_completion_rate"] == pytest.approx(5 / 6)  # 83.3%
    assert c20["fill_rate"] == pytest.approx(7 / 10)
    assert c20["local_retention"] == pytest.approx(1 / 2)

    c23 = t.loc["2023-09"]
    assert (c23["starters"], c23["withdrawn"], c23["active"]) == (2, 1, 1)
    assert c23["attrition_rate"] == pytest.approx(0.5)
    assert np.isnan(c23["non_completion_rate"])  # nobody due yet: not 0%
    assert c23["fill_rate"] == pytest.approx(2 / 4)

    # Commissioned cohorts nobody started still appear, with a fill rate of 0.
    assert t.loc["2022-09", "starters"] == 0 and t.loc["2022-09", "fill_rate"] == 0
    assert np.isnan(t.loc["2022-09", "attrition_rate"])


def test_cohort_measures_without_grouping_or_cohorts(
    learners: pd.DataFrame, events: pd.DataFrame
) -> None:
    t = cohort_measures(learners, events, as_of=AS_OF)
    assert len(t) == 1
    row = t.iloc[0]
    assert (row["starters"], row["withdrawn"]) == (9, 3)
    assert row["attrition_rate"] == pytest.approx(3 / 9)
    assert pd.isna(row["commissioned_places"]) and np.isnan(row["fill_rate"])


def test_margins_are_computed_from_learners(
    learners: pd.DataFrame, events: pd.DataFrame, cohorts: pd.DataFrame
) -> None:
    t = cohort_measures(
        learners, events, cohorts, by=["hei", "intake_year"], as_of=AS_OF, margins=True
    )
    groups = t.loc[(t["hei"] != TOTAL) & (t["intake_year"] != TOTAL)]
    assert set(groups["intake_year"]) == {"2020/21", "2022/23", "2023/24", "2024/25"}
    total = t.loc[(t["hei"] == TOTAL) & (t["intake_year"] == TOTAL)].iloc[0]
    assert total["starters"] == groups["starters"].sum() == 9
    assert total["commissioned_places"] == 22
    assert total["attrition_rate"] == pytest.approx(3 / 9)  # not a mean of the rates
    sub = t.loc[(t["hei"] == "H1") & (t["intake_year"] == TOTAL)]
    assert len(sub) == 1 and sub.iloc[0]["starters"] == 9


def test_export_columns_are_cohort_columns() -> None:
    assert set(ATTRITION_EXPORT_COLUMNS) <= set(COHORT_COLUMNS)


def test_unknown_grouping_is_refused(learners: pd.DataFrame, events: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="cannot group by"):
        cohort_measures(learners, events, by=["ward"], as_of=AS_OF)


def test_in_year_attrition(learners: pd.DataFrame, events: pd.DataFrame) -> None:
    t = in_year_attrition(learners, events, as_of=AS_OF).set_index("academic_year")
    # 2020/21: nobody on programme on 31 Aug 2020; L1-L7 start; L2 withdraws -> 1/7.
    # 2021/22: on programme L1, L3, L4, L5, L6, L7 (L8 arrives 1 Sep 2021 by transfer,
    #          not a start); no withdrawals -> 0/6.
    # 2022/23: L1, L3, L5, L6, L7, L8 (L4 left); L6 withdraws -> 1/6.
    # 2023/24: L3, L5, L7 (L1 and L8 completed 31 Aug 2023) + starters L9, L10; L10
    #          withdraws -> 1/5.
    # 2024/25 to 1 Oct: L5, L7, L9 (L3 completed 31 Aug 2024); none -> 0/3, part year.
    expected = {
        "2020/21": (0, 7, 1),
        "2021/22": (6, 0, 0),
        "2022/23": (6, 0, 1),
        "2023/24": (3, 2, 1),
        "2024/25": (3, 0, 0),
    }
    got = {
        y: (r.on_programme_at_start, r.started_in_year, r.withdrawn_in_year)
        for y, r in t.iterrows()
    }
    assert got == expected
    assert t.loc["2023/24", "in_year_attrition_rate"] == pytest.approx(1 / 5)
    assert t.loc["2020/21", "in_year_attrition_rate"] == pytest.approx(1 / 7)
    assert t["complete_year"].tolist() == [True, True, True, True, False]


def test_withdrawals_by_reason_and_year(learners: pd.DataFrame, events: pd.DataFrame) -> None:
    status = learner_status(learners, events, as_of=AS_OF)
    reasons = withdrawals_by_reason(status).set_index("reason")
    assert reasons["withdrawn"].to_dict() == {"academic": 1, "financial": 1, "personal_health": 1}
    assert reasons["share"].sum() == pytest.approx(1)
    years = withdrawals_by_year_of_study(status, by=["intake"])
    got = {(r.intake, int(r.year_of_study)): r.withdrawn for r in years.itertuples()}
    # L2 year 1 and L6 year 3 (2020 intake); L10 year 1 (2023 intake).
    assert got == {("2020-09", 1): 1, ("2020-09", 3): 1, ("2023-09", 1): 1}
    shares = years.set_index(["intake", "year_of_study"])["share"]
    assert shares.loc[("2020-09", 1)] == pytest.approx(0.5)


def test_headline_figures_compare_like_for_like(
    learners: pd.DataFrame, events: pd.DataFrame, cohorts: pd.DataFrame
) -> None:
    h = headline_figures(learners, events, cohorts, as_of=date(2024, 8, 31)).set_index("measure")
    assert h.loc["starters", "period"] == "2023/24 to 2024-08-31"
    assert h.loc["starters", "previous_period"] == "2022/23 to 2023-08-31"
    # This year: L9 and L10 against 4 places; last year: none against 5.
    assert (h.loc["starters", "value"], h.loc["starters", "previous"]) == (2, 0)
    assert h.loc["fill_rate", "value"] == pytest.approx(0.5)
    assert h.loc["fill_rate", "change"] == pytest.approx(0.5)
    # In-year: 1/5 this year against 1/6 last year.
    assert h.loc["in_year_attrition_rate", "value"] == pytest.approx(1 / 5)
    assert h.loc["in_year_attrition_rate", "previous"] == pytest.approx(1 / 6)
    # Cohort due this year (the 2020 intake, due 1 Sep 2023): both definitions side by side.
    assert h.loc["attrition_rate", "value"] == pytest.approx(2 / 7)
    assert h.loc["non_completion_rate", "value"] == pytest.approx(5 / 6)
    assert h.loc["non_completion_rate", "label"] == MEASURE_LABELS["non_completion_rate"]
    assert np.isnan(h.loc["attrition_rate", "previous"])  # nobody due in 2022/23
    assert h.loc["completed_in_year", "value"] == 1  # L3 (L1 fell in 2022/23)
    assert h.loc["on_programme", "value"] == 3  # L5, L7, L9
    assert set(h["kind"]) == {"count", "rate"}


def test_pipeline_flows_balance(learners: pd.DataFrame, events: pd.DataFrame) -> None:
    f = pipeline_flows(learner_status(learners, events, as_of=AS_OF))
    flows = {(r.source, r.target): r.learners for r in f.itertuples()}
    assert flows == {
        ("Started", "Year 1"): 9,
        ("Year 1", "Withdrawn"): 2,  # L2, L10
        ("Year 1", "Year 2"): 7,
        ("Year 2", "Transferred out"): 1,  # L4
        ("Year 2", "Interrupted (now)"): 1,  # L5
        ("Year 2", "On programme (now)"): 1,  # L9
        ("Year 2", "Year 3"): 4,
        ("Year 3", "Withdrawn"): 1,  # L6
        ("Year 3", "On programme (now)"): 1,  # L7
        ("Year 3", "Completed"): 2,  # L1, L3
        ("Completed", "Employed locally"): 1,
        ("Completed", "Employed elsewhere"): 1,
    }
    inflow = f.groupby("target")["learners"].sum()
    outflow = f.groupby("source")["learners"].sum()
    for node in ("Year 1", "Year 2", "Year 3", "Completed"):
        assert inflow[node] == outflow[node]


def test_places_follow_programme_groups_and_empty_logs_are_safe(
    learners: pd.DataFrame, events: pd.DataFrame, cohorts: pd.DataFrame
) -> None:
    # Cohorts carry no profession group: it is taken from the programme's learners, so all
    # 10 + 5 + 4 + 3 = 22 places land in nursing; 9 starters -> fill 9/22.
    t = cohort_measures(learners, events, cohorts, by=["profession_group"], as_of=AS_OF)
    assert t["commissioned_places"].tolist() == [22]
    assert t["fill_rate"].iloc[0] == pytest.approx(9 / 22)
    # Before anything is recorded: zero counts, missing rates, no errors.
    none = events.iloc[:0]
    empty = cohort_measures(learners, none, cohorts, by=["hei"], as_of=AS_OF)
    assert empty["starters"].tolist() == [0] and np.isnan(empty["attrition_rate"].iloc[0])
    assert in_year_attrition(learners, none, as_of=AS_OF).empty
    assert pipeline_flows(learner_status(learners, none, as_of=AS_OF)).empty
