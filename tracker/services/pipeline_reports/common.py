"""What every pipeline report shares: the as-of date, the viewer's frames and policy.

Reports are cached by ``tracker.cache.cached_report``: each is a pure function of its
arguments (the policy among them carries the revision of the disclosure rules), what the
viewer may see and the learner data.
"""

from __future__ import annotations

import math
from datetime import date

from sqlmodel import Session

from tracker.access import Principal, sees_exact_figures
from tracker.measures import DisclosurePolicy, disclosure_note
from tracker.measures.controlled import controlled_count, policy_for
from tracker.models import Role
from tracker.queries.pipeline import (
    PipelineFilters,
    PipelineFrames,
    latest_event_date,
    pipeline_frames,
)


def figures_as_of(session: Session) -> date | None:
    """Figures describe the data as of the latest event recorded, never today."""
    return latest_event_date(session)


def viewer_policy(
    principal: Principal, policy: DisclosurePolicy, *, own_figures: bool = True
) -> DisclosurePolicy:
    """The policy for this viewer: exact for administrators, and for an HEI user on its
    own HEI's figures (`own_figures`); the deployment's `policy` for everyone else."""
    owning = principal.hei_id if principal.is_hei and own_figures else None
    return policy_for(exact_viewer=sees_exact_figures(principal, owning), policy=policy)


def viewer_note(principal: Principal, chosen: DisclosurePolicy, policy: DisclosurePolicy) -> str:
    """The disclosure note for this viewer of figures controlled by `chosen` (from the
    deployment's `policy`): for exact figures it names the true reason, which differs for an
    administrator, an HEI user on its own learners and a deployment with control off."""
    if not chosen.exact:
        return disclosure_note(chosen)
    if policy.exact:
        why = "disclosure control is switched off in this deployment"
    elif principal.role is Role.ADMIN:
        why = "you are an administrator, who sees every HEI's figures unrounded"
    else:
        why = "these are your own HEI's learners, which you see unrounded"
    return disclosure_note(chosen, exact_because=why)


def report_inputs(
    session: Session,
    principal: Principal,
    filters: PipelineFilters,
    as_of: date | None,
    policy: DisclosurePolicy,
) -> tuple[date | None, PipelineFrames, DisclosurePolicy]:
    """What a report starts from: its as-of date (the caller's, else the latest event), the
    frames this viewer may read under the filters, and the policy for this viewer."""
    as_of = as_of or figures_as_of(session)
    frames = pipeline_frames(session, principal=principal, filters=filters)
    return as_of, frames, viewer_policy(principal, policy)


def learners_on_record(
    count: int, *, principal: Principal, policy: DisclosurePolicy, own_hei: bool
) -> str:
    """The home page's count of learner records as this viewer may see it: exact for
    administrators and for an HEI user counting its own (`own_hei`), else controlled."""
    chosen = viewer_policy(principal, policy, own_figures=own_hei)
    shown = controlled_count(count, chosen)
    return chosen.small_label if math.isnan(shown) else f"{int(shown):,}"


def has_learners(frames: PipelineFrames) -> bool:
    return not frames.learners.empty and not frames.events.empty


def intake_year(intake: str) -> str:
    """The academic year (September to August) of an intake written 'YYYY-MM'."""
    year, month = int(intake[:4]), int(intake[5:7])
    first = year if month >= 9 else year - 1
    return f"{first}/{(first + 1) % 100:02d}"
