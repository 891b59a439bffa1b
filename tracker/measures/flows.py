"""Pipeline flows for a Sankey: starters through each year to completion and employment."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

from tracker.measures.attrition import check_by

STARTED = "Started"
COMPLETED = "Completed"
EXITS = {
    "withdrawn": "Withdrawn",
    "transferred_out": "Transferred out",
    "interrupted": "Interrupted (now)",
    "active": "On programme (now)",
}
EMPLOYMENT = {
    "local": "Employed locally",
    "elsewhere": "Employed elsewhere",
    "unknown": "Employment not recorded",
}


def year_node(year: int) -> str:
    return f"Year {year}"


def pipeline_flows(status: pd.DataFrame, *, by: Sequence[str] = ()) -> pd.DataFrame:
    """Tidy flows (source, target, learners) for a Sankey of the pipeline on the date of
    ``status`` (``learner_status(learners, events, as_of=...)``, replayed once per report).

    Every starter flows Started -> Year 1 -> ... -> the year they reached (year of study
    at exit or now, time interrupted excluded), then out to Withdrawn, Transferred out,
    Interrupted (now), On programme (now) or Completed; completers flow on to Employed
    locally / elsewhere / not recorded. Flows into a node equal flows out of it, so the
    diagram balances and every leaving flow is drawn from the year it happened in.
    Returns `by` columns plus source, target, learners (zero flows omitted).
    """
    cols = check_by(by)
    s = status.loc[status["started"]].copy()
    final_year = np.ceil(s["years"].astype(float)).astype(int).clip(lower=1)
    reached = s["year_of_study"].astype(int)
    reached = reached.where(s["status"] != "completed", np.maximum(reached, final_year))
    s["reached_year"] = reached

    s["end"] = s["status"].map(EXITS)
    completed = s["status"] == "completed"
    s["employment"] = np.select(
        [s["employed_local"], s["employed_elsewhere"]],
        [EMPLOYMENT["local"], EMPLOYMENT["elsewhere"]],
        EMPLOYMENT["unknown"],
    )
    s.loc[completed, "end"] = COMPLETED
    s.loc[~completed, "employment"] = None
    # Learners with the same path share one walk along it: a few dozen paths, not one per
    # learner (which took seconds at 60,000 learners).
    paths = (
        s.groupby([*cols, "reached_year", "end", "employment"], sort=False, dropna=False)
        .size()
        .reset_index(name="learners")
    )
    records: list[dict[str, object]] = []
    for row in paths.itertuples(index=False):
        key = {c: getattr(row, c) for c in cols}
        path = [STARTED, *(year_node(y) for y in range(1, int(row.reached_year) + 1)), row.end]
        if row.end == COMPLETED:
            path.append(row.employment)
        for source, target in pairwise(path):
            records.append({**key, "source": source, "target": target, "learners": row.learners})
    if not records:
        return pd.DataFrame(columns=[*cols, "source", "target", "learners"])
    flows = pd.DataFrame.from_records(records)
    return flows.groupby([*cols, "source", "target"], sort=False)["learners"].sum().reset_index()
