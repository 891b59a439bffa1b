"""Workforce supply outlook: completions per profession group, field and year, with intervals.

A multi-state cohort projection in yearly steps anchored on ``as_of``: the learners on
programme that day (by year of study and status, as ``learner_status`` defines them) and
the planned intakes move forward a year at a time with the transition rates observed over
the years before ``as_of`` (``tracker.measures.outlook_rates``). Year ``Y`` of the outlook is
the twelve months ending on ``as_of``'s day and month in ``Y``. Pure pandas and numpy,
deterministic for a seed; see docs/measures.md, "Supply outlook".
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from tracker.measures.outlook_intakes import planned_intakes
from tracker.measures.outlook_local import local_rates
from tracker.measures.outlook_rates import (
    CATEGORIES,
    ON_PROGRAMME,
    PATHWAY,
    ROW_KEY,
    RateTable,
    estimate_rates,
    transition_counts,
    with_pathway,
)
from tracker.measures.outlook_scenario import Scenario, check_keys, pick
from tracker.measures.status import learner_status

OUTLOOK_COLUMNS = (
    "profession_group",
    "field",
    "year",
    "completions",
    "completions_low",
    "completions_high",
    "local_posts",
)
IN_TRAINING_COLUMNS = ("profession_group", "year_of_study", "year", "learners")
PROGRESS, STAY, INTERRUPT, WITHDRAW = (CATEGORIES.index(c) for c in CATEGORIES[:4])


@dataclass(frozen=True)
class OutlookOptions:
    """How the outlook is estimated; the defaults are the product's."""

    draws: int = 2000
    """Simulated futures behind each interval (more: smoother limits, slower)."""
    level: float = 0.8
    """Central share of simulated outcomes the interval holds: 0.8 is the 10th to the 90th
    percentile, the band planners read as "likely"."""
    seed: int = 2031
    """Seed of the simulation: the same inputs and seed give the same intervals."""
    lookback: int = 5
    """Years of history before as_of over which the yearly rates are measured."""
    prior_strength: float = 10.0
    """Pseudo-learners a thin row borrows from its profession group's row."""
    employment_lag_days: int = 180
    """Completers count towards the local employment rate only this long after finishing."""


@dataclass(frozen=True)
class _Part:
    """One pathway's expected figures per year, its simulated completions, and the expected
    learners in training (active) per year and year of study (years x final year)."""

    frame: pd.DataFrame
    simulated: np.ndarray
    training: np.ndarray


@dataclass(frozen=True)
class Outlook:
    """The projection (``table``: OUTLOOK_COLUMNS), and what it was made from."""

    table: pd.DataFrame
    rates: RateTable
    intakes: pd.DataFrame
    local: pd.DataFrame
    as_of: date
    level: float
    labels: list[int]
    parts: tuple[_Part, ...] = ()

    def summary(self, keys: Sequence[str] = ("profession_group",)) -> pd.DataFrame:
        """The outlook summed to other groupings (e.g. profession group only), with
        intervals of the sum computed from the joint draws."""
        return _aggregate(self.parts, self.labels, self.level, keys)

    def in_training(self) -> pd.DataFrame:
        """Expected learners in training (active, not interrupted) on as_of's day and month of
        each outlook year, by profession group and the year of study they are then in:
        ``profession_group, year_of_study, year, learners`` (what placements are planned for).
        """
        rows = [
            (part.frame["profession_group"].iloc[0], y + 1, year, float(count))
            for part in self.parts
            for k, year in enumerate(self.labels)
            for y, count in enumerate(part.training[k])
        ]
        frame = pd.DataFrame(rows, columns=list(IN_TRAINING_COLUMNS))
        keys = ["profession_group", "year_of_study", "year"]
        return frame.groupby(keys, as_index=False)["learners"].sum().sort_values(keys)


def year_labels(as_of: date, years: int) -> list[int]:
    """Calendar year in which each outlook year ends."""
    return [(pd.Timestamp(as_of) + pd.DateOffset(years=k)).year for k in range(1, years + 1)]


def _states(pathways: pd.DataFrame) -> pd.DataFrame:
    """Every rate row a pathway's projection needs: a start row, then each year twice."""
    rows = []
    for pg, fld, final in pathways.loc[:, list(PATHWAY)].itertuples(index=False):
        rows.append((pg, fld, final, "start", 0))
        for origin in ON_PROGRAMME:
            rows.extend((pg, fld, final, origin, y) for y in range(1, int(final) + 1))
    return pd.DataFrame(rows, columns=list(ROW_KEY))


