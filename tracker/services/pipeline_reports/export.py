"""``export attrition``: starters and outcomes per group, as a table for a file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlmodel import Session

from tracker.access import Principal
from tracker.measures import (
    ATTRITION_EXPORT_COLUMNS,
    DEFAULT_POLICY,
    DisclosurePolicy,
    cohort_measures,
)
from tracker.measures.controlled import control_table
from tracker.queries.pipeline import PipelineFilters, pipeline_frames
from tracker.services.pipeline_reports.common import (
    figures_as_of,
    has_learners,
    viewer_note,
    viewer_policy,
)

#: Columns `attrition_export` may group by (the issue's export contract).
EXPORT_BY = ("hei", "programme", "profession_group", "intake_year")


@dataclass(frozen=True)
class ExportTable:
    frame: pd.DataFrame
    note: str
    exact: bool


def attrition_export(
    session: Session,
    *,
    principal: Principal,
    by: Sequence[str],
    disclosure_control: bool = False,
    filters: PipelineFilters | None = None,
    as_of: date | None = None,
    policy: DisclosurePolicy = DEFAULT_POLICY,
) -> ExportTable:
    """Starters and outcomes per group with subtotals (rows marked 'All').

    Subtotals are included so that, under disclosure control, the secondary suppression
    that protects them is the same as on the pages. Raises ValueError on an unknown column.
    """
    cols = list(by)
    unknown = [c for c in cols if c not in EXPORT_BY]
    if unknown:
        allowed = ", ".join(EXPORT_BY)
        raise ValueError(f"cannot group by {', '.join(unknown)}; choose from {allowed}")
    if len(set(cols)) != len(cols):
        raise ValueError("a column is repeated in --by")
    as_of = as_of or figures_as_of(session)
    frames = pipeline_frames(session, principal=principal, filters=filters or PipelineFilters())
    chosen = policy if disclosure_control else viewer_policy(principal, policy)
    if as_of is None or not has_learners(frames):
        return ExportTable(
            pd.DataFrame(columns=[*cols, *ATTRITION_EXPORT_COLUMNS]),
            viewer_note(principal, chosen, policy),
            chosen.exact,
        )
    table = cohort_measures(
        frames.learners, frames.events, frames.cohorts, by=cols, as_of=as_of, margins=bool(cols)
    )
    controlled = control_table(table, by=cols, policy=chosen)
    return ExportTable(
        frame=controlled.download([*cols, *ATTRITION_EXPORT_COLUMNS]),
        note=viewer_note(principal, chosen, policy) + f" Figures as of {as_of.isoformat()}.",
        exact=chosen.exact,
    )
