"""Practice hours against each programme's requirement: what a learner has completed, what
they should have completed by a date, and whether they are behind by more than the margin.

Pure: DataFrames in, DataFrames out. The definitions (docs/measures.md, "Practice hours"):

* A record's amount in a unit: ``hours`` counts its attended hours, ``days`` its attended hours
  over ``DAY_HOURS`` (a practice day is 7.5 hours), ``births`` its births facilitated.
* Completed: the amounts of every record not queried (signed off or pending sign-off);
  signed off and queried are shown beside it.
* Year of study on a day: 1 + the whole years of 365.25 days since the learner's start
  date, at most the programme's last year. A record counts in the year of its day.
* Expected by a day: the requirement pro rata over the time on programme, so
  ``required × min(1, days since start / (years × 365.25))``; where the requirement is split
  by year of study, each year's amount pro rata over that year and the total their sum.
* Behind: completed below expected by more than the requirement's ``behind_margin``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tracker.measures.definitions import TOTAL

#: The hours of one practice day, for requirements counted in days (Social Work England's 200
#: days are days of 7.5 hours, as the NHS working day).
DAY_HOURS = 7.5
YEAR_DAYS = 365.25
NOT_COUNTED = "queried"  # sign-off status whose amounts do not count
SIGNED_OFF = "signed_off"

PROGRESS_COLUMNS = [
    "learner_id",
    "programme",
    "unit",
    "year_of_study",
    "required",
    "completed",
    "signed_off",
    "queried",
    "expected",
    "shortfall",
    "behind",
]
YEAR_COLUMNS = ["learner_id", "unit", "year_of_study", "required", "completed", "expected"]


def year_split(text: str | float | None) -> tuple[float, ...]:
    """The per-year amounts of a requirement (``"700;800;800"``); empty: no split. A frame
    read from the database holds a missing split as NaN once another row has one."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        return ()
    return tuple(float(part) for part in str(text).split(";") if part.strip())


def year_of_study(start: date, day: date, years: float) -> int:
    """1 + whole years of 365.25 days from ``start`` to ``day``, within 1 and the last year."""
    passed = math.floor((day - start).days / YEAR_DAYS)
    return max(1, min(passed + 1, math.ceil(years)))


def amount(unit: str, hours: float, births: float) -> float:
    """What one record adds to a requirement counted in ``unit``."""
    if unit == "births":
        return float(births)
    if unit == "days":
        return float(hours) / DAY_HOURS
    return float(hours)


def _fraction(elapsed_days: float, span_days: float) -> float:
    return max(0.0, min(1.0, elapsed_days / span_days)) if span_days > 0 else 1.0


def expected_by_year(
    required: float, split: tuple[float, ...], years: float, start: date, as_of: date
) -> list[float]:
    """Each year of study's expected amount on ``as_of`` (one entry per year; the last year
    of a programme of 2.5 years is half a year long)."""
    elapsed = (as_of - start).days
    count = math.ceil(years)
    amounts = split or tuple(required * min(1.0, years - y) / years for y in range(count))
    spans = [min(1.0, years - y) * YEAR_DAYS for y in range(count)]
    return [
        amounts[y] * _fraction(elapsed - y * YEAR_DAYS, spans[y]) if y < len(amounts) else 0.0
        for y in range(count)
    ]


def _records_by_year(records: pd.DataFrame, learners: pd.DataFrame) -> pd.DataFrame:
    """Records with the learner's year of study on the record's day (``year_of_study``,
    vectorised: a whole system's records are tens of thousands of rows)."""
    known = learners.set_index("learner_id")
    rows = records[records["learner_id"].isin(known.index)]
    starts = pd.to_datetime(rows["learner_id"].map(known["start_date"]))
    days = (pd.to_datetime(rows["worked_on"]) - starts).dt.days.to_numpy(dtype=float)
    last = np.ceil(rows["learner_id"].map(known["years"]).to_numpy(dtype=float))
    year = np.clip(np.floor(days / YEAR_DAYS) + 1, 1, np.maximum(last, 1))
    return rows.assign(year_of_study=pd.Series(year, index=rows.index).astype("int64"))