def _row_arrays(rates: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Point rates and Dirichlet parameters in state order: start, active 1..n, interrupted."""
    order = [("start", 0)] + [(o, y) for o in ON_PROGRAMME for y in range(1, n + 1)]
    indexed = rates.set_index(["origin", "year_of_study"]).loc[order]
    point = indexed[list(CATEGORIES)].to_numpy(float)
    alpha = indexed[[f"alpha_{c}" for c in CATEGORIES]].to_numpy(float)
    return point, alpha


def _draw_rows(
    point: np.ndarray, alpha: np.ndarray, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """Rates for each simulation draw (draws x rows x categories) from the Dirichlet
    posteriors; a row with no posterior keeps its point rates."""
    gam = rng.gamma(np.broadcast_to(alpha, (draws, *alpha.shape)))
    total = gam.sum(axis=2, keepdims=True)
    drawn = np.divide(gam, total, out=np.zeros_like(gam), where=total > 0)
    return np.where(total > 0, drawn, point[None, :, :])


def _withdrawal_shift(p: np.ndarray, delta: float) -> np.ndarray:
    """Withdrawal probability moved by ``delta`` (a fraction), taken from or given to
    progression, so rows still sum to 1; no change at all when delta is 0."""
    if delta == 0:
        return p
    out = p.copy()
    new = np.clip(p[..., WITHDRAW] + delta, 0.0, p[..., WITHDRAW] + p[..., PROGRESS])
    out[..., PROGRESS] = p[..., PROGRESS] + p[..., WITHDRAW] - new
    out[..., WITHDRAW] = new
    clipped: np.ndarray = np.clip(out, 0.0, 1.0)  # rounding can leave 1 + 2e-16, refused
    return clipped


def _destinations(n: int) -> np.ndarray:
    """For each state row (start, active 1..n, interrupted 1..n) and category, the state
    index learners move to: 0..n-1 active, n..2n-1 interrupted, 2n completed, 2n+1 gone."""
    done, gone = 2 * n, 2 * n + 1
    dest = np.full((2 * n + 1, len(CATEGORIES)), gone)
    dest[0, [PROGRESS, STAY, INTERRUPT]] = (0, 0, n)
    for y in range(1, n + 1):
        for row in (y, n + y):  # active y, interrupted y
            dest[row, PROGRESS] = y if y < n else done
            dest[row, STAY] = y - 1
            dest[row, INTERRUPT] = n + y - 1
    return dest


def _project(
    stock: np.ndarray,
    entries: np.ndarray,
    point: np.ndarray,
    draws: np.ndarray,
    deltas: list[float],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected completions per outlook year, simulated ones (draws x years), and expected
    active learners per year of study at the end of each outlook year (years x n).

    ``stock``: learners per state (active 1..n, interrupted 1..n) on as_of; ``entries``:
    starters joining in each outlook year; ``deltas``: the scenario's withdrawal change
    per year. The simulation moves whole learners (multinomial) with each draw's rates, so
    the interval holds both the rates' uncertainty and chance among few learners.
    """
    n = len(stock) // 2
    dest = _destinations(n)
    mean = np.asarray(stock, float).copy()
    sims = np.broadcast_to(np.asarray(stock, np.int64), (len(draws), 2 * n)).copy()
    expected, simulated, training = [], [], []
    for k, delta in enumerate(deltas):
        p_mean, p_draw = _withdrawal_shift(point, delta), _withdrawal_shift(draws, delta)
        new_mean, new_sims = np.zeros(2 * n + 2), np.zeros((len(draws), 2 * n + 2), np.int64)
        for s in range(2 * n):
            np.add.at(new_mean, dest[s + 1], mean[s] * p_mean[s + 1])
            split = rng.multinomial(sims[:, s], p_draw[:, s + 1, :])
            for c in range(len(CATEGORIES)):
                new_sims[:, dest[s + 1, c]] += split[:, c]
        np.add.at(new_mean, dest[0], entries[k] * p_mean[0])
        split = rng.multinomial(np.full(len(draws), round(entries[k])), p_draw[:, 0, :])
        for c in range(len(CATEGORIES)):
            new_sims[:, dest[0, c]] += split[:, c]
        expected.append(new_mean[2 * n])
        simulated.append(new_sims[:, 2 * n].copy())
        mean, sims = new_mean[: 2 * n], new_sims[:, : 2 * n]
        training.append(mean[:n].copy())
    return np.array(expected), np.stack(simulated, axis=1), np.array(training)


def _stock(status: pd.DataFrame, pathway: tuple[object, ...], n: int) -> np.ndarray:
    mine = _mine(status, pathway)
    stock = np.zeros(2 * n)
    for i, origin in enumerate(ON_PROGRAMME):
        years = mine.loc[mine["status"] == origin, "year_of_study"].astype(int)
        for y, count in years.value_counts().items():
            stock[i * n + int(y) - 1] = count
    return stock


def _pathways(status: pd.DataFrame, intakes: pd.DataFrame) -> pd.DataFrame:
    on = status.loc[status["status"].isin(ON_PROGRAMME), list(PATHWAY)]
    both = pd.concat([on, intakes.loc[:, list(PATHWAY)]], ignore_index=True)
    return both.drop_duplicates().sort_values(list(PATHWAY)).reset_index(drop=True)


def _seed(seed: int, pathway: tuple[object, ...]) -> np.random.Generator:
    """One generator per pathway, so a scenario changing one pathway leaves the others'
    draws (and a zero-change scenario all draws) exactly as in the baseline."""
    return np.random.default_rng([seed, zlib.crc32(repr(pathway).encode())])


def supply_outlook(
    learners: pd.DataFrame,
    events: pd.DataFrame,
    *,
    as_of: date,
    years: int,
    scenario: Scenario | None = None,
    options: OutlookOptions | None = None,
) -> Outlook:
    """Completions and local posts per profession group, field and outlook year.

    ``learners``: the measures' learner columns plus ``field``; only events on or before
    ``as_of`` are read. Returns exact expected figures with a ``level`` interval.
    """
    if years < 1:
        raise ValueError("years must be at least 1")
    scenario = scenario or Scenario()
    options = options or OutlookOptions()
    check_keys(
        scenario,
        programmes=set(learners["programme"].astype(str)),
        fields=set(learners["field"].astype(str)),
        groups=set(learners["profession_group"].astype(str)),
    )
    status = with_pathway(learner_status(learners, events, as_of=as_of))
    intakes = planned_intakes(status, as_of=as_of, years=years, scenario=scenario)
    pathways = _pathways(status, intakes)
    counts = transition_counts(learners, events, as_of=as_of, lookback=options.lookback)
    context = _Context(
        status=status,
        intakes=intakes,
        rates=estimate_rates(counts, _states(pathways), prior_strength=options.prior_strength),
        local=local_rates(
            status,
            as_of=as_of,
            pathways=pathways,
            events=events,
            prior_strength=options.prior_strength,
            lag_days=options.employment_lag_days,
        ),
        labels=year_labels(as_of, years),
        scenario=scenario,
        options=options,
    )
    parts = [_pathway_part(tuple(p), context) for p in pathways.itertuples(index=False)]
    return Outlook(
        table=_aggregate(parts, context.labels, options.level, OUTLOOK_COLUMNS[:2]),
        rates=context.rates,
        intakes=intakes,
        local=context.local,
        as_of=as_of,
        level=options.level,
        labels=context.labels,
        parts=tuple(parts),
    )


@dataclass(frozen=True)
class _Context:
    """What every pathway's projection reads."""

    status: pd.DataFrame
    intakes: pd.DataFrame
    rates: RateTable
    local: pd.DataFrame
    labels: list[int]
    scenario: Scenario
    options: OutlookOptions


def _mine(frame: pd.DataFrame, pathway: tuple[object, ...]) -> pd.DataFrame:
    wanted = pd.Series(pathway, index=list(PATHWAY))
    return frame.loc[(frame[list(PATHWAY)] == wanted).all(axis=1)]


def _pathway_part(pathway: tuple[object, ...], ctx: _Context) -> _Part:
    """Project one pathway (profession group, field, programme length)."""
    pg, fld, final = pathway
    n = int(str(final))
    point, alpha = _row_arrays(_mine(ctx.rates.rates, pathway), n)
    rng = _seed(ctx.options.seed, pathway)
    draws = _draw_rows(point, alpha, ctx.options.draws, rng)
    starters = _mine(ctx.intakes, pathway).groupby("period")["starters"].sum()
    entries = np.array([float(starters.get(k, 0.0)) for k in range(1, len(ctx.labels) + 1)])
    keys = (str(fld), str(pg))
    withdrawal = pick(ctx.scenario.withdrawal_change_points, *keys)
    deltas = [withdrawal.delta(y) if withdrawal else 0.0 for y in ctx.labels]
    expected, simulated, training = _project(
        _stock(ctx.status, pathway, n), entries, point, draws, deltas, rng
    )
    rate = float(_mine(ctx.local, pathway)["local_rate"].iloc[0])
    local = pick(ctx.scenario.local_employment_change_points, *keys)
    shares = [
        rate if local is None or np.isnan(rate) else float(np.clip(rate + local.delta(y), 0, 1))
        for y in ctx.labels
    ]
    frame = pd.DataFrame(
        {
            "profession_group": pg,
            "field": fld,
            "final_year": n,
            "year": ctx.labels,
            "completions": expected,
            "local_posts": expected * np.array(shares),
        }
    )
    return _Part(frame=frame, simulated=simulated, training=training)


def _aggregate(
    parts: Sequence[_Part], labels: list[int], level: float, keys: Sequence[str]
) -> pd.DataFrame:
    """Pathways summed to ``keys``; intervals from the summed draws (not summed limits)."""
    groups: dict[tuple[str, ...], list[_Part]] = {}
    for part in parts:
        first = part.frame.iloc[0]
        groups.setdefault(tuple(str(first[k]) for k in keys), []).append(part)
    tail = (1 - level) / 2
    rows = []
    for key, members in sorted(groups.items()):
        simulated = np.sum([m.simulated for m in members], axis=0)
        low = np.quantile(simulated, tail, axis=0, method="inverted_cdf")
        high = np.quantile(simulated, 1 - tail, axis=0, method="inverted_cdf")
        completions = np.sum([m.frame["completions"].to_numpy() for m in members], axis=0)
        local = np.sum([m.frame["local_posts"].to_numpy() for m in members], axis=0)
        for k, year in enumerate(labels):
            rows.append((*key, year, completions[k], low[k], high[k], local[k]))
    table = pd.DataFrame(rows, columns=[*keys, *OUTLOOK_COLUMNS[2:]])
    return table.astype({"year": "int64", "completions_low": "int64", "completions_high": "int64"})
