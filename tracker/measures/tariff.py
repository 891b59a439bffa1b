"""The education and training tariff a plan or the published placements would earn: eligible
placement weeks and expected tariff per provider organisation, sector and financial year.

Pure pandas. A placement is eligible (DOMAIN.md; DHSC's tariff guidance) when it lasts at least
one week, is properly supervised, its setting's educational audit is in date and it is not
shadowing. The caller says which placements are supervised, audited and shadowing (columns
``supervised``, ``audited``, ``shadowing``): what the product can check is the services', and
this module only counts. Weeks are calendar days / 7 per learner (learners are taken to be
full-time on placement); a placement spanning 31 March is split by days into the two financial
years (1 April to 31 March) and each part priced at its own year's rate. A yearly rate is
turned into a weekly one with the weeks its row says a full-time-equivalent placement year
holds (``weeks_per_year``); a programme's own rate wins over its profession group's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd

from tracker.measures.controlled import Controlled, control_table
from tracker.measures.disclosure import DisclosurePolicy

#: Why a placement earns no tariff, in the order they are checked (the first one is given).
REASONS: Final = ("under_a_week", "not_supervised", "audit_not_in_date", "shadowing")
#: The table's figures: learners (a count), eligible and other weeks, and pounds.
FIGURES: Final = ("learners", "eligible_weeks", "ineligible_weeks", "unrated_weeks", "tariff")
#: What the tariff table is grouped by unless a caller asks otherwise.
BY: Final = ("organisation", "sector", "financial_year")
#: Columns the placements frame must carry.
PLACEMENT_COLUMNS: Final = (
    "organisation",
    "sector",
    "profession_group",
    "programme",
    "start_date",
    "end_date",
    "learners",
    "supervised",
    "audited",
)


def year_name(start: int) -> str:
    """A financial year's name from the year its April falls in: 2026 -> "2026/27"."""
    return f"{start}/{(start + 1) % 100:02d}"


def financial_year(day: date) -> str:
    """The financial year (1 April to 31 March) a day falls in: 2027-03-31 -> "2026/27"."""
    return year_name(day.year if day.month >= 4 else day.year - 1)


def weekly_rates(rates: pd.DataFrame) -> pd.DataFrame:
    """Pounds per full-time-equivalent placement week for each rate row: a weekly rate as it
    is, a yearly one divided by the weeks its row says a placement year holds."""
    out = rates.copy()
    yearly = out["unit"].eq("year")
    weeks = pd.to_numeric(out["weeks_per_year"], errors="coerce")
    out["weekly_rate"] = np.where(yearly, out["rate"] / weeks, out["rate"])
    out["programme"] = out["programme"].where(out["programme"].notna(), None)
    return out[["financial_year", "profession_group", "programme", "weekly_rate"]]


def eligibility(placements: pd.DataFrame) -> pd.DataFrame:
    """Each placement with its ``days``, ``weeks`` (per learner), whether it is ``eligible``
    and, when not, the first of :data:`REASONS` that rules it out."""
    out = placements.copy()
    start = pd.to_datetime(out["start_date"])
    end = pd.to_datetime(out["end_date"])
    out["days"] = (end - start).dt.days + 1
    out["weeks"] = out["days"] / 7
    shadowing = out["shadowing"] if "shadowing" in out else pd.Series(False, index=out.index)
    failing = pd.DataFrame(
        {
            "under_a_week": out["weeks"] < 1,
            "not_supervised": ~out["supervised"].astype(bool),
            "audit_not_in_date": ~out["audited"].astype(bool),
            "shadowing": shadowing.astype(bool),
        },
        index=out.index,
    )[list(REASONS)]
    out["eligible"] = ~failing.any(axis=1)
    out["ineligible_reason"] = failing.idxmax(axis=1).where(~out["eligible"], None)
    return out


def year_parts(placements: pd.DataFrame) -> pd.DataFrame:
    """One row per placement and financial year it touches, with the learner weeks in that
    year (days in the year / 7 x learners): a placement across 31 March gives two rows."""
    rows = []
    for index, row in placements.iterrows():
        start, end = pd.Timestamp(row["start_date"]).date(), pd.Timestamp(row["end_date"]).date()
        while start <= end:
            year = financial_year(start)
            last = min(end, date(int(year[:4]) + 1, 3, 31))
            days = (last - start).days + 1
            rows.append({"index": index, "financial_year": year, "days": days})
            start = last + timedelta(days=1)
    parts = pd.DataFrame(rows, columns=["index", "financial_year", "days"])
    joined = parts.join(placements.drop(columns=["days"], errors="ignore"), on="index")
    joined["learner_weeks"] = joined["days"] / 7 * joined["learners"]
    return joined.drop(columns=["index"])


