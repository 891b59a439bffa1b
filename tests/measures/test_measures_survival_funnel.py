"""Kaplan–Meier against a hand-computed curve; funnel limits against known values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from measures_helpers import AS_OF

from tracker.measures import (
    cohort_measures,
    funnel_limits,
    funnel_points,
    kaplan_meier,
    learner_status,
    retention_curves,
)
from tracker.measures.survival import DAYS_PER_MONTH

Z95 = 1.959963984540054


def loglog(s: float, greenwood: float) -> tuple[float, float]:
    se = math.sqrt(greenwood) / abs(math.log(s))
    return s ** math.exp(Z95 * se), s ** math.exp(-Z95 * se)


def test_kaplan_meier_hand_computed() -> None:
    # Months 2, 3, 3, 5, 8; withdrawals at 2, 3 and 5; censored at 3 and 8.
    # t=2: 5 at risk, 1 leaves: S = 4/5 = 0.8;         Greenwood sum 1/(5*4) = 0.05
    # t=3: 4 at risk, 1 leaves, 1 censored: S = 0.8 * 3/4 = 0.6;  + 1/(4*3)
    # t=5: 2 at risk, 1 leaves: S = 0.6 * 1/2 = 0.3;    + 1/(2*1)
    # t=8: 1 at risk, censored: S stays 0.3.
    curve = kaplan_meier([2, 3, 3, 5, 8], [True, True, False, True, False])
    assert curve["months"].tolist() == [0, 2, 3, 5, 8]
    assert curve["at_risk"].tolist() == [5, 5, 4, 2, 1]
    assert curve["withdrawn"].tolist() == [0, 1, 1, 1, 0]
    assert curve["censored"].tolist() == [0, 0, 1, 0, 1]
    assert curve["retention"].tolist() == pytest.approx([1, 0.8, 0.6, 0.3, 0.3])
    gw = [0.05, 0.05 + 1 / 12, 0.05 + 1 / 12 + 0.5]
    for row, s, g in zip((1, 2, 3), (0.8, 0.6, 0.3), gw, strict=True):
        lo, hi = loglog(s, g)
        assert curve.loc[row, "lower"] == pytest.approx(lo)
        assert curve.loc[row, "upper"] == pytest.approx(hi)
    # At t=2: se = sqrt(0.05)/|ln 0.8| = 1.00208; limits 0.8^exp(+-1.96*1.00208)
    assert curve.loc[1, "lower"] == pytest.approx(0.2038, abs=1e-3)
    assert curve.loc[1, "upper"] == pytest.approx(0.9692, abs=1e-3)
    assert (curve["lower"] <= curve["retention"]).all()
    assert (curve["retention"] <= curve["upper"]).all()


def test_kaplan_meier_everyone_leaves() -> None:
    curve = kaplan_meier([1, 1], [True, True])
    assert curve["retention"].tolist() == [1.0, 0.0]
    assert curve.loc[1, ["lower", "upper"]].tolist() == [0.0, 0.0]


def test_retention_curves_censor_current_completed_and_transferred(
    learners: pd.DataFrame, events: pd.DataFrame
) -> None:
    curves = retention_curves(
        learner_status(learners, events, as_of=AS_OF), as_of=AS_OF, by=["intake"]
    )
    c20 = curves.loc[curves["intake"] == "2020-09"].reset_index(drop=True)
    # 2020 intake: withdrawals L2 (195 days) and L6 (779 days); everyone else censored:
    # L4 at transfer (518 days), L1 and L3 at completion, L5 and L7 at 1 Oct 2024.
    assert c20.loc[0, "at_risk"] == 7 and c20["withdrawn"].sum() == 2
    assert c20["censored"].sum() == 5
    first = c20.loc[c20["withdrawn"] > 0].iloc[0]
    assert first["months"] == pytest.approx(195 / DAYS_PER_MONTH)
    assert first["retention"] == pytest.approx(6 / 7)
    # Second withdrawal at 779 days: at risk are those observed at least that long: L1
    # (1094 days), L3 (1460), L5 and L7 (1491), L6 itself = 5; L4 left at 518 days.
    second = c20.loc[c20["withdrawn"] > 0].iloc[1]
    assert second["at_risk"] == 5
    assert second["retention"] == pytest.approx(6 / 7 * 4 / 5)


def test_exact_funnel_limit_hand_computed() -> None:
    # n = 10, p0 = 0.5, upper 97.5% point: F(7) = 968/1024, F(8) = 1013/1024, so r = 8 and
    # alpha = (1013/1024 - 0.975) / (45/1024) = 14.6/45; limit = (8 - alpha) / 10.
    lim = funnel_limits([10], 0.5, levels=[0.95])
    assert lim.loc[0, "upper_95"] == pytest.approx((8 - 14.6 / 45) / 10)
    # Lower 2.5% point: F(1) = 11/1024, F(2) = 56/1024, so r = 2 and
    # alpha = (56/1024 - 0.025) / (45/1024) = 30.4/45; limit = (2 - alpha) / 10 = 0.1324.
    # (The interpolation places the limits 0.5/n below centre: not symmetric at 0.5.)
    assert lim.loc[0, "lower_95"] == pytest.approx((2 - 30.4 / 45) / 10)


def test_normal_funnel_limits_and_convergence() -> None:
    # n = 100, p0 = 0.2: se = sqrt(0.2*0.8/100) = 0.04; 95%: 0.2 -+ 1.96*0.04.
    lim = funnel_limits([100], 0.2, method="normal")
    assert lim.loc[0, "lower_95"] == pytest.approx(0.2 - Z95 * 0.04)
    assert lim.loc[0, "upper_95"] == pytest.approx(0.2 + Z95 * 0.04)
    # 99.8%: z = 3.0902
    assert lim.loc[0, "upper_99_8"] == pytest.approx(0.2 + 3.090232 * 0.04, abs=1e-6)
    big = funnel_limits([20000], 0.2)
    normal = funnel_limits([20000], 0.2, method="normal")
    assert big.loc[0, "upper_95"] == pytest.approx(normal.loc[0, "upper_95"], abs=2e-4)
    # Limits narrow as cohorts grow, and never leave [0, 1].
    sweep = funnel_limits(np.arange(1, 200), 0.15)
    assert sweep["upper_99_8"].iloc[-1] < sweep["upper_99_8"].iloc[10]
    assert sweep[["lower_99_8", "upper_99_8"]].stack().between(0, 1).all()


def test_funnel_points_flag_units_outside() -> None:
    units = pd.DataFrame(
        {
            "hei": ["A", "B", "C", "D"],
            "starters": [200, 200, 12, 200],
            "withdrawn": [30, 70, 4, 8],
        }
    )
    # System rate = 112 / 612 = 0.183. C (4 of 12 = 33%) is high but a small cohort:
    # within. B (35%) and D (4%) on 200 are far outside the 99.8% limits.
    pts = funnel_points(units).set_index("hei")
    assert pts["target"].iloc[0] == pytest.approx(112 / 612)
    assert pts.loc["C", "flag"] == "within"
    assert pts.loc["A", "flag"] == "within"
    assert pts.loc["B", "flag"] == "above 99.8%"
    assert pts.loc["D", "flag"] == "below 99.8%"
    assert pts["outside"].tolist() == [False, True, False, True]


def test_funnel_points_on_cohort_measures(learners: pd.DataFrame, events: pd.DataFrame) -> None:
    table = cohort_measures(learners, events, by=["hei", "programme", "intake"], as_of=AS_OF)
    pts = funnel_points(table)
    assert len(pts) == 2 and set(pts["flag"]) == {"within"}
