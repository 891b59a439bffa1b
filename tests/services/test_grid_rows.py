"""Server-side blocks for scrolling grids: filter, sort, slice, and crafted requests."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tracker.services.grid_rows import MAX_BLOCK_ROWS, grid_block


@pytest.fixture
def learners() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "learner_ref": [f"L{i:04d}" for i in range(250)],
            "status": ["withdrawn" if i % 10 == 0 else "active" for i in range(250)],
            "status_date": [date(2024, 1, 1 + i % 28) for i in range(250)],
            "year_of_study": pd.array(
                [None if i % 50 == 0 else 1 + i % 3 for i in range(250)], dtype="Int64"
            ),
        }
    )


def test_a_block_is_the_rows_asked_for_with_the_total(learners: pd.DataFrame) -> None:
    answer = grid_block(learners, {"startRow": 100, "endRow": 200})
    assert answer["rowCount"] == 250
    rows = answer["rowData"]
    assert [r["learner_ref"] for r in rows] == [f"L{i:04d}" for i in range(100, 200)]
    # Shown as on the page: ISO dates, whole numbers, blank where missing.
    assert rows[0]["status_date"] == "2024-01-17" and rows[0]["year_of_study"] == ""
    assert rows[1]["year_of_study"] == "3"


def test_text_filters_narrow_and_count_what_is_left(learners: pd.DataFrame) -> None:
    request = {
        "startRow": 0,
        "endRow": 100,
        "filterModel": {"status": {"filterType": "text", "type": "equals", "filter": "Withdrawn"}},
    }
    answer = grid_block(learners, request)
    assert answer["rowCount"] == 25
    assert {r["status"] for r in answer["rowData"]} == {"withdrawn"}
    either = {
        "filterModel": {
            "learner_ref": {
                "filterType": "text",
                "operator": "OR",
                "conditions": [
                    {"type": "endsWith", "filter": "0007"},
                    {"type": "startsWith", "filter": "l024"},
                ],
            }
        }
    }
    refs = [r["learner_ref"] for r in grid_block(learners, either)["rowData"]]
    assert refs == ["L0007", *[f"L{i:04d}" for i in range(240, 250)]]


def test_sorting_uses_values_with_missing_last(learners: pd.DataFrame) -> None:
    request = {
        "startRow": 0,
        "endRow": 250,
        "sortModel": [
            {"colId": "year_of_study", "sort": "desc"},
            {"colId": "learner_ref", "sort": "asc"},
        ],
    }
    rows = grid_block(learners, request)["rowData"]
    years = [r["year_of_study"] for r in rows]
    assert years[0] == "3" and years[-5:] == [""] * 5
    assert rows[0]["learner_ref"] == "L0002"


@pytest.mark.parametrize(
    "request_body",
    [
        None,
        "rows please",
        {"startRow": "x", "endRow": None},
        {"startRow": -5, "endRow": 10**9},
        {"filterModel": {"password": {"type": "contains", "filter": "a"}, "status": "bad"}},
        {"filterModel": {"status": {"type": "regex", "filter": ".*"}}},
        {"sortModel": [{"colId": "__class__", "sort": "asc"}, "status"]},
    ],
)
def test_crafted_requests_get_rows_of_the_frame_only(
    learners: pd.DataFrame, request_body: object
) -> None:
    answer = grid_block(learners, request_body)
    assert answer["rowCount"] == 250
    assert 0 < len(answer["rowData"]) <= MAX_BLOCK_ROWS
    assert set(answer["rowData"][0]) == set(learners.columns)