def _priced(parts: pd.DataFrame, rates: pd.DataFrame) -> pd.Series:
    """Each part's weekly rate: the programme's own for its year, else its group's, else NaN."""
    weekly = weekly_rates(rates)
    own = weekly.dropna(subset=["programme"]).set_index(["financial_year", "programme"])
    group = weekly[weekly["programme"].isna()].set_index(["financial_year", "profession_group"])
    by_programme = pd.MultiIndex.from_arrays([parts["financial_year"], parts["programme"]])
    by_group = pd.MultiIndex.from_arrays([parts["financial_year"], parts["profession_group"]])
    # as floats: an empty rates table gives object columns, which np.isnan refuses
    first = own["weekly_rate"].reindex(by_programme).to_numpy(dtype=float)
    second = group["weekly_rate"].reindex(by_group).to_numpy(dtype=float)
    return pd.Series(np.where(np.isnan(first), second, first), index=parts.index)


def expected_tariff(
    placements: pd.DataFrame, rates: pd.DataFrame, *, by: Sequence[str] = BY
) -> pd.DataFrame:
    """Eligible placement weeks and expected tariff (pounds) per ``by`` (organisation, sector
    and financial year unless asked otherwise).

    ``learners`` counts the learners of the placements touching a cell (a placement across
    31 March counts in both years); ``ineligible_weeks`` are weeks of placements that earn
    nothing; ``unrated_weeks`` are eligible weeks whose year and group have no rate, so earn
    nothing here although they may be paid (the table lacks the rate).
    """
    columns = [*by, *FIGURES]
    if placements.empty:
        return pd.DataFrame(columns=columns)
    parts = year_parts(eligibility(placements))
    rate = _priced(parts, rates)
    eligible = parts["eligible"]
    weeks = parts["learner_weeks"]
    parts["eligible_weeks"] = weeks.where(eligible, 0.0)
    parts["ineligible_weeks"] = weeks.where(~eligible, 0.0)
    parts["unrated_weeks"] = weeks.where(eligible & rate.isna(), 0.0)
    parts["tariff"] = (weeks * rate).where(eligible & rate.notna(), 0.0)
    table = parts.groupby(list(by), as_index=False, dropna=False)[list(FIGURES)].sum()
    return table[columns].sort_values(list(by)).reset_index(drop=True)


def control_tariff(
    table: pd.DataFrame, *, policy: DisclosurePolicy, by: Sequence[str] = BY
) -> Controlled:
    """The tariff table as a viewer outside the owning HEI may see it.

    Learners are a count under ``policy`` (rounded, small counts hidden). A cell's exact weeks
    and pounds would give its exact learner count away beside the rounded one (weeks x 7 / the
    block's days), so they are never shown as they are: each is the shown learner count times
    the cell's weeks per learner in whole weeks, and pounds are those weeks at the cell's rate
    per week in whole pounds. Whole weeks per learner say nothing of how many learners there
    are; where the learner count is hidden, weeks and pounds are hidden too, with the policy's
    secondary marker. For exact viewers nothing changes.
    """
    controlled = control_table(table, by=list(by), policy=policy, counts=("learners",), rates={})
    if policy.exact:
        return controlled
    numbers, text = controlled.numbers.copy(), controlled.text.copy()
    exact = table.set_index(list(by)).reindex(pd.MultiIndex.from_frame(numbers[list(by)]))
    learners = exact["learners"].astype(float).to_numpy()
    shown = numbers["learners"].astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        for column in FIGURES[1:-1]:
            per_learner = np.round(exact[column].astype(float).to_numpy() / learners)
            numbers[column] = shown * per_learner
        rated = exact["eligible_weeks"].astype(float) - exact["unrated_weeks"].astype(float)
        per_week = np.round(np.where(rated > 0, exact["tariff"].astype(float) / rated, 0.0))
        rated_shown = numbers["eligible_weeks"] - numbers["unrated_weeks"]
        numbers["tariff"] = rated_shown.to_numpy() * per_week
    hidden = numbers["learners"].isna()
    for column in FIGURES[1:]:
        numbers[column] = numbers[column].astype(float).where(~hidden, np.nan)
        text[column] = np.where(hidden, policy.secondary_label, numbers[column].round(2))
    return Controlled(numbers=numbers, text=text, counts=("learners",), rates=())
