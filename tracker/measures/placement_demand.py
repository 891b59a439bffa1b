"""Placement demand of a growth scenario, against capacity: the shortfall per sector, block, year.

The outlook projects learners in training per profession group and year of study
(``Outlook.in_training``); each learner in training generates placements as today's learners
do (today's requests per learner in training, spread over sectors as today's plan places
them), or as a policy target says ("at least one community or care-home placement per learner
per year"). Capacity per year is the registers' places with the scenario's capacity changes
applied by the caller. Pure pandas; see docs/measures.md, "Placement demand and shortfall".
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

PATTERN_COLUMNS = ("profession_group", "year_of_study", "block", "sector", "per_learner")
DEMAND_COLUMNS = ("profession_group", "year", "block", "sector", "placements")
SHORTFALL_COLUMNS = (*DEMAND_COLUMNS, "places", "shortfall")
ANY_YEAR = 0  # year_of_study of a pattern row that holds for every year of study


def placement_pattern(today: pd.DataFrame, in_training_now: pd.DataFrame) -> pd.DataFrame:
    """Placements per learner in training, per (group, year of study, block, sector).

    ``today``: ``profession_group, block, sector, learners`` and optionally ``year_of_study``
    (today's placement learners; sector None where no sector is known). ``in_training_now``:
    ``profession_group, year_of_study, learners``. Without a year of study in ``today`` the
    pattern holds for every year of study (``year_of_study`` = ``ANY_YEAR``): a group's
    placements per learner, whatever year they are in.
    """
    by_year = "year_of_study" in today.columns
    rows = today.assign(sector=today["sector"].astype(object).where(today["sector"].notna(), None))
    if not by_year:
        rows = rows.assign(year_of_study=ANY_YEAR)
    keys = ["profession_group", "year_of_study"]
    base = in_training_now.groupby(
        ["profession_group", "year_of_study"] if by_year else ["profession_group"]
    )["learners"].sum()
    placed = rows.groupby([*keys, "block", "sector"], as_index=False, dropna=False)[
        "learners"
    ].sum()
    index = (
        pd.MultiIndex.from_frame(placed[keys]) if by_year else pd.Index(placed["profession_group"])
    )
    learners = base.reindex(index).to_numpy(float)
    per = np.divide(
        placed["learners"].to_numpy(float),
        learners,
        out=np.zeros(len(placed)),
        where=np.nan_to_num(learners) > 0,
    )
    return placed.assign(per_learner=per).loc[:, list(PATTERN_COLUMNS)]


def with_policy_target(
    pattern: pd.DataFrame, *, sectors: Collection[str], per_learner: float
) -> pd.DataFrame:
    """The pattern with at least ``per_learner`` placements per learner per year in
    ``sectors`` (e.g. community and care home), for each group and year of study.

    Placements a learner has in a year stay as many: what the target sectors lack is taken
    from the other sectors in proportion (so never more than they have), and given to the
    target sectors in proportion to what they already take (evenly where they take none),
    block by block as the learner's placements fall today.
    """
    out = pattern.copy()
    target = out["sector"].isin(list(sectors))
    for _, rows in out.groupby(["profession_group", "year_of_study"]).groups.items():
        mine = out.loc[rows]
        hit = target.loc[rows]
        total, have = mine["per_learner"].sum(), mine.loc[hit, "per_learner"].sum()
        move = min(per_learner, total) - have
        if move <= 0:
            continue
        others = mine.loc[~hit, "per_learner"]
        out.loc[others.index, "per_learner"] = others * (1 - move / others.sum())
        out = _give(out, mine, hit, move, list(sectors))
    return out.reset_index(drop=True)


def _give(
    out: pd.DataFrame, mine: pd.DataFrame, hit: pd.Series, move: float, sectors: list[str]
) -> pd.DataFrame:
    """Add ``move`` placements per learner to the target sectors of one group's rows."""
    have = mine.loc[hit, "per_learner"]
    if have.sum() > 0:
        out.loc[have.index, "per_learner"] = have * (1 + move / have.sum())
        return out
    # no target-sector placements today: new rows, spread like the group's blocks, evenly
    # over the target sectors
    blocks = mine.groupby("block")["per_learner"].sum()
    first = mine.iloc[0]
    new = [
        {
            "profession_group": first["profession_group"],
            "year_of_study": first["year_of_study"],
            "block": block,
            "sector": sector,
            "per_learner": move * share / blocks.sum() / len(sectors),
        }
        for block, share in blocks.items()
        for sector in sectors
    ]
    return pd.concat([out, pd.DataFrame(new, columns=list(PATTERN_COLUMNS))], ignore_index=True)


def placement_demand(in_training: pd.DataFrame, pattern: pd.DataFrame) -> pd.DataFrame:
    """Placements the learners in training generate per group, year, block and sector.

    ``in_training``: ``profession_group, year_of_study, year, learners`` (the outlook's).
    """
    any_year = pattern[pattern["year_of_study"] == ANY_YEAR]
    by_year = pattern[pattern["year_of_study"] != ANY_YEAR]
    parts = [
        in_training.merge(by_year, on=["profession_group", "year_of_study"]),
        in_training.groupby(["profession_group", "year"], as_index=False)["learners"]
        .sum()
        .merge(any_year.drop(columns="year_of_study"), on="profession_group"),
    ]
    both = pd.concat(parts, ignore_index=True)
    both["placements"] = both["learners"] * both["per_learner"]
    keys = list(DEMAND_COLUMNS[:-1])
    if both.empty:
        return pd.DataFrame(columns=list(DEMAND_COLUMNS))
    summed = both.groupby(keys, as_index=False, dropna=False)["placements"].sum()
    return summed.sort_values(keys, ignore_index=True)


def shortfall(demand: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Demand against places per group, year, block and sector; ``shortfall`` is the
    placements beyond the places (0 where places suffice).

    ``places``: ``profession_group, year, block, sector, places`` (capacity per year, the
    scenario's changes applied). Demand with no sector (any) is set against no sector's
    places: its row shows the demand only.
    """
    keys = list(DEMAND_COLUMNS[:-1])
    offered = places.groupby(keys, as_index=False, dropna=False)["places"].sum()
    table = demand.merge(offered, on=keys, how="outer").fillna({"placements": 0.0, "places": 0.0})
    table["shortfall"] = (table["placements"] - table["places"]).clip(lower=0)
    return table.loc[:, list(SHORTFALL_COLUMNS)].sort_values(keys, ignore_index=True)


def training_now(status: pd.DataFrame) -> pd.DataFrame:
    """Learners in training (active) on the status date by group and year of study, in the
    shape of ``Outlook.in_training`` without the year: today's base of every pattern."""
    active = status[status["status"] == "active"]
    keys = ["profession_group", "year_of_study"]
    counts = active.groupby(keys).size().rename("learners").astype(float)
    return counts.reset_index().sort_values(keys, ignore_index=True)
