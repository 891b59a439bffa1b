"""The quality view: learners' evaluations per setting, organisation or sector, with their
trend over terms and comments, as anyone may see them.

The sums are the pure ``measures.quality``'s; what no viewer ever receives is its job too: a
mean is only shown with at least the deployment's minimum of answers
(``TRACKER_QUALITY_MIN_RESPONSES``, default 5) and protected against differencing, and a
comment only from a setting's term with that many responses. The rule holds for every viewer,
administrators included: it protects the learners who answered, not a body's figures. Only
coordinators and administrators may read it (``access.QUALITY_READERS``). Computed afresh on
each request: a few thousand responses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd
from sqlmodel import Session

from tracker.access import QUALITY_READERS, AccessDenied, Principal, setting_owner_scope
from tracker.cache import QUALITY_DATA, ReportCache, cached_report
from tracker.measures.quality import LEVELS, QualityFigures, quality_figures
from tracker.models.quality import ITEMS
from tracker.queries.quality import evaluation_frame, quality_reviews, setting_names

DEFAULT_MIN_RESPONSES: Final = 5
#: What a level's table is keyed by, in the order pages and downloads show its columns.
KEYS: Final = {
    "setting": ["setting", "setting_name", "organisation", "sector"],
    "organisation": ["organisation"],
    "sector": ["sector"],
    "all": [],
}


def require_quality_reader(principal: Principal) -> None:
    if principal.role not in QUALITY_READERS:
        raise AccessDenied(f"Your role ({principal.role.value}) may not see placement quality.")


def level_columns(level: str) -> list[str]:
    """A level's table columns: its keys, responses, each item's mean and interval."""
    figures = [c for item in ITEMS for c in (item, f"{item}_low", f"{item}_high")]
    return [*KEYS[level], "responses", *figures]


@dataclass(frozen=True)
class QualityReport:
    """One level's table, its trend over terms and the comments that may be shown."""

    level: str
    table: pd.DataFrame
    trend: pd.DataFrame
    comments: pd.DataFrame
    reviews: pd.DataFrame
    min_responses: int

    @property
    def note(self) -> str:
        return (
            f"A mean is shown only where at least {self.min_responses} learners answered the "
            "item, and never where it could be worked out from totals; comments only from a "
            f"setting's term with at least {self.min_responses} responses, in no particular "
            "order. Intervals are 95% t intervals. Learners are never named."
        )

    @property
    def hidden(self) -> int:
        """Rows of the table with no score shown."""
        return int(self.table[list(ITEMS)].isna().all(axis=1).sum()) if len(self.table) else 0

    def rows(self) -> pd.DataFrame:
        """The table for a grid or a file, means and intervals to two decimals."""
        out = self.table.copy()
        for column in out.columns:
            if column not in KEYS[self.level] and column != "responses":
                out[column] = out[column].astype(float).round(2)
        return out


def shown_columns(level: str) -> list[str]:
    """The columns the page's grid shows at a level: keys, responses, one per item."""
    return [*KEYS[level], "responses", *ITEMS]


def shown_rows(table: pd.DataFrame, level: str) -> pd.DataFrame:
    """A level's table as the page's grid reads it: each item's mean with its interval in
    one cell ("4.20 (3.81-4.59)"), "hidden" where too few answered."""
    out = table[[*KEYS[level], "responses"]].copy()
    for item in ITEMS:
        out[item] = [
            HIDDEN if pd.isna(mean) else _with_interval(mean, low, high)
            for mean, low, high in zip(
                table[item], table[f"{item}_low"], table[f"{item}_high"], strict=True
            )
        ]
    return out


HIDDEN: Final = "hidden"


def _with_interval(mean: float, low: float, high: float) -> str:
    if pd.isna(low) or pd.isna(high):
        return f"{mean:.2f}"
    return f"{mean:.2f} ({low:.2f}-{high:.2f})"


@cached_report(QUALITY_DATA)
def quality_report(
    session: Session,
    *,
    principal: Principal,
    level: str = "setting",
    unit: str | None = None,
    min_responses: int = DEFAULT_MIN_RESPONSES,
    cache: ReportCache | None = None,
) -> QualityReport:
    """The quality table at ``level`` (setting, organisation, sector or all), the trend of
    ``unit`` at that level (every unit's when None) and the comments of the chosen unit.

    Cached by the one rule (``QUALITY_DATA``): new evaluations, reviews started or ended
    and renamed settings each make a new data version."""
    require_quality_reader(principal)
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    owner = setting_owner_scope(principal)
    frame = evaluation_frame(session, organisation_id=owner)
    figures = quality_figures(frame, min_responses=min_responses)
    names = setting_names(session)
    table = _named(figures.table(level), names, level)[level_columns(level)]
    trend = figures.table(level, by_term=True)
    comments = _comments(figures, level, unit)
    if unit is not None and level != "all":
        trend = trend[trend[level] == unit]
    return QualityReport(
        level=level,
        table=table.reset_index(drop=True),
        trend=trend.reset_index(drop=True),
        comments=comments.reset_index(drop=True),
        reviews=quality_reviews(session, organisation_id=owner),
        min_responses=min_responses,
    )


def _named(frame: pd.DataFrame, names: dict[str, str], level: str) -> pd.DataFrame:
    if level != "setting":
        return frame
    return frame.assign(setting_name=frame["setting"].map(names).fillna(""))


def _comments(figures: QualityFigures, level: str, unit: str | None) -> pd.DataFrame:
    comments = figures.comments
    if unit is not None and level != "all":
        comments = comments[comments[level] == unit]
    return comments[["setting", "term", "comment"]]
