"""Exports are safe to open in a spreadsheet."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from tracker.exports import safe_frame, to_csv_bytes, to_xlsx_bytes


def test_formula_cells_are_neutralised_but_numbers_stay_numbers() -> None:
    frame = pd.DataFrame(
        {"name": ['=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "plain"], "n": [1, -2, 3, 4, 5]}
    )
    safe = safe_frame(frame)
    assert safe["name"].tolist() == ['\'=HYPERLINK("x")', "'+1", "'-2+3", "'@SUM(A1)", "plain"]
    assert safe["n"].tolist() == [1, -2, 3, 4, 5]
    assert frame["name"][0].startswith("=")  # the caller's frame is untouched


def test_csv_and_excel_round_trip_as_text() -> None:
    frame = pd.DataFrame({"=cmd": ["=1+1"], "value": [-3]})
    text = to_csv_bytes(frame).decode("utf-8-sig")
    assert text.splitlines()[0] == "'=cmd,value"
    assert text.splitlines()[1] == "'=1+1,-3"
    workbook = load_workbook(io.BytesIO(to_xlsx_bytes(frame, note="=note")))
    sheet = workbook["data"]
    assert sheet["A2"].value == "'=1+1"
    assert sheet["B2"].value == -3
    assert workbook["about"]["A2"].value == "'=note"


def test_excel_takes_time_zone_aware_timestamps_as_utc() -> None:
    """Database timestamps come back time-zone aware (e.g. a request's ``created_at``); Excel
    cannot store a zone, so the download used to fail (HTTP 500) instead of writing UTC."""
    from datetime import datetime, timedelta, timezone

    aware = datetime(2025, 3, 1, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    frame = pd.DataFrame(
        {
            "created_at": [aware],
            "column": pd.Series([aware]).dt.tz_convert("Europe/London"),
        }
    )
    sheet = load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    assert sheet is not None
    assert sheet["A2"].value == datetime(2025, 3, 1, 9, 30)
    assert sheet["B2"].value == datetime(2025, 3, 1, 9, 30)
