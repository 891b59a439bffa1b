"""The cohort view: the selected cohorts by intake, against the same for the whole system."""

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
    learner_status,
    retention_curves,
)
from tracker.measures.controlled import Controlled, control_table
from tracker.measures.report_disclosure import control_curves
from tracker.queries.pipeline import PipelineFilters, PipelineFrames, system_frames
from tracker.services.pipeline_reports.common import (
    has_learners,
    report_inputs,
    viewer_note,
    viewer_policy,
)

#: The learner-level status table of the cohort view (exact viewers only), in column order.
LEARNER_STATUS_COLUMNS = (
    "learner_ref",
    "hei",
    "programme",
    "intake",
    "status",
    "status_date",
    "year_of_study",
    "withdrawal_reason",
)
#: Rates the cohort view compares with the system's.
COMPARED_RATES = ("attrition_rate", "non_completion_rate", "fill_rate", "local_retention")


@dataclass(frozen=True)
class CohortReport:
    as_of: date | None
    exact: bool
    note: str
    system_exact: bool
    system_note: str
    by_intake: Controlled
    system_by_intake: Controlled
    comparison: pd.DataFrame
    retention: pd.DataFrame
    learners: pd.DataFrame | None


@cached_report(PIPELINE_DATA)
def cohort_report(
    session: Session,
    *,
    principal: Principal,
    filters: PipelineFilters,
    as_of: date | None = None,
    policy: DisclosurePolicy = DEFAULT_POLICY,
    cache: ReportCache | None = None,
) -> CohortReport:
    """The selected cohorts by intake, against the same measures for the whole system.

    The system comparison drops only the HEI filter (same programme, profession group,
    route and intakes: like with like). For anyone but an administrator it is an
    aggregate under disclosure control, so an HEI user learns nothing about another HEI's
    learners from it: its rates are ratios of rounded counts, so subtracting the HEI's own
    exact figures from them gives no other HEI's exact count. Learner-level statuses are
    listed only for exact viewers.
    """
    as_of, frames, chosen = report_inputs(session, principal, filters, as_of, policy)
    system_policy = viewer_policy(principal, policy, own_figures=False)
    if as_of is None or not has_learners(frames):
        return CohortReport(
            as_of,
            chosen.exact,
            viewer_note(principal, chosen, policy),
            system_policy.exact,
            viewer_note(principal, system_policy, policy),
            Controlled.empty(),
            Controlled.empty(),
            pd.DataFrame(),
            pd.DataFrame(),
            None,
        )
    system = system_frames(session, principal=principal, filters=filters.without("hei"))
    own_status = learner_status(frames.learners, frames.events, as_of=as_of)
    sys_status = learner_status(system.learners, system.events, as_of=as_of)
    by_intake = _by_intake(frames, own_status, as_of, chosen)
    system_by_intake = _by_intake(system, sys_status, as_of, system_policy)
    own_total = by_intake.numbers.loc[by_intake.numbers["intake"] == TOTAL].iloc[0]
    sys_total = system_by_intake.numbers.loc[system_by_intake.numbers["intake"] == TOTAL].iloc[0]
    comparison = pd.DataFrame(
        {
            "measure": list(COMPARED_RATES),
            "selection": [float(own_total[r]) for r in COMPARED_RATES],
            "system": [float(sys_total[r]) for r in COMPARED_RATES],
        }
    )
    curves_own = retention_curves(own_status, as_of=as_of)
    curves_sys = retention_curves(sys_status, as_of=as_of)
    retention = pd.concat(
        [
            control_curves(curves_own, chosen).assign(series="Selection"),
            control_curves(curves_sys, system_policy).assign(series="System"),
        ],
        ignore_index=True,
    )
    return CohortReport(
        as_of=as_of,
        exact=chosen.exact,
        note=viewer_note(principal, chosen, policy),
        system_exact=system_policy.exact,
        system_note=viewer_note(principal, system_policy, policy),
        by_intake=by_intake,
        system_by_intake=system_by_intake,
        comparison=comparison,
        retention=retention,
        learners=_learner_rows(own_status) if chosen.exact else None,
    )


def _by_intake(
    frames: PipelineFrames, status: pd.DataFrame, as_of: date, policy: DisclosurePolicy
) -> Controlled:
    table = cohort_measures(
        frames.learners,
        frames.events,
        frames.cohorts,
        by=["intake"],
        as_of=as_of,
        margins=True,
        status=status,
    )
    return control_table(table, by=["intake"], policy=policy)


def _learner_rows(status: pd.DataFrame) -> pd.DataFrame:
    learners = (
        status.loc[:, list(LEARNER_STATUS_COLUMNS)]
        .sort_values(["intake", "learner_ref"])
        .reset_index(drop=True)
    )
    learners["status_date"] = learners["status_date"].dt.date
    return learners
