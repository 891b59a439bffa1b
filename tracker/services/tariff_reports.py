"""The expected education and training tariff of a plan or of the published placements, as
the viewer may see it: the figure that shows primary care and care homes what hosting learners
brings them.

The placements and their eligibility checks are ``queries.tariff``'s, the sums the pure
``measures.tariff``'s. Administrators, and HEI users on their own HEI's placements (the only
ones they receive), see exact figures; everyone else sees each cell's learner count under the
deployment's disclosure policy, with its weeks and pounds derived from that count and hidden
wherever it is (``measures.tariff.control_tariff``). Computed afresh on each request: the
table is a few rows per organisation, summed from a few thousand placements.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlmodel import Session

from tracker.access import Principal
from tracker.measures.controlled import Controlled
from tracker.measures.disclosure import DEFAULT_POLICY, DisclosurePolicy
from tracker.measures.tariff import BY, FIGURES, control_tariff, expected_tariff
from tracker.queries.tariff import plan_placements, published_placements, tariff_rates
from tracker.services.pipeline_reports.common import viewer_note, viewer_policy

#: The table's columns, in the order pages and downloads show them.
TARIFF_COLUMNS = [*BY, *FIGURES]


@dataclass(frozen=True)
class TariffReport:
    """The tariff table as this viewer may see it, its totals and what they mean."""

    table: Controlled
    #: Eligible weeks and pounds over the cells shown (every cell for exact viewers).
    eligible_weeks: float
    tariff: float
    exact: bool
    note: str

    def rows(self) -> pd.DataFrame:
        """The table for a grid or a file: numbers where shown, the policy's marker where a
        figure is hidden (weeks to one decimal place, pounds to the penny)."""
        numbers, text = self.table.numbers, self.table.text
        out = pd.DataFrame({column: numbers[column] for column in BY}, index=numbers.index)
        for column in FIGURES:
            value = numbers[column].astype(float)
            shown = value.round(0 if column == "learners" else 1 if "weeks" in column else 2)
            out[column] = [
                (int(v) if column == "learners" else float(v)) if not np.isnan(v) else m
                for v, m in zip(shown, text[column], strict=True)
            ]
        return out[TARIFF_COLUMNS].reset_index(drop=True)


def tariff_report(
    session: Session,
    *,
    principal: Principal,
    run_id: int | None = None,
    policy: DisclosurePolicy = DEFAULT_POLICY,
) -> TariffReport:
    """Eligible weeks and expected tariff per organisation, sector and financial year: of one
    allocation run's plan (``run_id``, staff only) or of the published placements (an HEI user
    receives its own HEI's only)."""
    if run_id is None:
        placements = published_placements(session, principal=principal)
    else:
        placements = plan_placements(session, principal=principal, run_id=run_id)
    table = expected_tariff(placements, tariff_rates(session))
    chosen = viewer_policy(principal, policy)
    controlled = control_tariff(table, policy=chosen)
    weeks = float(np.nansum(controlled.numbers["eligible_weeks"].astype(float)))
    pounds = float(np.nansum(controlled.numbers["tariff"].astype(float)))
    note = viewer_note(principal, chosen, policy)
    if not chosen.exact:
        note += (
            " Weeks and pounds are estimated from the rounded learner count (whole weeks per "
            "learner); where a cell's count is hidden they are hidden too "
            f"('{chosen.secondary_label}'); the totals add the figures shown."
        )
    return TariffReport(controlled, weeks, pounds, chosen.exact, note)
