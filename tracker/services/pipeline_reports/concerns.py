"""Areas of concern: cohort attrition of every unit against funnel limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlmodel import Session

from tracker.access import Principal
from tracker.cache import PIPELINE_DATA, ReportCache, cached_report
from tracker.measures import (
    DEFAULT_POLICY,
    RATE_PARTS,
    DisclosurePolicy,
    cohort_measures,
    funnel_limits,
    funnel_points,
)
from tracker.measures.controlled import FLAG_COLUMNS, Controlled, control_table
from tracker.measures.report_disclosure import control_funnel
from tracker.queries.pipeline import PipelineFilters
from tracker.services.pipeline_reports.common import (
    has_learners,
    report_inputs,
    viewer_note,
)

#: Ways the funnel plot can cut the system: programme at an HEI, or a single intake of it.
FUNNEL_UNITS: dict[str, tuple[str, ...]] = {
    "programme": ("hei", "programme"),
    "cohort": ("hei", "programme", "intake_year"),
}


@dataclass(frozen=True)
class ConcernsReport:
    as_of: date | None
    exact: bool
    note: str
    unit: tuple[str, ...]
    system_rate: float
    points: pd.DataFrame
    limits: pd.DataFrame
    table: Controlled
    flagged: pd.DataFrame
    hidden_units: int


@cached_report(PIPELINE_DATA)
def concerns_report(
    session: Session,
    *,
    principal: Principal,
    filters: PipelineFilters,
    unit: str = "programme",
    as_of: date | None = None,
    policy: DisclosurePolicy = DEFAULT_POLICY,
    cache: ReportCache | None = None,
) -> ConcernsReport:
    """Cohort attrition of every unit against funnel limits around the system rate.

    Flags are decided on exact figures; a user who sees controlled figures is shown only
    units whose rate may be shown (enough starters), so the plot never reveals a rate the
    tables would hide. `hidden_units` says how many were left out for that reason. For
    such a user every figure of the plot is a controlled one: points at their shown
    starters and rate, the system rate from the shown totals, limits drawn around it.
    """
    if unit not in FUNNEL_UNITS:
        raise ValueError(f"unknown unit {unit!r}; choose from {sorted(FUNNEL_UNITS)}")
    by = list(FUNNEL_UNITS[unit])
    as_of, frames, chosen = report_inputs(session, principal, filters, as_of, policy)
    if as_of is None or not has_learners(frames):
        return ConcernsReport(
            as_of,
            chosen.exact,
            viewer_note(principal, chosen, policy),
            tuple(by),
            np.nan,
            pd.DataFrame(),
            pd.DataFrame(),
            Controlled.empty(),
            pd.DataFrame(),
            0,
        )
    units = cohort_measures(frames.learners, frames.events, frames.cohorts, by=by, as_of=as_of)
    points = funnel_points(units, numerator="withdrawn", denominator="starters")
    # Only what the funnel is about, and no totals: the system figure is shown as a rate
    # only, and every count is rounded, so no hidden unit can be found by subtraction.
    # Other outcomes or subtotals would pull most withdrawals into secondary suppression
    # and empty the plot for the people it is meant for.
    table = units.loc[:, [*by, "starters", "withdrawn", "attrition_rate"]]
    controlled = control_table(
        table, by=by, policy=chosen, rates={"attrition_rate": RATE_PARTS["attrition_rate"]}
    )
    funnel = control_funnel(units, points, controlled.numbers, by=by, policy=chosen)
    limits = funnel_limits(np.arange(1, int(max(funnel.largest, 10) * 1.1) + 2), funnel.system_rate)
    if not chosen.exact:
        limits = funnel.rounded_limits(limits)
    flagged = funnel.points.loc[funnel.points["outside"], [*by, "flag"]].merge(
        controlled.text.drop(columns=list(FLAG_COLUMNS)), on=by, how="left"
    )
    return ConcernsReport(
        as_of=as_of,
        exact=chosen.exact,
        note=viewer_note(principal, chosen, policy),
        unit=tuple(by),
        system_rate=funnel.system_rate,
        points=funnel.points,
        limits=limits,
        table=controlled,
        flagged=flagged.sort_values("flag").reset_index(drop=True),
        hidden_units=funnel.hidden_units,
    )
