"""How many learners are behind on practice hours, by programme and HEI, as this viewer may
see it: the collaborative's and coordinators' aggregate view.

Counts of learners go through the same disclosure control as every pipeline report
(``measures.controlled.control_table``: rounding, small counts hidden, secondary suppression
across the programme and HEI totals, the share behind computed from the shown counts);
administrators see exact figures. No learner-level row leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from tracker.access import HOURS_AGGREGATE_READERS, Principal, require_role
from tracker.cache import HOURS_DATA, ReportCache, cached_report
from tracker.measures import DEFAULT_POLICY, DisclosurePolicy
from tracker.measures.controlled import Controlled, control_table
from tracker.measures.hours import behind_table
from tracker.queries.hours import progress_frames
from tracker.services.pipeline_reports.common import viewer_note, viewer_policy

BEHIND_BY = ("programme", "hei")
BEHIND_COUNTS = ("learners", "behind")
BEHIND_RATES = {"behind_share": ("behind", "learners")}


@dataclass(frozen=True)
class HoursBehindReport:
    """Learners behind by programme and HEI (with totals) and the note on how it is shown."""

    table: Controlled
    note: str
    exact: bool
    as_of: date


@cached_report(HOURS_DATA)
def hours_behind_report(
    session: Session,
    *,
    principal: Principal,
    today: date,
    policy: DisclosurePolicy = DEFAULT_POLICY,
    cache: ReportCache | None = None,
) -> HoursBehindReport:
    """Learners in training on ``today`` with a practice requirement, and how many of them are
    behind by more than their programme's margin, by programme and HEI.

    Cached by the one rule (``HOURS_DATA``): the measures read every learner's hours, while
    hours change only on an import or an edit."""
    require_role(principal, HOURS_AGGREGATE_READERS, "see learners behind on practice hours")
    learners, progress, _ = progress_frames(session, principal=None, today=today)
    with_hei = progress.merge(learners[["learner_id", "hei"]], on="learner_id")
    chosen = viewer_policy(principal, policy, own_figures=False)
    table = control_table(
        behind_table(with_hei),
        by=BEHIND_BY,
        policy=chosen,
        counts=BEHIND_COUNTS,
        rates=BEHIND_RATES,
    )
    return HoursBehindReport(
        table=table,
        note=viewer_note(principal, chosen, policy),
        exact=chosen.exact,
        as_of=today,
    )
