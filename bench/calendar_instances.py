"""Seeded calendar instances: the block instances of ``instances.py`` spread over a 52-week
year, each HEI on its own placement calendar.

Capacity: each setting's block rows become consecutive date ranges of 13 weeks (a missing
block row is a gap with no places), scaled so that requested learner-days exceed the
place-days by the factor ``over``. Demand: a block-b request of an HEI starts on the Monday of
that HEI's own week ``13 * (b - 1) + 1 + offset`` (offset 0-5 weeks per HEI and programme) and
lasts 4-12 weeks (per HEI and programme), so the HEIs' placements overlap only in part.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from bench.instances import Size, generate

YEAR_START = date(2027, 1, 4)  # a Monday


def _monday(week: int) -> date:
    return YEAR_START + timedelta(weeks=week)


def generate_calendar(
    size: Size, seed: int = 7, over: float = 1.08
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    settings, capacity, demand = generate(size, seed=seed, over=over)
    rng = np.random.default_rng(seed + 1)
    heis = sorted(demand["hei"].unique())
    progs = sorted(demand["programme"].unique())
    offset = {(h, p): int(rng.integers(0, 6)) for h in heis for p in progs}
    weeks = {(h, p): int(rng.integers(4, 13)) for h in heis for p in progs}
    key = list(zip(demand["hei"], demand["programme"], strict=True))
    first = np.array([13 * (b - 1) + offset[k] for b, k in zip(demand["block"], key, strict=True)])
    length = np.array([weeks[k] for k in key])
    first = np.minimum(first, 52 - length)
    d = demand.copy()
    d["start_date"] = [_monday(int(w)).isoformat() for w in first]
    d["end_date"] = [
        (_monday(int(w + n)) - timedelta(days=1)).isoformat()
        for w, n in zip(first, length, strict=True)
    ]
    d = d.drop(columns="block")
    learner_weeks = float((d["learners"] * length).sum())
    place_weeks = float(capacity["places"].sum() * 13)
    factor = learner_weeks / (over * place_weeks)
    c = capacity.copy()
    c["places"] = np.maximum(1, np.rint(c["places"] * factor)).astype(int)
    c["start_date"] = [_monday(13 * (b - 1)).isoformat() for b in c["block"]]
    c["end_date"] = [(_monday(13 * b) - timedelta(days=1)).isoformat() for b in c["block"]]
    return settings, c.drop(columns="block"), d
