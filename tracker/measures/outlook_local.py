"""Observed local employment rate of completers, per outlook pathway.

It is the measures' local retention (employed locally ÷ completed, from ``cohort_measures``),
taken only over completers who finished at least ``lag_days`` before ``as_of``:
a first post is recorded weeks after completion, and counting this summer's completers as
not employed would bias the rate down.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tracker.measures.attrition import cohort_measures
from tracker.measures.outlook_rates import PATHWAY


def _shrunk(employed: float, completed: float, centre: float, strength: float) -> float:
    if np.isnan(centre):
        return employed / completed if completed > 0 else float("nan")
    return (employed + strength * centre) / (completed + strength)


def local_rates(
    status: pd.DataFrame,
    *,
    as_of: date,
    pathways: pd.DataFrame,
    prior_strength: float,
    lag_days: int,
    events: pd.DataFrame,
) -> pd.DataFrame:
    """PATHWAY + completed, employed_local, local_rate (shrunk towards the profession
    group's rate, and that towards everyone's, by ``prior_strength`` completers; missing
    only when no completer anywhere has settled long enough)."""
    cutoff = pd.Timestamp(as_of) - pd.Timedelta(days=lag_days)
    settled = status.loc[status["completion_date"] <= cutoff]
    table = cohort_measures(settled, events, by=["programme"], as_of=as_of, status=settled)
    paths = status.drop_duplicates("programme").set_index("programme")[list(PATHWAY)]
    table = table.join(paths, on="programme")
    per = table.groupby(list(PATHWAY))[["completed", "employed_local"]].sum()
    groups = table.groupby("profession_group")[["completed", "employed_local"]].sum()
    total = table[["completed", "employed_local"]].sum()
    everyone = _shrunk(total["employed_local"], total["completed"], float("nan"), 0)
    out = pathways.loc[:, list(PATHWAY)].copy()
    rates, done, employed = [], [], []
    for pg, fld, final in out.itertuples(index=False):
        g = (
            groups.loc[pg]
            if pg in groups.index
            else pd.Series({"completed": 0, "employed_local": 0})
        )
        centre = _shrunk(g["employed_local"], g["completed"], everyone, prior_strength)
        own = per.loc[(pg, fld, final)] if (pg, fld, final) in per.index else g * 0
        rates.append(_shrunk(own["employed_local"], own["completed"], centre, prior_strength))
        done.append(int(own["completed"]))
        employed.append(int(own["employed_local"]))
    out["completed"], out["employed_local"], out["local_rate"] = done, employed, rates
    return out
