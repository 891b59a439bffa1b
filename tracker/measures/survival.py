"""Time to withdrawal as Kaplan–Meier retention curves.

A crude "share withdrawn" undercounts recent cohorts, whose learners have not yet had the
time to leave; Kaplan–Meier uses each learner for exactly as long as they have been
observed, so cohorts of different ages can be drawn on one chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
from scipy.stats import norm

from tracker.measures.attrition import check_by

#: Average month length in days (365.25 / 12), so that 12 months make a year on average.
DAYS_PER_MONTH = 365.25 / 12
CURVE_COLUMNS = ("months", "at_risk", "withdrawn", "censored", "retention", "lower", "upper")


def kaplan_meier(
    months: Sequence[float] | np.ndarray | pd.Series,
    withdrew: Sequence[bool] | np.ndarray | pd.Series,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Kaplan–Meier estimate with Greenwood variance and log(-log) confidence limits.

    The log(-log) transform keeps the limits inside [0, 1] and behaves better in the
    small cohorts common here than the plain Greenwood interval. At a time with both
    withdrawals and censoring, withdrawals are taken first (the usual convention).
    Returns CURVE_COLUMNS: a first row at 0 months with retention 1, then one row per
    distinct time at which anyone withdrew or was censored.
    """
    t = np.asarray(months, dtype=float)
    d = np.asarray(withdrew, dtype=bool)
    n = len(t)
    base = {
        "months": 0.0,
        "at_risk": n,
        "withdrawn": 0,
        "censored": 0,
        "retention": 1.0,
        "lower": 1.0,
        "upper": 1.0,
    }
    rows = [base]
    z = float(norm.ppf(0.5 + confidence / 2))
    surv, greenwood, at_risk = 1.0, 0.0, n
    for time in np.unique(t):
        here = t == time
        deaths = int((here & d).sum())
        censored = int((here & ~d).sum())
        if deaths:
            surv *= 1 - deaths / at_risk
            greenwood = (
                greenwood + deaths / (at_risk * (at_risk - deaths)) if at_risk > deaths else np.inf
            )
        lower, upper = loglog_limits(surv, greenwood, z)
        rows.append(
            {
                "months": float(time),
                "at_risk": at_risk,
                "withdrawn": deaths,
                "censored": censored,
                "retention": surv,
                "lower": lower,
                "upper": upper,
            }
        )
        at_risk -= deaths + censored
    return pd.DataFrame(rows, columns=list(CURVE_COLUMNS))


def loglog_limits(surv: float, greenwood: float, z: float) -> tuple[float, float]:
    if surv >= 1.0:
        return 1.0, 1.0
    if surv <= 0.0 or not np.isfinite(greenwood):
        return 0.0, 0.0
    se = np.sqrt(greenwood) / abs(np.log(surv))
    return float(surv ** np.exp(z * se)), float(surv ** np.exp(-z * se))


def time_to_withdrawal(status: pd.DataFrame, *, as_of: date) -> pd.DataFrame:
    """Per starter: months from start to withdrawal, or to censoring, from ``status``
    (``learner_status(learners, events, as_of=as_of)``, replayed once per report).

    Censoring is at completion, transfer out, or `as_of` for learners still on programme
    (interrupted learners included: they may yet return). Months run on the calendar, time
    interrupted included, because that is how long the place was occupied.
    Returns the learner columns plus intake_year, status, months, withdrew.
    """
    s = status.loc[status["started"]].copy()
    end = s["status_date"].where(~s["status"].isin(["active", "interrupted"]), pd.Timestamp(as_of))
    s["months"] = ((end - s["start_date"]).dt.days / DAYS_PER_MONTH).clip(lower=0)
    s["withdrew"] = s["status"] == "withdrawn"
    return s


def retention_curves(
    status: pd.DataFrame, *, as_of: date, by: Sequence[str] = (), confidence: float = 0.95
) -> pd.DataFrame:
    """Kaplan–Meier retention (not yet withdrawn) by months since start, per group, from
    ``status`` as in `time_to_withdrawal`.

    Returns `by` columns plus CURVE_COLUMNS, one curve per group.
    """
    cols = check_by(by)
    data = time_to_withdrawal(status, as_of=as_of)
    if data.empty:
        return pd.DataFrame(columns=[*cols, *CURVE_COLUMNS])
    groups = data.groupby(cols, sort=True) if cols else [((), data)]
    parts = []
    for key, part in groups:
        curve = kaplan_meier(part["months"], part["withdrew"], confidence=confidence)
        values = key if isinstance(key, tuple) else (key,)
        for col, value in zip(cols, values, strict=True):
            curve.insert(cols.index(col), col, value)
        parts.append(curve)
    return pd.concat(parts, ignore_index=True)
