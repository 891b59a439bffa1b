"""The system overview: headlines, recruitment, flows, trends, reasons and retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlmodel import Session

from tracker.access import Principal
from tracker.cache import PIPELINE_DATA, ReportCache, cached_report
from tracker.measures import (
    DEFAULT_POLICY,
    TOTAL,
    DisclosurePolicy,
    cohort_measures,
    headline_figures,
    in_year_attrition,
    learner_status,
    pipeline_flows,
    retention_curves,
    withdrawals_by_reason,
)
from tracker.measures.controlled import Controlled, control_table
from tracker.measures.report_disclosure import control_curves, control_flows, control_headlines
from tracker.queries.pipeline import PipelineFilters
from tracker.services.pipeline_reports.common import (
    has_learners,
    intake_year,
    report_inputs,
    viewer_note,
)

#: How many recent intakes get a retention curve of their own (more is unreadable).
RETENTION_INTAKES = 5


@dataclass(frozen=True)
class OverviewReport:
    as_of: date | None
    exact: bool
    note: str
    headlines: pd.DataFrame
    by_intake: Controlled
    flows: pd.DataFrame
    in_year: Controlled
    reasons: Controlled
    retention: pd.DataFrame


@cached_report(PIPELINE_DATA)
def overview_report(
    session: Session,
    *,
    principal: Principal,
    filters: PipelineFilters,
    as_of: date | None = None,
    policy: DisclosurePolicy = DEFAULT_POLICY,
    cache: ReportCache | None = None,
) -> OverviewReport:
    """Headlines, recruitment, flows, trends, reasons and retention for the selection."""
    as_of, frames, chosen = report_inputs(session, principal, filters, as_of, policy)
    if as_of is None or not has_learners(frames):
        empty = Controlled.empty()
        return OverviewReport(
            as_of,
            chosen.exact,
            viewer_note(principal, chosen, policy),
            pd.DataFrame(),
            empty,
            pd.DataFrame(),
            empty,
            empty,
            pd.DataFrame(),
        )
    learners, events, cohorts = frames.learners, frames.events, frames.cohorts
    # The event log is replayed once for every measure of the report (the slow part).
    status = learner_status(learners, events, as_of=as_of)
    headlines = control_headlines(
        headline_figures(learners, events, cohorts, as_of=as_of, status=status), chosen
    )
    by_intake = control_table(
        cohort_measures(
            learners, events, cohorts, by=["intake_year"], as_of=as_of, margins=True, status=status
        ),
        by=["intake_year"],
        policy=chosen,
    )
    flows = control_flows(pipeline_flows(status), chosen)
    in_year = control_table(
        in_year_attrition(learners, events, as_of=as_of, status=status), by=[], policy=chosen
    )
    reasons = _reasons(status, policy=chosen)
    recent_years = sorted({intake_year(i) for i in learners["intake"].unique()})
    shown = learners["intake"].map(intake_year).isin(recent_years[-RETENTION_INTAKES:])
    curves = retention_curves(
        status.loc[shown.to_numpy()].reset_index(drop=True),  # one row per learner
        as_of=as_of,
        by=["intake_year"],
    )
    return OverviewReport(
        as_of=as_of,
        exact=chosen.exact,
        note=viewer_note(principal, chosen, policy),
        headlines=headlines,
        by_intake=by_intake,
        flows=flows,
        in_year=in_year,
        reasons=reasons,
        retention=control_curves(curves, chosen),
    )


def _reasons(status: pd.DataFrame, *, policy: DisclosurePolicy) -> Controlled:
    """Withdrawals by reason with a total row, so the reasons are protected against it.

    Each share is of all withdrawals (a helper column, dropped once the shares are
    computed: under control they are ratios of shown counts, and the helper is not)."""
    table = withdrawals_by_reason(status)
    total = int(table["withdrawn"].sum())
    table = pd.concat(
        [table, pd.DataFrame({"reason": [TOTAL], "withdrawn": [total], "share": [1.0]})],
        ignore_index=True,
    )
    table["all_withdrawn"] = total
    return control_table(
        table,
        by=["reason"],
        policy=policy,
        counts=("withdrawn",),
        rates={"share": ("withdrawn", "all_withdrawn")},
    ).without("all_withdrawn")
