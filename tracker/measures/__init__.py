"""Pipeline and attrition measures: pure pandas, no database, no Dash.

The only place each measure is defined. Pages, exports and tests call these functions;
labels and one-line definitions come from `DEFINITIONS` / `MEASURE_LABELS`. See
docs/measures.md for the definitions in full.
"""

from tracker.measures.attrition import (
    COHORT_COLUMNS,
    COUNT_COLUMNS,
    cohort_measures,
    in_year_attrition,
    withdrawals_by_reason,
    withdrawals_by_year_of_study,
)
from tracker.measures.definitions import (
    ATTRITION_EXPORT_COLUMNS,
    DEFINITIONS,
    EVENT_PRECEDENCE,
    GROUP_COLUMNS,
    MEASURE_LABELS,
    RATE_PARTS,
    STATUSES,
    TOTAL,
    WITHDRAWAL_REASONS,
    Measure,
)
from tracker.measures.disclosure import (
    DEFAULT_POLICY,
    EXACT,
    HESA,
    NHS,
    OFQUAL,
    PRESETS,
    DisclosurePolicy,
    apply_disclosure,
    disclosure_note,
    make_policy,
    secondary_suppression,
)
from tracker.measures.flows import pipeline_flows
from tracker.measures.funnel import LEVELS, funnel_limits, funnel_points
from tracker.measures.headlines import HEADLINE_MEASURES, headline_figures
from tracker.measures.status import academic_year, learner_status, standard_end_date
from tracker.measures.survival import kaplan_meier, retention_curves, time_to_withdrawal

__all__ = [
    "ATTRITION_EXPORT_COLUMNS",
    "COHORT_COLUMNS",
    "COUNT_COLUMNS",
    "DEFAULT_POLICY",
    "DEFINITIONS",
    "EVENT_PRECEDENCE",
    "EXACT",
    "GROUP_COLUMNS",
    "HEADLINE_MEASURES",
    "HESA",
    "LEVELS",
    "MEASURE_LABELS",
    "NHS",
    "OFQUAL",
    "PRESETS",
    "RATE_PARTS",
    "STATUSES",
    "TOTAL",
    "WITHDRAWAL_REASONS",
    "DisclosurePolicy",
    "Measure",
    "academic_year",
    "apply_disclosure",
    "cohort_measures",
    "disclosure_note",
    "funnel_limits",
    "funnel_points",
    "headline_figures",
    "in_year_attrition",
    "kaplan_meier",
    "learner_status",
    "make_policy",
    "pipeline_flows",
    "retention_curves",
    "secondary_suppression",
    "standard_end_date",
    "time_to_withdrawal",
    "withdrawals_by_reason",
    "withdrawals_by_year_of_study",
]
