"""Yearly transition rates of the supply outlook, estimated from what was known on a date.

The outlook moves learners forward in steps of twelve months anchored on its ``as_of`` date,
so the rates are measured the same way: every learner's status and year of study (exactly as
``learner_status`` defines them) on ``as_of`` minus k years is compared with the same
learner's a year later. Only snapshots on or before ``as_of`` are used, which is what makes
a backtest honest: an outlook made in the past could have been made with these rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import numpy as np
import pandas as pd

from tracker.measures.status import learner_status

#: What can happen to a learner in one year (the columns of every rate row).
#: progress: moved up a year of study (from the final year: completed); stay: on programme
#: in the same year (a return from interruption, or a late final year); interrupt: interrupted
#: a year later (still, for one already interrupted); withdraw; transfer_out (left this
#: pipeline, not attrition, but no completion here either).
CATEGORIES = ("progress", "stay", "interrupt", "withdraw", "transfer_out")
#: Where a rate row starts: a new starter (year 0), or on programme active or interrupted.
ORIGINS = ("start", "active", "interrupted")
#: The rates are shared by programmes of one profession group, field and length.
PATHWAY = ("profession_group", "field", "final_year")
ROW_KEY = (*PATHWAY, "origin", "year_of_study")
ON_PROGRAMME = ("active", "interrupted")


@dataclass(frozen=True)
class RateTable:
    """Observed transition counts and the rates estimated from them, one row per state.

    ``counts``: ROW_KEY + CATEGORIES, learners observed moving from that state over a year.
    ``rates``: ROW_KEY + CATEGORIES (point probabilities, rows sum to 1) + ``observed``
    (learners behind the row) and ``alpha_*`` Dirichlet parameters of the posterior the
    intervals draw from (all zero when the row borrows its rates without uncertainty).
    """

    counts: pd.DataFrame
    rates: pd.DataFrame


def with_pathway(status: pd.DataFrame) -> pd.DataFrame:
    """Add ``final_year`` (the programme's last year of study, as year of study caps it)."""
    out = status.copy()
    out["final_year"] = np.ceil(out["years"].astype(float)).clip(lower=1).astype(int)
    return out


def snapshot_dates(as_of: date, lookback: int, earliest: pd.Timestamp | None) -> list[date]:
    """as_of - k years for k = lookback .. 0, from the first one after the earliest start."""
    days = [(pd.Timestamp(as_of) - pd.DateOffset(years=k)).date() for k in range(lookback, -1, -1)]
    if earliest is None:
        return days[-1:]
    return [d for d in days if pd.Timestamp(d) >= earliest] or days[-1:]


def _category(before: pd.DataFrame, after: pd.DataFrame) -> pd.Series:
    """The CATEGORIES value of each learner's year, from their rows at the two snapshots."""
    status = after["status"]
    moved_up = (status == "completed") | (
        (status == "active") & (after["year_of_study"].astype(float) > before["year_of_study"])
    )
    cat = pd.Series("stay", index=after.index, dtype=object)
    cat[moved_up.fillna(False).to_numpy(bool)] = "progress"
    cat[(status == "interrupted").to_numpy()] = "interrupt"
    cat[(status == "withdrawn").to_numpy()] = "withdraw"
    cat[(status == "transferred_out").to_numpy()] = "transfer_out"
    return cat


def _pair_counts(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Transitions between two snapshots a year apart (rows aligned learner by learner)."""
    on = before["status"].isin(ON_PROGRAMME).to_numpy()
    window_start = pd.Timestamp(before["as_of"].iloc[0])
    new = (
        after["started"]
        & ~before["status"].isin(ON_PROGRAMME)
        & (after["start_event_date"] > window_start)
    ).to_numpy(bool)
    parts = []
    if on.any():
        part = before.loc[on, list(PATHWAY)].copy()
        part["origin"] = before.loc[on, "status"].to_numpy()
        part["year_of_study"] = before.loc[on, "year_of_study"].astype(int).to_numpy()
        part["category"] = _category(before.loc[on], after.loc[on]).to_numpy()
        parts.append(part)
    if new.any():
        part = after.loc[new, list(PATHWAY)].copy()
        part["origin"] = "start"
        part["year_of_study"] = 0
        cat = _category(after.loc[new].assign(year_of_study=0), after.loc[new])
        part["category"] = cat.replace({"stay": "progress"}).to_numpy()
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=[*ROW_KEY, "category"])
    return pd.concat(parts, ignore_index=True)


def transition_counts(
    learners: pd.DataFrame, events: pd.DataFrame, *, as_of: date, lookback: int = 5
) -> pd.DataFrame:
    """Learners moving from each state to each category over a year, known on ``as_of``.

    ``learners`` carries the measures' learner columns plus ``field``. Snapshots are
    ``as_of`` minus k years (k = ``lookback`` .. 0), so no event after ``as_of`` is read.
    """
    starts = pd.to_datetime(learners["start_date"])
    earliest = starts.min() if len(starts) and starts.notna().any() else None
    days = snapshot_dates(as_of, lookback, earliest)
    frames = [with_pathway(learner_status(learners, events, as_of=d)).assign(as_of=d) for d in days]
    pairs = [_pair_counts(a, b) for a, b in pairwise(frames)]
    moves = pd.concat(pairs, ignore_index=True) if pairs else pd.DataFrame()
    if moves.empty:
        return pd.DataFrame(columns=[*ROW_KEY, *CATEGORIES])
    table = pd.crosstab([moves[c] for c in ROW_KEY], moves["category"].astype(str)).reindex(
        columns=list(CATEGORIES), fill_value=0
    )
    table.columns.name = None
    return table.reset_index().astype({c: "int64" for c in CATEGORIES})


DEFAULT_ROWS = {
    # No learner ever observed in a state anywhere: assume the plain path (progress; an
    # interrupted learner returns), which is what a programme plans for.
    "start": (1.0, 0.0, 0.0, 0.0, 0.0),
    "active": (1.0, 0.0, 0.0, 0.0, 0.0),
    "interrupted": (0.0, 1.0, 0.0, 0.0, 0.0),
}


def shrink(counts: np.ndarray, centre: np.ndarray, strength: float) -> np.ndarray:
    """(counts + strength x centre) / (n + strength): the posterior mean of a Dirichlet
    prior centred on ``centre``; the centre itself when there is nothing to go on."""
    total = counts.sum() + strength
    return centre if total <= 0 else (counts + strength * centre) / total


def _sums(counts: pd.DataFrame, keys: list[str]) -> dict[tuple[object, ...], np.ndarray]:
    if counts.empty:
        return {}
    grouped = counts.groupby(keys, sort=False)[list(CATEGORIES)].sum()
    return {(k if isinstance(k, tuple) else (k,)): v.to_numpy(float) for k, v in grouped.iterrows()}


def estimate_rates(
    counts: pd.DataFrame, states: pd.DataFrame, *, prior_strength: float
) -> RateTable:
    """Rates for every state in ``states`` (ROW_KEY columns), borrowing where data is thin.

    Each row is shrunk towards its profession group's row for the same origin, year of
    study and programme length, which is shrunk towards the group's row pooled over years
    and lengths, which is shrunk towards every group's (``prior_strength`` pseudo-learners
    at each level). A state nobody was observed in takes the level above: a final year not
    yet reached by anyone (a young programme) takes the group's average year, in which
    "progress" from the final year means completing.
    """
    field = _sums(counts, list(ROW_KEY))
    group = _sums(counts, ["profession_group", "final_year", "origin", "year_of_study"])
    pooled = _sums(counts, ["profession_group", "origin"])
    overall = _sums(counts, ["origin"])
    rows = []
    zero = np.zeros(len(CATEGORIES))
    for key in states.loc[:, list(ROW_KEY)].drop_duplicates().itertuples(index=False):
        pg, _field, final, origin, year = key
        centre = np.array(DEFAULT_ROWS[origin])
        centre = shrink(overall.get((origin,), zero), centre, prior_strength)
        centre = shrink(pooled.get((pg, origin), zero), centre, prior_strength)
        centre = shrink(group.get((pg, final, origin, year), zero), centre, prior_strength)
        own = field.get(tuple(key), zero)
        point = shrink(own, centre, prior_strength)
        alpha = own + prior_strength * centre
        rows.append((*key, *point, own.sum(), *alpha))
    columns = [*ROW_KEY, *CATEGORIES, "observed", *(f"alpha_{c}" for c in CATEGORIES)]
    return RateTable(counts=counts, rates=pd.DataFrame(rows, columns=columns))
