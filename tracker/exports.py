"""Tables to files (CSV, Excel) that are safe to open in a spreadsheet.

Every download and export in the product goes through here, so formula injection is
neutralised in one place: a cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or
carriage return) is prefixed with an apostrophe, which spreadsheets show as text. Negative
numbers stay numbers: only text cells are touched.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and headers) cannot be run as spreadsheet formulas."""
    out = frame.copy()
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise_cell)
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def _naive_datetimes(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot store a time zone: timestamps go in as UTC wall-clock times."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            out[column] = values.dt.tz_convert("UTC").dt.tz_localize(None)
        elif values.dtype == object and any(
            isinstance(v, datetime) and v.tzinfo is not None for v in values
        ):
            out[column] = [
                v.astimezone(UTC).replace(tzinfo=None)
                if isinstance(v, datetime) and v.tzinfo is not None
                else v
                for v in values
            ]
    return out


def to_xlsx_bytes(
    frame: pd.DataFrame, *, sheet_name: str = "data", note: str | None = None
) -> bytes:
    """An Excel workbook with the table and, if given, a note sheet (e.g. disclosure rules)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(_naive_datetimes(frame)).to_excel(
            writer, sheet_name=sheet_name[:31], index=False
        )
        if note:
            pd.DataFrame({"note": [neutralise_cell(note)]}).to_excel(
                writer, sheet_name="about", index=False
            )
    return buffer.getvalue()