def _sums(rows: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Per learner and year: completed (not queried), signed off and queried amounts."""
    hours = rows["hours"].to_numpy(dtype=float)
    if unit == "births":
        value = rows["births"].to_numpy(dtype=float)
    else:
        value = hours / DAY_HOURS if unit == "days" else hours
    status = rows["status"].to_numpy()
    frame = pd.DataFrame(
        {
            "learner_id": rows["learner_id"].to_numpy(),
            "year_of_study": rows["year_of_study"].to_numpy(),
            "completed": np.where(status != NOT_COUNTED, value, 0.0),
            "signed_off": np.where(status == SIGNED_OFF, value, 0.0),
            "queried": np.where(status == NOT_COUNTED, value, 0.0),
        }
    )
    return frame.groupby(["learner_id", "year_of_study"], as_index=False).sum()


def _per_requirement(
    learners: pd.DataFrame, records: pd.DataFrame, requirements: pd.DataFrame
) -> Iterator[tuple[dict[str, Any], tuple[float, ...], pd.DataFrame, pd.DataFrame]]:
    """Each requirement with its year split, its programme's learners and their sums per
    year of study in its unit."""
    by_year = _records_by_year(records, learners)
    for need in requirements.to_dict("records"):
        mine = learners[learners["programme"] == need["programme"]]
        sums = _sums(by_year[by_year["learner_id"].isin(mine["learner_id"])], need["unit"])
        yield need, year_split(need["year_split"]), mine, sums


def hours_by_year(
    learners: pd.DataFrame, records: pd.DataFrame, requirements: pd.DataFrame, *, as_of: date
) -> pd.DataFrame:
    """One row per learner, requirement unit and year of study up to the learner's year on
    ``as_of``: that year's required amount (NaN without a split), completed and expected.

    ``learners``: learner_id, programme, start_date, years. ``records``: learner_id,
    worked_on, hours, births, status. ``requirements``: programme, unit, required,
    year_split, behind_margin.
    """
    out = []
    for need, split, mine, sums in _per_requirement(learners, records, requirements):
        done = {(r.learner_id, r.year_of_study): r.completed for r in sums.itertuples()}
        for lr in mine.itertuples():
            expected = expected_by_year(need["required"], split, lr.years, lr.start_date, as_of)
            now = year_of_study(lr.start_date, as_of, lr.years)
            for y in range(1, now + 1):
                out.append(
                    {
                        "learner_id": lr.learner_id,
                        "unit": need["unit"],
                        "year_of_study": y,
                        "required": split[y - 1] if y <= len(split) else math.nan,
                        "completed": float(done.get((lr.learner_id, y), 0.0)),
                        "expected": expected[y - 1],
                    }
                )
    return pd.DataFrame(out, columns=YEAR_COLUMNS)


def hours_progress(
    learners: pd.DataFrame, records: pd.DataFrame, requirements: pd.DataFrame, *, as_of: date
) -> pd.DataFrame:
    """One row per learner and requirement unit of their programme: the requirement, what is
    completed (and of it signed off; queried apart), what is expected on ``as_of``, the
    shortfall (expected less completed, never below 0) and whether the learner is behind by
    more than the margin. Learners of programmes with no requirement get no row."""
    out = []
    for need, split, mine, sums in _per_requirement(learners, records, requirements):
        grouped = sums.groupby("learner_id")[["completed", "signed_off", "queried"]].sum()
        totals = {lid: (float(c), float(so), float(q)) for lid, c, so, q in grouped.itertuples()}
        for lr in mine.itertuples():
            expected = sum(
                expected_by_year(need["required"], split, lr.years, lr.start_date, as_of)
            )
            completed, signed_off, queried = totals.get(lr.learner_id, (0.0, 0.0, 0.0))
            out.append(
                {
                    "learner_id": lr.learner_id,
                    "programme": need["programme"],
                    "unit": need["unit"],
                    "year_of_study": year_of_study(lr.start_date, as_of, lr.years),
                    "required": float(need["required"]),
                    "completed": completed,
                    "signed_off": signed_off,
                    "queried": queried,
                    "expected": expected,
                    "shortfall": max(0.0, expected - completed),
                    "behind": completed < expected - float(need["behind_margin"]),
                }
            )
    return pd.DataFrame(out, columns=PROGRESS_COLUMNS)


def behind_counts(progress: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Learners and learners behind (on any requirement of their programme) per group of
    ``by`` columns of ``progress`` (which must carry them), for the aggregate view."""
    per_learner = progress.groupby(["learner_id", *by], as_index=False)["behind"].any()
    counts = per_learner.groupby(by, as_index=False).agg(
        learners=("learner_id", "nunique"), behind=("behind", "sum")
    )
    return counts.astype({"learners": "int64", "behind": "int64"})


def behind_table(progress: pd.DataFrame) -> pd.DataFrame:
    """Learners, learners behind and the share behind by programme and HEI, with each
    programme's and each HEI's totals and the grand total (``TOTAL`` rows), so disclosure
    control can protect the margins too. ``progress`` carries ``hei`` besides its columns."""
    if progress.empty:
        return pd.DataFrame(columns=["programme", "hei", "learners", "behind", "behind_share"])
    parts = [behind_counts(progress, ["programme", "hei"])]
    parts.append(behind_counts(progress, ["programme"]).assign(hei=TOTAL))
    parts.append(behind_counts(progress, ["hei"]).assign(programme=TOTAL))
    everyone = behind_counts(progress.assign(_all=TOTAL), ["_all"]).drop(columns="_all")
    parts.append(everyone.assign(programme=TOTAL, hei=TOTAL))
    table = pd.concat(parts, ignore_index=True)[["programme", "hei", "learners", "behind"]]
    share = table["behind"] / table["learners"].where(table["learners"] > 0)
    return table.assign(behind_share=share)
