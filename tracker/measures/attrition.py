"""Cohort counts and rates: starters, outcomes, attrition, fill rate, local retention.

Each measure is computed here and nowhere else; pages, exports and tests call these
functions so that a figure means the same thing wherever it appears.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import combinations

import numpy as np
import pandas as pd

from tracker.measures.definitions import GROUP_COLUMNS, TOTAL
from tracker.measures.status import (
    academic_year,
    academic_year_start,
    intake_academic_year,
    learner_status,
    sort_events,
    statuses_on,
)

COUNT_COLUMNS = (
    "starters",
    "withdrawn",
    "transferred_out",
    "interrupted",
    "completed",
    "completed_on_time",
    "employed_local",
    "active",
    "due",
    "not_completed_on_time",
    "transferred_in",
)
COHORT_COLUMNS = (
    *COUNT_COLUMNS,
    "commissioned_places",
    "attrition_rate",
    "non_completion_rate",
    "fill_rate",
    "local_retention",
)


def check_by(by: Sequence[str]) -> list[str]:
    """Reject unknown grouping columns early, with the list of allowed ones."""
    cols = list(by)
    unknown = [c for c in cols if c not in GROUP_COLUMNS]
    if unknown:
        raise ValueError(f"cannot group by {unknown}; choose from {list(GROUP_COLUMNS)}")
    if len(set(cols)) != len(cols):
        raise ValueError(f"grouping columns repeated: {cols}")
    return cols


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, missing (not zero, not infinite) where the base is zero."""
    num = numerator.astype(float)
    den = denominator.astype(float)
    return (num / den.where(den > 0)).astype(float)


def group_sum(frame: pd.DataFrame, by: list[str], columns: Sequence[str]) -> pd.DataFrame:
    """Sum `columns` by `by`; with no grouping, one row for everything."""
    if not by:
        return frame.loc[:, list(columns)].sum().to_frame().T.astype("int64")
    return frame.groupby(by, sort=True, dropna=False)[list(columns)].sum().reset_index()


def learner_flags(status: pd.DataFrame) -> pd.DataFrame:
    """0/1 indicator per learner for every cohort count (summing gives the counts)."""
    s = status["status"]
    started = status["started"]
    flags = pd.DataFrame(index=status.index)
    flags["starters"] = started
    for col, value in (
        ("withdrawn", "withdrawn"),
        ("transferred_out", "transferred_out"),
        ("interrupted", "interrupted"),
        ("completed", "completed"),
        ("active", "active"),
    ):
        flags[col] = started & (s == value)
    flags["completed_on_time"] = started & status["completed_on_time"]
    flags["employed_local"] = started & status["employed_local"]
    # RePAIR base: starters whose standard end date has passed; transfers out continue
    # their training elsewhere, so they are neither a completion nor a non-completion here.
    flags["due"] = started & status["due"] & (s != "transferred_out")
    flags["not_completed_on_time"] = flags["due"] & ~status["completed_on_time"]
    flags["transferred_in"] = status["transferred_in"]
    return flags.astype("int64")


def cohorts_with_groups(cohorts: pd.DataFrame, learners: pd.DataFrame) -> pd.DataFrame:
    """Commissioned cohorts with every grouping column, taking a programme's profession
    group and route from the cohort table when given, else from its learners."""
    out = cohorts.copy()
    out["intake_year"] = intake_academic_year(out["intake"])
    for col in ("profession_group", "route"):
        if col not in out.columns:
            lookup = learners.drop_duplicates("programme").set_index("programme")[col]
            out[col] = out["programme"].map(lookup)
    return out


def _cohort_table(
    status: pd.DataFrame, cohorts: pd.DataFrame | None, by: list[str]
) -> pd.DataFrame:
    frame = pd.concat([status[by], learner_flags(status)], axis=1)
    table = group_sum(frame, by, COUNT_COLUMNS)
    if cohorts is not None:
        places = group_sum(cohorts, by, ["commissioned_places"])
        if by:
            table = table.merge(places, on=by, how="outer")
        else:
            table["commissioned_places"] = places["commissioned_places"].iloc[0]
        table[list(COUNT_COLUMNS)] = table[list(COUNT_COLUMNS)].fillna(0).astype("int64")
        table["commissioned_places"] = table["commissioned_places"].astype(float)
    else:
        # Float with NaN, not a nullable integer: rows read from a mixed table then keep
        # NaN (not pd.NA), which numpy and plotting code handle.
        table["commissioned_places"] = np.nan
    table["attrition_rate"] = ratio(table["withdrawn"], table["starters"])
    table["non_completion_rate"] = ratio(table["not_completed_on_time"], table["due"])
    table["fill_rate"] = ratio(table["starters"], table["commissioned_places"])
    table["local_retention"] = ratio(table["employed_local"], table["completed"])
    return table.sort_values(by).reset_index(drop=True) if by else table


