"""Placement dates: reading ``start_date``/``end_date`` cells and checking capacity ranges.

A request with dates occupies a place on every day of its range (both ends included). A
capacity row with dates gives a setting's places on every day of its range; rows of one
setting must not overlap, since a day would then have two answers. Every bad cell is a
:class:`Problem` naming its spreadsheet row, as for every other column.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from tracker.optimise.cells import row_of, text
from tracker.optimise.model import Problem

DATE_COLUMNS = ("start_date", "end_date")
NO_DATE = np.datetime64("NaT", "D")


def has_dates(frame: pd.DataFrame) -> bool:
    return any(c in frame.columns for c in DATE_COLUMNS)


def _parse(table: str, column: str, values: pd.Series, problems: list[Problem]) -> np.ndarray:
    out = np.full(len(values), NO_DATE)
    for pos, value in enumerate(text(values)):
        if value is None:
            continue
        try:
            out[pos] = np.datetime64(dt.date.fromisoformat(value[:10] if "T" in value else value))
        except ValueError:
            problems.append(
                Problem(table, row_of(pos), column, value, "must be a date (YYYY-MM-DD)")
            )
    return out


def date_ranges(
    table: str, frame: pd.DataFrame, problems: list[Problem], *, required: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Start and end dates per row (``NaT`` where not given); ``required`` marks the rows
    that must have both."""
    n = len(frame)
    if not has_dates(frame):
        for row in np.flatnonzero(required):
            problems.append(Problem(table, row_of(int(row)), "start_date", None, "must be given"))
        return np.full(n, NO_DATE), np.full(n, NO_DATE)
    for column in DATE_COLUMNS:
        if column not in frame.columns:
            problems.append(Problem(table, None, column, None, "required column is missing"))
            return np.full(n, NO_DATE), np.full(n, NO_DATE)
    start = _parse(table, "start_date", frame["start_date"], problems)
    end = _parse(table, "end_date", frame["end_date"], problems)
    raw_start, raw_end = text(frame["start_date"]), text(frame["end_date"])
    for pos in range(n):
        given = (raw_start[pos] is not None, raw_end[pos] is not None)
        if given == (True, False):
            problems.append(Problem(table, row_of(pos), "end_date", None, "give an end date too"))
        elif given == (False, True):
            problems.append(Problem(table, row_of(pos), "start_date", None, "give a start date"))
        elif given == (False, False) and required[pos]:
            problems.append(
                Problem(table, row_of(pos), "start_date/end_date", None, "must not be empty")
            )
        elif not np.isnat(start[pos]) and not np.isnat(end[pos]) and end[pos] < start[pos]:
            problems.append(
                Problem(
                    table,
                    row_of(pos),
                    "end_date",
                    raw_end[pos],
                    f"is before start_date {raw_start[pos]}",
                )
            )
    return start, end


def overlapping_rows(
    setting_id: pd.Series, start: np.ndarray, end: np.ndarray, problems: list[Problem]
) -> None:
    """Capacity rows of one setting whose date ranges share a day."""
    frame = pd.DataFrame({"setting": setting_id, "start": start, "end": end})
    frame = frame[frame["setting"].notna() & frame["start"].notna() & frame["end"].notna()]
    for setting, rows in frame.sort_values(["setting", "start"]).groupby("setting", sort=False):
        latest_end, latest_pos = None, 0
        for pos, row in rows.iterrows():
            if latest_end is not None and row["start"] <= latest_end:
                problems.append(
                    Problem(
                        "capacity",
                        row_of(int(pos)),
                        "start_date",
                        str(row["start"].date()),
                        f"overlaps row {row_of(latest_pos)} of setting {setting} (rows of "
                        "one setting must not share a day)",
                    )
                )
            if latest_end is None or row["end"] > latest_end:
                latest_end, latest_pos = row["end"], int(pos)


def days(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Days in each inclusive range."""
    out: np.ndarray = (end - start).astype("timedelta64[D]").astype(np.int64) + 1
    return out
