"""The supply outlook on a hand-worked cohort, its scenarios and its intervals."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tracker.measures.outlook import OUTLOOK_COLUMNS, OutlookOptions, supply_outlook
from tracker.measures.outlook_scenario import ScenarioError, parse_scenario

AS_OF = date(2024, 9, 30)
#: No borrowing between rows, so every rate is the plain observed share.
PLAIN = OutlookOptions(prior_strength=0.0, employment_lag_days=0, draws=500)


def _cohort() -> tuple[pd.DataFrame, pd.DataFrame]:
    """One 2-year physiotherapy programme at one HEI, three September intakes of 10.

    A (start 2022-09-15): 2 withdraw in year 1 (2023-03-01); in year 2, 6 complete
       (2024-09-10, 3 of them then employed locally), 1 withdraws (2024-03-01), 1 is
       still in year 2 on 30 Sep 2024 (late).
    B (start 2023-09-15): 1 withdraws in year 1 (2024-03-01), 9 reach year 2.
    C (start 2024-09-16): 1 withdraws (2024-09-25), 9 are in year 1.
    """
    rows, events = [], []

    def learner(lid: int, intake: str, start: str, *history: tuple[str, str]) -> None:
        rows.append((lid, intake, start))
        events.append((lid, start, "started"))
        events.extend((lid, day, event) for day, event in history)

    for i in range(10):
        if i < 2:
            learner(i, "2022-09", "2022-09-15", ("2023-03-01", "withdrew"))
        elif i < 8:
            after = [("2024-09-20", "employed_local")] if i < 5 else []
            learner(i, "2022-09", "2022-09-15", ("2024-09-10", "completed"), *after)
        elif i == 8:
            learner(i, "2022-09", "2022-09-15", ("2024-03-01", "withdrew"))
        else:
            learner(i, "2022-09", "2022-09-15")
    for i in range(10, 20):
        history = [("2024-03-01", "withdrew")] if i == 10 else []
        learner(i, "2023-09", "2023-09-15", *history)
    for i in range(20, 30):
        history = [("2024-09-25", "withdrew")] if i == 20 else []
        learner(i, "2024-09", "2024-09-16", *history)
    fixed = {"hei": "H1", "programme": "PHY", "profession_group": "ahp", "route": "degree"}
    learners = pd.DataFrame(rows, columns=["learner_id", "intake", "start_date"])
    learners = learners.assign(**fixed, field="physiotherapy", years=2.0)
    learners["learner_ref"] = "L" + learners["learner_id"].astype(str)
    learners["start_date"] = pd.to_datetime(learners["start_date"])
    frame = pd.DataFrame(events, columns=["learner_id", "date", "event"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["reason"] = None
    return learners, frame


def test_hand_worked_cohort_completions() -> None:
    # Yearly rates, from the snapshots of 30 Sep 2022, 2023 and 2024:
    #   year 1 (A from 2022, B from 2023; 20 learners): 17 reach year 2, 3 withdraw -> 0.85.
    #   year 2 (A from 2023; 8 learners): 6 complete (0.75), 1 still in year 2 (0.125),
    #     1 withdraws (0.125).
    #   new starters (B in 2022/23, C in 2023/24; 20): 19 still on a year later (0.95).
    # On 30 Sep 2024: 10 in year 2 (A's late learner and B's 9), 9 in year 1 (C).
    # The last intake (C, 10 starters) recurs on 16 Sep 2025, 2026, 2027.
    # Outlook year 2025 (Oct 2024 - Sep 2025): completions 10 x 0.75 = 7.5;
    #   year 2 then holds 10 x 0.125 + 9 x 0.85 = 8.9, year 1 holds 10 x 0.95 = 9.5.
    # 2026: 8.9 x 0.75 = 6.675; year 2 then 8.9 x 0.125 + 9.5 x 0.85 = 9.1875.
    # 2027: 9.1875 x 0.75 = 6.890625; year 2 then 9.1875 x 0.125 + 9.5 x 0.85.
    # Local posts: 3 of the 6 completers were employed locally (0.5).
    learners, events = _cohort()
    made = supply_outlook(learners, events, as_of=AS_OF, years=3, options=PLAIN)
    table = made.table
    assert list(table.columns) == list(OUTLOOK_COLUMNS)
    assert table["year"].tolist() == [2025, 2026, 2027]
    assert table["completions"].tolist() == pytest.approx([7.5, 6.675, 6.890625])
    assert table["local_posts"].tolist() == pytest.approx([3.75, 3.3375, 3.4453125])
    training = made.in_training().set_index(["year", "year_of_study"])["learners"]
    assert training.to_dict() == pytest.approx(
        {
            (2025, 1): 9.5,
            (2025, 2): 8.9,
            (2026, 1): 9.5,
            (2026, 2): 9.1875,
            (2027, 1): 9.5,
            (2027, 2): 9.1875 * 0.125 + 9.5 * 0.85,
        }
    )
    assert (table["completions_low"] <= table["completions"]).all()
    assert (table["completions"] <= table["completions_high"]).all()
    assert made.intakes["start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-09-16",
        "2026-09-16",
        "2027-09-16",
    ]


def test_rates_are_estimated_only_from_what_was_known() -> None:
    # Events after as_of (here a mass withdrawal in 2025) must not change the outlook.
    learners, events = _cohort()
    later = pd.DataFrame(
        {"learner_id": range(10, 20), "date": pd.Timestamp("2025-01-10"), "event": "withdrew"}
    ).assign(reason=None)
    before = supply_outlook(learners, events, as_of=AS_OF, years=3, options=PLAIN).table
    after = supply_outlook(
        learners, pd.concat([events, later], ignore_index=True), as_of=AS_OF, years=3, options=PLAIN
    ).table
    pd.testing.assert_frame_equal(before, after)


def test_zero_change_scenario_reproduces_the_baseline_exactly() -> None:
    learners, events = _cohort()
    zero = parse_scenario(
        {
            "intake_change": {"*": {"percent": 0, "by_year": 2027, "shape": "linear"}},
            "withdrawal_change_points": {"physiotherapy": {"points": 0, "from_year": 2025}},
            "local_employment_change_points": {"ahp": {"points": 0, "from_year": 2025}},
        }
    )
    for options in (PLAIN, OutlookOptions()):
        base = supply_outlook(learners, events, as_of=AS_OF, years=5, options=options)
        same = supply_outlook(
            learners, events, as_of=AS_OF, years=5, scenario=zero, options=options
        )
        pd.testing.assert_frame_equal(base.table, same.table, check_exact=True)


def test_scenario_changes_move_the_right_years() -> None:
    learners, events = _cohort()
    base = supply_outlook(learners, events, as_of=AS_OF, years=4, options=PLAIN).table
    more = parse_scenario({"intake_change": {"PHY": {"percent": 100, "by_year": 2025}}})
    grown = supply_outlook(
        learners, events, as_of=AS_OF, years=4, scenario=more, options=PLAIN
    ).table
    # Twice the 2025 intake: its learners first complete in outlook year 2027.
    assert grown["completions"].iloc[:2].tolist() == base["completions"].iloc[:2].tolist()
    assert grown["completions"].iloc[2] == pytest.approx(
        base["completions"].iloc[2] + 9.5 * 0.85 * 0.75
    )
    fewer = parse_scenario(
        {"withdrawal_change_points": {"*": {"points": -12.5, "from_year": 2025}}}
    )
    kept = supply_outlook(learners, events, as_of=AS_OF, years=1, scenario=fewer, options=PLAIN)
    # Year 2's withdrawal (0.125) goes to completion: 10 x 0.875 = 8.75.
    assert kept.table["completions"].iloc[0] == pytest.approx(8.75)
    local = parse_scenario(
        {"local_employment_change_points": {"physiotherapy": {"points": 20, "from_year": 2026}}}
    )
    posts = supply_outlook(learners, events, as_of=AS_OF, years=2, scenario=local, options=PLAIN)
    assert posts.table["local_posts"].tolist() == pytest.approx([3.75, 6.675 * 0.7])


def test_intervals_are_deterministic_for_a_seed() -> None:
    learners, events = _cohort()
    one = supply_outlook(learners, events, as_of=AS_OF, years=3).table
    two = supply_outlook(learners, events, as_of=AS_OF, years=3).table
    pd.testing.assert_frame_equal(one, two)
    other = supply_outlook(learners, events, as_of=AS_OF, years=3, options=OutlookOptions(seed=7))
    assert other.table["completions"].tolist() == one["completions"].tolist()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ({"intake": {}}, "unknown scenario key 'intake'"),
        ({"intake_change": {"PHY": {"percent": "lots", "by_year": 2030}}}, "must be a number"),
        ({"intake_change": {"PHY": {"percent": 10}}}, "missing 'by_year'"),
        ({"intake_change": {"PHY": {"percent": 10, "by_year": 2030, "shape": "s"}}}, "shape"),
        ({"withdrawal_change_points": {"*": {"points": -2, "from": 2027}}}, "unknown key 'from'"),
        (
            {
                "planned_intakes": [
                    {"hei": "H1", "programme": "PHY", "intake": "2027", "starters": 5}
                ]
            },
            "YYYY-MM",
        ),
    ],
)
def test_invalid_scenarios_are_refused_with_a_reason(data: object, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        parse_scenario(data)


def test_scenario_keys_must_name_something_in_the_data() -> None:
    learners, events = _cohort()
    typo = parse_scenario({"intake_change": {"physio": {"percent": 5, "by_year": 2026}}})
    with pytest.raises(ScenarioError, match="'physio' is no programme"):
        supply_outlook(learners, events, as_of=AS_OF, years=2, scenario=typo)


def test_planned_intakes_replace_the_carried_forward_one() -> None:
    learners, events = _cohort()
    plan = parse_scenario(
        {
            "planned_intakes": [
                {"hei": "H1", "programme": "PHY", "intake": "2025-09", "starters": 20}
            ]
        }
    )
    made = supply_outlook(learners, events, as_of=AS_OF, years=3, scenario=plan, options=PLAIN)
    assert made.intakes["starters"].tolist() == [20.0, 10.0, 10.0]
    # Completions from the 2025 intake arrive in 2027: twice the baseline's 9.5 x 0.85 x 0.75.
    assert made.table["completions"].iloc[2] == pytest.approx(6.890625 + 9.5 * 0.85 * 0.75)


def test_simulations_agree_with_the_expected_figures() -> None:
    # The interval comes from simulated futures; their mean must be the expected value
    # (up to simulation error), or the band would sit beside the line.
    learners, events = _cohort()
    made = supply_outlook(learners, events, as_of=AS_OF, years=3)
    (part,) = made.parts
    mean = part.simulated.mean(axis=0)
    assert mean == pytest.approx(made.table["completions"].to_numpy(), rel=0.05)


def test_nobody_completes_twice() -> None:
    # Over a long horizon completions can at most equal the learners on programme plus the
    # planned starters.
    learners, events = _cohort()
    made = supply_outlook(learners, events, as_of=AS_OF, years=12, options=PLAIN)
    on_programme = 19  # 10 in year 2, 9 in year 1 on 30 Sep 2024
    assert made.table["completions"].sum() <= on_programme + made.intakes["starters"].sum()
    assert made.table["completions_high"].max() <= on_programme + 10
