"""A small hand-worked pipeline used across the measures tests.

One HEI (H1), one nursing degree programme (NUR, 3 years). Intake 2020-09, all starting
2020-09-01, so every standard end date is 2023-09-01:
  L1 completes 2023-08-31 (on time), then is employed locally.
  L2 withdraws 2021-03-15 (financial) in year 1.
  L3 interrupts 2021-01-10, returns 2022-01-10 (365 days out), completes 2024-08-31
     (late), then is employed elsewhere.
  L4 transfers out 2022-02-01 (year 2).
  L5 interrupts 2022-05-01 and has not returned.
  L6 withdraws 2022-10-20 (personal_health) in year 3.
  L7 interrupts 2021-11-01, returns 2022-11-01, is still studying (overdue).
  L8 transfers in 2021-09-01 and completes 2023-08-31: not a starter of this cohort.
Intake 2023-09, starting 2023-09-01:
  L9 is still studying.
  L10 withdraws 2024-01-10 (academic) in year 1.
Commissioned places: 2020-09: 10, 2022-09: 5 (nobody started), 2023-09: 4, 2024-09: 3.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

AS_OF = date(2024, 10, 1)


def make_learners(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    """(learner_id, intake, start_date) -> full learner table on H1 / NUR."""
    return pd.DataFrame(
        {
            "learner_id": [r[0] for r in rows],
            "learner_ref": [f"L{r[0]}" for r in rows],
            "hei": "H1",
            "programme": "NUR",
            "profession_group": "nursing",
            "route": "degree",
            "intake": [r[1] for r in rows],
            "start_date": pd.to_datetime([r[2] for r in rows]),
            "years": 3.0,
        }
    )


def make_events(rows: list[tuple[int, str, str] | tuple[int, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "learner_id": [r[0] for r in rows],
            "date": pd.to_datetime([r[1] for r in rows]),
            "event": [r[2] for r in rows],
            "reason": [r[3] if len(r) > 3 else None for r in rows],
        }
    )
