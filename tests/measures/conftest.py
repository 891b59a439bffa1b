"""Fixtures for the measures tests; the pipeline itself is described in measures_helpers."""

from __future__ import annotations

import pandas as pd
import pytest
from measures_helpers import make_events, make_learners


@pytest.fixture
def learners() -> pd.DataFrame:
    rows = [(i, "2020-09", "2020-09-01") for i in range(1, 9)]
    rows += [(9, "2023-09", "2023-09-01"), (10, "2023-09", "2023-09-01")]
    return make_learners(rows)


@pytest.fixture
def events() -> pd.DataFrame:
    rows: list[tuple[int, str, str] | tuple[int, str, str, str]] = [
        (i, "2020-09-01", "started") for i in range(1, 8)
    ]
    rows += [
        (1, "2023-08-31", "completed"),
        (1, "2023-10-01", "employed_local"),
        (2, "2021-03-15", "withdrew", "financial"),
        (3, "2021-01-10", "interrupted"),
        (3, "2022-01-10", "returned"),
        (3, "2024-08-31", "completed"),
        (3, "2024-09-15", "employed_elsewhere"),
        (4, "2022-02-01", "transferred_out"),
        (5, "2022-05-01", "interrupted"),
        (6, "2022-10-20", "withdrew", "personal_health"),
        (7, "2021-11-01", "interrupted"),
        (7, "2022-11-01", "returned"),
        (8, "2021-09-01", "transferred_in"),
        (8, "2023-08-31", "completed"),
        (9, "2023-09-01", "started"),
        (10, "2023-09-01", "started"),
        (10, "2024-01-10", "withdrew", "academic"),
    ]
    return make_events(rows)


@pytest.fixture
def cohorts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "hei": "H1",
            "programme": "NUR",
            "intake": ["2020-09", "2022-09", "2023-09", "2024-09"],
            "commissioned_places": [10, 5, 4, 3],
        }
    )
