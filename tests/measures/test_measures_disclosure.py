"""Disclosure control: rounding, small counts, hidden rates and secondary suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from measures_helpers import AS_OF

from tracker.measures import (
    EXACT,
    HESA,
    NHS,
    OFQUAL,
    TOTAL,
    DisclosurePolicy,
    apply_disclosure,
    cohort_measures,
    disclosure_note,
)
from tracker.measures.disclosure import _relations, round_counts


def by_hei() -> pd.DataFrame:
    # Three HEIs and their total; attrition rates from the exact counts.
    t = pd.DataFrame(
        {
            "hei": ["A", "B", "C", TOTAL],
            "starters": [30, 40, 12, 82],
            "withdrawn": [2, 9, 5, 16],
        }
    )
    t["attrition_rate"] = t["withdrawn"] / t["starters"]
    return t


def test_hesa_rounding_small_counts_and_secondary_suppression() -> None:
    out = apply_disclosure(by_hei(), counts=["starters", "withdrawn"]).set_index("hei")
    # Starters rounded to 5, the total rounded separately: 30, 40, 12 -> 10, 82 -> 80.
    assert out["starters"].tolist() == ["30", "40", "10", "80"]
    # A's 2 withdrawals are under 2.5: shown as 0 (primary). Alone, A = 16 - 9 - 5 from the
    # total, so the smallest other non-zero part, C's 5, is hidden too (secondary).
    # B's 9 rounds to 10; the total 16 to 15.
    assert out["withdrawn"].tolist() == ["0", "10", "*", "15"]
    # Rates: A and C have a hidden part (C also has only 12 starters). The others are the
    # ratio of the shown counts, so they agree with them and give no exact count away:
    # B 10/40 = 25.0% (not 9/40), the total 15/80 = 18.8% (not 16/82).
    assert out["attrition_rate"].tolist() == ["..", "25.0%", "..", "18.8%"]
    assert out.loc["A", "disclosure_flags"] == "withdrawn: small; attrition_rate: part hidden"
    assert out.loc["C", "disclosure_flags"] == "withdrawn: secondary; attrition_rate: base < 23"
    assert out["suppressed"].tolist() == [True, False, True, False]


def test_without_totals_there_is_nothing_to_subtract_from() -> None:
    table = by_hei().iloc[:3]
    out = apply_disclosure(table, counts=["starters", "withdrawn"])
    assert out["withdrawn"].tolist() == ["0", "10", "5"]


def test_rate_hidden_below_23_learners() -> None:
    t = pd.DataFrame({"hei": ["A", "B"], "starters": [22, 23], "withdrawn": [5, 5]})
    t["attrition_rate"] = t["withdrawn"] / t["starters"]
    out = apply_disclosure(t, counts=["starters", "withdrawn"])
    # 22 < 22.5: hidden; 23: shown, as the shown counts' ratio (5/25 = 20.0%, not 5/23).
    assert out["attrition_rate"].tolist() == ["..", "20.0%"]


def test_row_identity_protects_status_columns() -> None:
    # starters 30 = withdrawn 3 + transferred 0 + interrupted 0 + completed 20 + active 7.
    # Ofqual hides 3 ("fewer than 5"); it could be recovered as 30 - 0 - 0 - 20 - 7, so the
    # smallest other non-zero part, active 7, is hidden as well.
    row = pd.DataFrame(
        {
            "hei": ["A"],
            "starters": [30],
            "withdrawn": [3],
            "transferred_out": [0],
            "interrupted": [0],
            "completed": [20],
            "active": [7],
        }
    )
    counts = ["starters", "withdrawn", "transferred_out", "interrupted", "completed", "active"]
    out = apply_disclosure(row, counts=counts, policy=OFQUAL).iloc[0]
    assert out["withdrawn"] == "fewer than 5"
    assert out["active"] == "*"
    assert (out["starters"], out["completed"], out["interrupted"]) == ("30", "20", "0")


def test_presets() -> None:
    t = pd.DataFrame({"hei": ["A", "B", "C"], "starters": [0, 7, 8]})
    assert apply_disclosure(t, counts=["starters"], policy=NHS)["starters"].tolist() == [
        "0",
        "*",
        "10",
    ]
    assert apply_disclosure(t, counts=["starters"], policy=OFQUAL)["starters"].tolist() == [
        "0",
        "7",
        "8",
    ]
    exact = apply_disclosure(by_hei(), counts=["starters", "withdrawn"], policy=EXACT)
    assert exact["withdrawn"].tolist() == ["2", "9", "5", "16"]
    assert exact["attrition_rate"].tolist()[2] == "41.7%"
    assert not exact["suppressed"].any()
    assert EXACT.exact and not HESA.exact


def test_numeric_output_for_charts() -> None:
    out = apply_disclosure(by_hei(), counts=["starters", "withdrawn"], as_text=False)
    assert out["withdrawn"].isna().tolist() == [True, False, True, False]
    assert out.loc[1, "withdrawn"] == 10
    assert out.loc[1, "attrition_rate"] == 0.25  # 10 / 40, the shown counts


def test_rounding_halves_up() -> None:
    values = np.array([0, 1, 2, 3, 7, 8, 12, 13, 82])
    assert round_counts(values, 5).tolist() == [0, 0, 0, 5, 5, 10, 10, 15, 80]


def test_configurable_thresholds_and_note() -> None:
    strict = DisclosurePolicy("local", rounding_base=10, small_max=9, small_label="<10")
    t = pd.DataFrame({"hei": ["A"], "starters": [9]})
    assert apply_disclosure(t, counts=["starters"], policy=strict)["starters"].iloc[0] == "<10"
    note = disclosure_note(HESA)
    assert "nearest 5" in note and "fewer than 23" in note and "worked out" in note
    assert "'*'" in disclosure_note(NHS)
    assert "Exact" in disclosure_note(EXACT)
    # Nothing is rounded under Ofqual, so the note does not say so.
    assert "rounded" not in disclosure_note(OFQUAL)


def test_cohort_measures_with_margins_can_be_disclosed(
    learners: pd.DataFrame, events: pd.DataFrame
) -> None:
    table = cohort_measures(learners, events, by=["hei", "intake"], as_of=AS_OF, margins=True)
    out = apply_disclosure(
        table, counts=["starters", "withdrawn", "transferred_out", "interrupted", "completed"]
    )
    # Tiny demo cohorts: every withdrawn count and every rate is protected.
    assert (out["attrition_rate"] == "..").all()
    assert out["suppressed"].all()


cell = st.integers(min_value=0, max_value=30)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(cell, min_size=3, max_size=3), min_size=2, max_size=4))
def test_no_relation_is_left_with_one_hidden_cell(grid: list[list[int]]) -> None:
    # A cross-table of HEIs x programmes (one count) with full margins.
    rows = []
    for i, line in enumerate(grid):
        for j, v in enumerate(line):
            rows.append({"hei": f"H{i}", "programme": f"P{j}", "starters": v})
    t = pd.DataFrame(rows)
    for i in range(len(grid)):
        rows.append({"hei": f"H{i}", "programme": TOTAL, "starters": sum(grid[i])})
    for j in range(3):
        rows.append({"hei": TOTAL, "programme": f"P{j}", "starters": sum(r[j] for r in grid)})
    rows.append({"hei": TOTAL, "programme": TOTAL, "starters": sum(map(sum, grid))})
    t = pd.DataFrame(rows)
    policy = DisclosurePolicy("test", rounding_base=1, small_max=4, small_label="<5")
    out = apply_disclosure(t, counts=["starters"], by=["hei", "programme"], policy=policy)
    hidden = (out["starters"] == "<5") | (out["starters"] == "*")
    relations = _relations(t, ["hei", "programme"], ["starters"])
    # Each HEI row total, each programme column total, and the grand total both ways.
    assert len(relations) == len(grid) + 3 + 2
    for rel in relations:
        assert sum(bool(hidden[r]) for r, _ in rel) != 1
    # Primary cells are always hidden.
    small = t["starters"].between(1, 4)
    assert hidden[small].all()