def cohort_measures(
    learners: pd.DataFrame,
    events: pd.DataFrame,
    cohorts: pd.DataFrame | None = None,
    *,
    by: Sequence[str] = (),
    as_of: date,
    margins: bool = False,
    status: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Counts and rates per group of cohorts, as known on `as_of`.

    Returns `by` columns plus COHORT_COLUMNS. Rates are fractions (0-1), missing where the
    base is zero. With `margins`, subtotal and total rows are appended (grouping value
    TOTAL in the collapsed columns), computed from the learners rather than by summing
    rates, so disclosure control can protect them together with the groups.
    ``status``: ``learner_status(learners, events, as_of=as_of)`` when the caller already
    has it (a report computing several measures replays the event log once).
    """
    cols = check_by(by)
    if status is None:
        status = learner_status(learners, events, as_of=as_of)
    full = cohorts_with_groups(cohorts, learners) if cohorts is not None else None
    parts = [_cohort_table(status, full, cols)]
    if margins:
        for size in range(len(cols) - 1, -1, -1):
            for keep in combinations(cols, size):
                part = _cohort_table(status, full, list(keep))
                for col in cols:
                    if col not in keep:
                        part[col] = TOTAL
                parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    return table.loc[:, [*cols, *COHORT_COLUMNS]]


IN_YEAR_COUNTS = ("on_programme_at_start", "started_in_year", "at_risk", "withdrawn_in_year")


def in_year_part(
    final: pd.DataFrame,
    sorted_events: pd.DataFrame,
    cols: list[str],
    year_start: pd.Timestamp,
    cutoff: pd.Timestamp,
) -> pd.DataFrame:
    """Counts for one academic year (to `cutoff` if that falls inside it)."""
    full_end = year_start + pd.DateOffset(years=1) - pd.Timedelta(days=1)
    year_end = min(full_end, cutoff)
    before = statuses_on(sorted_events, year_start - pd.Timedelta(days=1))
    on_start = final["learner_id"].map(before).isin(["active", "interrupted"])
    started_in = final["start_event_date"].between(year_start, year_end)
    withdrew_in = final["withdrawal_date"].between(year_start, year_end)
    frame = final[cols].copy()
    frame["on_programme_at_start"] = on_start.astype(int)
    frame["started_in_year"] = (started_in & ~on_start).astype(int)
    frame["at_risk"] = frame["on_programme_at_start"] + frame["started_in_year"]
    # Only withdrawals by learners at risk: a withdrawal backdated before the start
    # event would otherwise count without its learner.
    frame["withdrawn_in_year"] = (withdrew_in & (frame["at_risk"] > 0)).astype(int)
    part = group_sum(frame, cols, IN_YEAR_COUNTS)
    part.insert(len(cols), "academic_year", academic_year(year_start))
    part["complete_year"] = year_end == full_end
    part["in_year_attrition_rate"] = ratio(part["withdrawn_in_year"], part["at_risk"])
    return part


def in_year_attrition(
    learners: pd.DataFrame,
    events: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    as_of: date,
    status: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Withdrawals in each academic year (1 Sep-31 Aug) over learners at risk in it.

    At risk = on programme (active or interrupted) at the start of the year, plus those who
    start during it. The issue text says "learners active at its start"; adding in-year
    starters keeps first-year withdrawals of a September or January intake (the commonest)
    from being counted without their learners. Both parts are returned.

    Returns `by` columns plus academic_year, on_programme_at_start, started_in_year,
    at_risk, withdrawn_in_year, complete_year (False for the year containing `as_of`,
    whose figures are to date), in_year_attrition_rate. Years with nobody at risk are
    left out.
    """
    cols = check_by(by)
    cutoff = pd.Timestamp(as_of)
    final = learner_status(learners, events, as_of=as_of) if status is None else status
    starts = final.loc[final["started"], "start_event_date"]
    if starts.empty:
        return pd.DataFrame(columns=[*cols, "academic_year", *IN_YEAR_COUNTS])
    sorted_events = sort_events(events.loc[pd.to_datetime(events["date"]) <= cutoff])
    year_start = academic_year_start(academic_year(starts.min()))
    parts = []
    while year_start <= cutoff:
        parts.append(in_year_part(final, sorted_events, cols, year_start, cutoff))
        year_start = year_start + pd.DateOffset(years=1)
    table = pd.concat(parts, ignore_index=True)
    return table.loc[table["at_risk"] > 0].reset_index(drop=True)


def _withdrawals_by(status: pd.DataFrame, *, by: Sequence[str], column: str) -> pd.DataFrame:
    cols = check_by(by)
    gone = status.loc[status["started"] & (status["status"] == "withdrawn"), [*cols, column]]
    gone["withdrawn"] = 1
    table = gone.groupby([*cols, column], sort=True, dropna=False)["withdrawn"].sum().reset_index()
    totals = table.groupby(cols)["withdrawn"].transform("sum") if cols else table["withdrawn"].sum()
    table["share"] = ratio(table["withdrawn"], pd.Series(totals, index=table.index))
    return table


def withdrawals_by_reason(status: pd.DataFrame, *, by: Sequence[str] = ()) -> pd.DataFrame:
    """Withdrawn starters (as in `cohort_measures`) by the reason given at withdrawal.

    ``status`` is ``learner_status(learners, events, as_of=...)``: where each learner stands
    on the report's date (a report replays the event log once for all its measures).
    Returns `by` columns plus reason, withdrawn, share (of the group's withdrawals).
    A withdrawal without a reason is 'not_recorded' rather than dropped, so the counts
    add up to the withdrawn figure shown beside them.
    """
    table = _withdrawals_by(status, by=by, column="withdrawal_reason")
    return table.rename(columns={"withdrawal_reason": "reason"})


def withdrawals_by_year_of_study(status: pd.DataFrame, *, by: Sequence[str] = ()) -> pd.DataFrame:
    """Withdrawn starters by year of study at withdrawal (time interrupted not counted), from
    ``status`` as in `withdrawals_by_reason`.

    Returns `by` columns plus year_of_study, withdrawn, share.
    """
    return _withdrawals_by(status, by=by, column="year_of_study")
