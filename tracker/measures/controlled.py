"""Tables as a viewer may receive them: both faces of one disclosure-controlled table.

A chart needs numbers (NaN where hidden), a table needs display strings ("15", "*", "..");
both come from one call of ``apply_disclosure`` with the same policy, so the same cells are
hidden in each and a download carries what the page shows. Pure pandas, like the rest of
``tracker.measures``: who is an exact viewer is decided by ``tracker.access`` and passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.measures.attrition import COUNT_COLUMNS, IN_YEAR_COUNTS
from tracker.measures.definitions import RATE_PARTS
from tracker.measures.disclosure import DEFAULT_POLICY, EXACT, DisclosurePolicy, apply_disclosure

#: Learner counts a measures table may hold; disclosure control protects every one present
#: (a count left exact in a report would reach the page even if no table shows it).
TABLE_COUNTS = (*COUNT_COLUMNS, *IN_YEAR_COUNTS)
#: Columns `apply_disclosure` adds that are bookkeeping, not figures.
FLAG_COLUMNS = ("suppressed", "disclosure_flags")


@dataclass(frozen=True)
class Controlled:
    """One table as a chart needs it (numbers, NaN where hidden) and as a table shows it."""

    numbers: pd.DataFrame
    text: pd.DataFrame
    counts: tuple[str, ...]
    rates: tuple[str, ...]

    @classmethod
    def empty(cls) -> Controlled:
        return cls(pd.DataFrame(), pd.DataFrame(), (), ())

    def without(self, *columns: str) -> Controlled:
        """The same table without helper columns that only served to compute it."""
        return Controlled(
            self.numbers.drop(columns=list(columns), errors="ignore"),
            self.text.drop(columns=list(columns), errors="ignore"),
            tuple(c for c in self.counts if c not in columns),
            tuple(r for r in self.rates if r not in columns),
        )

    def download(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The table for a file: numbers where shown, the page's marker where hidden.

        Rates are fractions rounded to 4 places, so a spreadsheet can compute with them
        and they agree with the percentages on the page (controlled rates are already
        rounded to the shown precision, which 4 places keeps).
        """
        cols = (
            list(columns)
            if columns is not None
            else [c for c in self.text.columns if c not in FLAG_COLUMNS]
        )
        out = pd.DataFrame(index=self.numbers.index)
        for col in cols:
            if col in self.counts or col in self.rates:
                value = self.numbers[col].astype(float)
                if col in self.rates:
                    value = value.round(4)
                marker = self.text[col].astype(object)
                out[col] = [
                    (int(v) if col in self.counts else float(v)) if not np.isnan(v) else (m or "")
                    for v, m in zip(value, marker, strict=True)
                ]
            elif col == "commissioned_places":
                out[col] = self.numbers[col].astype("Float64").round().astype("Int64")
            else:
                out[col] = self.numbers[col]
        return out


def policy_for(
    *, exact_viewer: bool, policy: DisclosurePolicy = DEFAULT_POLICY
) -> DisclosurePolicy:
    """Exact figures for an exact viewer (``tracker.access.sees_exact_figures``), `policy`
    (the deployment's convention) for everyone else."""
    return EXACT if exact_viewer else policy


def control_table(
    table: pd.DataFrame,
    *,
    by: Sequence[str],
    policy: DisclosurePolicy,
    counts: Sequence[str] = TABLE_COUNTS,
    rates: Mapping[str, tuple[str, str]] | None = None,
) -> Controlled:
    """Both faces of one disclosure-controlled table (the same cells hidden in each)."""
    present = tuple(c for c in counts if c in table.columns)
    rate_map = (
        dict(rates)
        if rates is not None
        else {k: v for k, v in RATE_PARTS.items() if k in table.columns}
    )
    numbers = apply_disclosure(
        table, counts=present, rates=rate_map, by=list(by), policy=policy, as_text=False
    )
    text = apply_disclosure(
        table, counts=present, rates=rate_map, by=list(by), policy=policy, as_text=True
    )
    return Controlled(numbers=numbers, text=text, counts=present, rates=tuple(rate_map))


def controlled_count(value: float, policy: DisclosurePolicy) -> float:
    """One learner count on its own (no table around it) under `policy`: rounded, or NaN
    where it would be a small count (shown as the policy's small label)."""
    shown = apply_disclosure(
        pd.DataFrame({"learners": [float(value)]}),
        counts=["learners"],
        rates={},
        by=[],
        policy=policy,
        as_text=False,
    )
    return float(shown.loc[0, "learners"])
