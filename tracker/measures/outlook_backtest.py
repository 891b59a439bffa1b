"""Backtest of the supply outlook: an outlook made in the past against what then happened.

A forecast without its own track record is not trusted. The outlook is made as of
``as_of`` minus ``years`` (reading nothing after that date) and its completions per
profession group and outlook year are set beside the completions recorded by ``as_of``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tracker.measures.outlook import OutlookOptions, supply_outlook
from tracker.measures.outlook_intakes import period_of
from tracker.measures.status import learner_status

#: How far back the backtest's outlook is made: two years, as the issue asks.
BACKTEST_YEARS = 2
BACKTEST_COLUMNS = ("profession_group", "year", "predicted", "low", "high", "actual")


def backtest_origin(as_of: date, years: int) -> date:
    """The date the backtest's outlook is made on: ``years`` before ``as_of``."""
    day: date = (pd.Timestamp(as_of) - pd.DateOffset(years=years)).date()
    return day


def completions_by_year(
    learners: pd.DataFrame, events: pd.DataFrame, *, origin: date, as_of: date, years: int
) -> pd.DataFrame:
    """Completions recorded by ``as_of`` per profession group and outlook year of ``origin``."""
    status = learner_status(learners, events, as_of=as_of)
    done = status.loc[status["status"] == "completed"]
    period = period_of(pd.to_datetime(done["completion_date"]), origin, years)
    done = done.assign(period=period.to_numpy()).loc[period.to_numpy() > 0]
    counts = done.groupby(["profession_group", "period"]).size().rename("actual").reset_index()
    counts["year"] = [
        (pd.Timestamp(origin) + pd.DateOffset(years=int(k))).year for k in counts["period"]
    ]
    return counts.drop(columns="period")


def backtest(
    learners: pd.DataFrame,
    events: pd.DataFrame,
    *,
    as_of: date,
    years: int = BACKTEST_YEARS,
    options: OutlookOptions | None = None,
) -> pd.DataFrame:
    """Predicted (with interval) and actual completions per profession group and year.

    Returns BACKTEST_COLUMNS; the interval is the outlook's, for the group as a whole.
    """
    origin = backtest_origin(as_of, years)
    made = supply_outlook(learners, events, as_of=origin, years=years, options=options)
    predicted = made.summary(("profession_group",)).rename(
        columns={"completions": "predicted", "completions_low": "low", "completions_high": "high"}
    )
    actual = completions_by_year(learners, events, origin=origin, as_of=as_of, years=years)
    table = predicted.merge(actual, on=["profession_group", "year"], how="outer")
    table[["predicted", "low", "high", "actual"]] = table[
        ["predicted", "low", "high", "actual"]
    ].fillna(0)
    return table.loc[:, list(BACKTEST_COLUMNS)].sort_values(["profession_group", "year"])


def mape(table: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute percentage error of completions per profession group.

    |predicted - actual| / actual, averaged over the outlook years; years with no actual
    completions have no percentage error and are left out (the group's MAPE is then
    missing if none is left).
    """
    rows = []
    for group, part in table.groupby("profession_group", sort=True):
        base = part["actual"].astype(float)
        errors = (part["predicted"] - base).abs() / base.where(base > 0)
        rows.append(
            {
                "profession_group": group,
                "predicted": float(part["predicted"].sum()),
                "actual": int(part["actual"].sum()),
                "mape": float(errors.mean()) if errors.notna().any() else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=["profession_group", "predicted", "actual", "mape"])
