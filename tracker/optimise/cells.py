"""Reading spreadsheet cells: each bad cell becomes a :class:`Problem` naming its row.

Rows are numbered as a coordinator sees them in a spreadsheet (the header is row 1), so every
message points at the cell to fix. Used by the table checks in ``validate.py``.
"""

from __future__ import annotations

from collections.abc import Container, Iterable

import numpy as np
import pandas as pd

from tracker.optimise.model import Problem

TRUE_WORDS = {"true", "t", "yes", "y", "1", "1.0"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "0.0"}


def positions(mask: np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask)]


def row_of(position: int) -> int:
    """Spreadsheet row number of a data row: the header is row 1."""
    return position + 2


def text(series: pd.Series, *, lower: bool = False) -> pd.Series:
    """Strings with surrounding blanks removed; missing stays ``None`` (object dtype, so
    pandas does not turn ``None`` back into NaN)."""
    out: list[str | None] = []
    for v in series.tolist():
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            out.append(None)
            continue
        text = (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)).strip()
        out.append((text.lower() if lower else text) or None)
    return pd.Series(out, dtype="object")


def require_columns(
    table: str, frame: pd.DataFrame, columns: Iterable[str], problems: list[Problem]
) -> bool:
    missing = [c for c in columns if c not in frame.columns]
    for column in missing:
        problems.append(Problem(table, None, column, None, "required column is missing"))
    return not missing


def check_known(
    table: str,
    column: str,
    values: Iterable[object],
    known: Container[object],
    problems: list[Problem],
    message: str,
    *,
    blank_ok: bool = True,
) -> None:
    """Report every cell whose value is not one of ``known``, with ``message`` saying what it
    should be. Blank cells pass unless ``blank_ok`` is off: where a blank is an error,
    ``check_ids`` reports it, and elsewhere it means "any"."""
    for pos, value in enumerate(values):
        if (value is not None or not blank_ok) and value not in known:
            problems.append(Problem(table, row_of(pos), column, value, message))


def check_ids(
    table: str, column: str, values: pd.Series, problems: list[Problem], *, unique: bool
) -> None:
    for pos, value in enumerate(values):
        if value is None:
            problems.append(Problem(table, row_of(pos), column, None, "must not be empty"))
    if unique:
        present = values[values.notna()]
        for pos in positions(present.duplicated(keep="first").to_numpy()):
            first = int(np.flatnonzero((values == present.iloc[pos]).to_numpy())[0])
            where = int(present.index[pos])
            problems.append(
                Problem(
                    table,
                    row_of(where),
                    column,
                    present.iloc[pos],
                    f"duplicate id (first used on row {row_of(first)})",
                )
            )


def numbers(
    table: str,
    column: str,
    values: pd.Series,
    problems: list[Problem],
    *,
    integer: bool,
    minimum: float | None = 0,
    required: bool = True,
    strictly_positive: bool = False,
) -> pd.Series:
    """Parse numbers row by row; report each bad cell; missing gives NaN."""
    parsed = pd.to_numeric(values, errors="coerce").astype("float64")
    for pos, (raw, num) in enumerate(zip(values, parsed, strict=True)):
        missing = (
            raw is None or (isinstance(raw, float) and np.isnan(raw)) or str(raw).strip() == ""
        )
        if missing:
            if required:
                problems.append(Problem(table, row_of(pos), column, None, "must not be empty"))
            continue
        if np.isnan(num) or not np.isfinite(num):
            problems.append(Problem(table, row_of(pos), column, raw, "must be a number"))
        elif integer and num != np.floor(num):
            problems.append(Problem(table, row_of(pos), column, raw, "must be a whole number"))
        elif strictly_positive and num <= 0:
            problems.append(Problem(table, row_of(pos), column, raw, "must be greater than 0"))
        elif minimum is not None and num < minimum:
            problems.append(
                Problem(table, row_of(pos), column, raw, f"must not be below {minimum:g}")
            )
    return parsed


def coordinates(
    table: str, frame: pd.DataFrame, problems: list[Problem]
) -> tuple[pd.Series, pd.Series]:
    n = len(frame)
    if "lat" not in frame.columns and "lon" not in frame.columns:
        nan = pd.Series(np.full(n, np.nan))
        return nan, nan.copy()
    if ("lat" in frame.columns) != ("lon" in frame.columns):
        present = "lat" if "lat" in frame.columns else "lon"
        problems.append(Problem(table, None, present, None, "lat and lon must be given together"))
        nan = pd.Series(np.full(n, np.nan))
        return nan, nan.copy()
    lat, lon = (
        numbers(
            table,
            column,
            frame[column].reset_index(drop=True),
            problems,
            integer=False,
            minimum=None,
            required=False,
        )
        for column in ("lat", "lon")
    )
    for pos, (a, b) in enumerate(zip(lat, lon, strict=True)):
        if np.isnan(a) != np.isnan(b):
            problems.append(
                Problem(table, row_of(pos), "lat/lon", None, "give both lat and lon, or neither")
            )
        elif not np.isnan(a) and not (-90 <= a <= 90 and -180 <= b <= 180):
            problems.append(
                Problem(table, row_of(pos), "lat/lon", f"{a}, {b}", "is not a latitude/longitude")
            )
    return lat, lon


def is_blank(value: object) -> bool:
    return (
        value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""
    )
