"""Pipeline and attrition reports: the figures behind each dashboard and the export.

One module per report (``overview``, ``concerns``, ``cohorts``, ``export``). Pages and the
command line call the same function, so a download or an export always carries the figures
the page shows, under the same disclosure rules. Measures come from ``tracker.measures``
(never re-defined here); whether a user sees exact or controlled figures is decided by
``tracker.access.sees_exact_figures``. A report built for someone outside the owning HEI
carries only controlled frames: nothing exact reaches the page to be drawn or sent on.
"""

from tracker.config import disclosure_policy
from tracker.measures.controlled import TABLE_COUNTS, Controlled, control_table, policy_for
from tracker.services.pipeline_reports.cohorts import (
    LEARNER_STATUS_COLUMNS,
    CohortReport,
    cohort_report,
)
from tracker.services.pipeline_reports.common import figures_as_of, learners_on_record
from tracker.services.pipeline_reports.concerns import FUNNEL_UNITS, ConcernsReport, concerns_report
from tracker.services.pipeline_reports.export import EXPORT_BY, ExportTable, attrition_export
from tracker.services.pipeline_reports.overview import (
    RETENTION_INTAKES,
    OverviewReport,
    overview_report,
)

__all__ = [
    "EXPORT_BY",
    "FUNNEL_UNITS",
    "LEARNER_STATUS_COLUMNS",
    "RETENTION_INTAKES",
    "TABLE_COUNTS",
    "CohortReport",
    "ConcernsReport",
    "Controlled",
    "ExportTable",
    "OverviewReport",
    "attrition_export",
    "cohort_report",
    "concerns_report",
    "control_table",
    "disclosure_policy",
    "figures_as_of",
    "learners_on_record",
    "overview_report",
    "policy_for",
]
