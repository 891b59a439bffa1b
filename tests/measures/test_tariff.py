"""The tariff measure against hand-worked examples: a placement across 31 March, one that is
not eligible, programme rates over group rates, and what a controlled viewer receives."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from tracker.measures.disclosure import EXACT, HESA
from tracker.measures.tariff import (
    control_tariff,
    eligibility,
    expected_tariff,
    financial_year,
)

RATES = pd.DataFrame(
    [
        # £5,200 a year over 52 weeks is £100 a week in 2025/26; £104 a week in 2026/27.
        ("2025/26", "nursing", None, 5200.0, "year", 52.0),
        ("2026/27", "nursing", None, 104.0, "week", None),
        ("2026/27", "ahp", None, 90.0, "week", None),
        ("2026/27", "ahp", "PHY", 120.0, "week", None),
    ],
    columns=["financial_year", "profession_group", "programme", "rate", "unit", "weeks_per_year"],
)


def placement(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "organisation": "Trust A",
        "sector": "acute",
        "profession_group": "nursing",
        "programme": "ADN",
        "start_date": date(2026, 3, 16),
        "end_date": date(2026, 4, 12),
        "learners": 2,
        "supervised": True,
        "audited": True,
    }
    row.update(changes)
    return row


def test_financial_years_run_april_to_march() -> None:
    assert financial_year(date(2026, 3, 31)) == "2025/26"
    assert financial_year(date(2026, 4, 1)) == "2026/27"
    assert financial_year(date(2099, 12, 31)) == "2099/00"


def test_a_placement_across_31_march_is_split_by_days_at_each_years_rate() -> None:
    # 16 March to 12 April 2026: 16 days in 2025/26 (16-31 March), 12 in 2026/27, 2 learners.
    table = expected_tariff(pd.DataFrame([placement()]), RATES)
    assert list(table["financial_year"]) == ["2025/26", "2026/27"]
    assert list(table["learners"]) == [2, 2]
    # 2025/26: 16 / 7 x 2 = 4.571 weeks at £100 = £457.14; 2026/27: 12 / 7 x 2 = 3.429 at £104.
    assert table["eligible_weeks"].tolist() == pytest.approx([32 / 7, 24 / 7])
    assert table["tariff"].tolist() == pytest.approx([457.142857, 356.571429])
    assert table["tariff"].sum() == pytest.approx(813.714286)
    assert table["eligible_weeks"].sum() == pytest.approx(8.0)


def test_a_placement_that_is_not_eligible_earns_nothing_and_says_why() -> None:
    frame = pd.DataFrame(
        [
            placement(end_date=date(2026, 3, 21)),  # six days: under a week
            placement(supervised=False),
            placement(audited=False),
            placement(shadowing=True),
        ]
    )
    checked = eligibility(frame)
    assert checked["ineligible_reason"].tolist() == [
        "under_a_week",
        "not_supervised",
        "audit_not_in_date",
        "shadowing",
    ]
    table = expected_tariff(frame, RATES)
    assert table["tariff"].sum() == 0 and table["eligible_weeks"].sum() == 0
    assert table["ineligible_weeks"].sum() == pytest.approx(12 / 7 + 3 * 8)


def test_exactly_one_week_is_eligible() -> None:
    one_week = placement(start_date=date(2026, 4, 6), end_date=date(2026, 4, 12), learners=1)
    table = expected_tariff(pd.DataFrame([one_week]), RATES)
    assert table["eligible_weeks"].tolist() == [1.0] and table["tariff"].tolist() == [104.0]


def test_a_programmes_own_rate_wins_and_a_missing_rate_leaves_weeks_unrated() -> None:
    april = {"start_date": date(2026, 4, 6), "end_date": date(2026, 5, 3), "learners": 1}
    frame = pd.DataFrame(
        [
            placement(profession_group="ahp", programme="PHY", **april),  # 4 weeks at £120
            placement(profession_group="ahp", programme="OCT", sector="community", **april),
            placement(
                profession_group="social_work", programme="SWD", sector="social_care", **april
            ),
        ]
    )
    table = expected_tariff(frame, RATES).set_index("sector")
    assert table.loc["acute", "tariff"] == pytest.approx(480.0)
    assert table.loc["community", "tariff"] == pytest.approx(360.0)  # the group's £90
    assert table.loc["social_care", "tariff"] == 0
    assert table.loc["social_care", "unrated_weeks"] == pytest.approx(4.0)


def test_with_no_rates_every_eligible_week_is_unrated() -> None:
    """A system that has not loaded DHSC's rates yet sees its weeks, unrated, not an error."""
    no_rates = pd.DataFrame(columns=RATES.columns)  # as read from an empty table: objects
    table = expected_tariff(pd.DataFrame([placement()]), no_rates)
    assert table["tariff"].sum() == 0
    assert table["unrated_weeks"].sum() == pytest.approx(8.0)


def test_outside_the_owning_hei_a_small_cells_weeks_and_pounds_are_hidden() -> None:
    april = {"start_date": date(2026, 4, 6), "end_date": date(2026, 5, 3)}
    frame = pd.DataFrame(
        [
            placement(organisation="Care home B", sector="care_home", learners=1, **april),
            placement(organisation="Trust A", learners=12, **april),
        ]
    )
    table = expected_tariff(frame, RATES)
    shown = control_tariff(table, policy=HESA).numbers.set_index("organisation")
    assert shown.loc["Care home B"][["learners", "eligible_weeks", "tariff"]].isna().all()
    assert shown.loc["Trust A", "learners"] == 10  # rounded to 5
    # 10 learners shown, 4 weeks each at £104: not the exact 12 x 4 weeks, which would
    # give the exact count away beside the rounded one
    assert shown.loc["Trust A", "eligible_weeks"] == pytest.approx(10 * 4)
    assert shown.loc["Trust A", "tariff"] == pytest.approx(10 * 4 * 104.0)
    exact = control_tariff(table, policy=EXACT).numbers.set_index("organisation")
    assert exact.loc["Care home B", "tariff"] == pytest.approx(4 * 104.0)


@pytest.mark.parametrize("blocks", [(28,), (28, 56)])
def test_outside_the_owning_hei_weeks_and_pounds_do_not_tell_counts_in_one_rounding_apart(
    blocks: tuple[int, ...],
) -> None:
    """Two systems whose cells differ only in learners the rounding hides (6 and 7 learners
    both shown as 5) look the same in every figure: nothing in weeks or pounds tells them
    apart, with one block length or a mix."""

    def shown(learners: int) -> pd.DataFrame:
        rows = [
            placement(
                organisation="Trust A",
                learners=learners - len(blocks) + 1 if i == 0 else 1,
                start_date=date(2026, 4, 6),
                end_date=date(2026, 4, 5) + timedelta(days=days),
            )
            for i, days in enumerate(blocks)
        ]
        table = expected_tariff(pd.DataFrame(rows), RATES)
        return control_tariff(table, policy=HESA).numbers

    pd.testing.assert_frame_equal(shown(6), shown(7))
    assert shown(6)["learners"].tolist() == [5]  # the rounding hides the difference...
    assert shown(6)["eligible_weeks"].notna().all()  # ...and the weeks are still shown
