"""Placement quality from learners' evaluations: response counts, mean scores with intervals,
trend over terms and comments, per setting, provider organisation and sector.

Pure pandas. No learner may be identifiable: a cell's mean of an item is shown only when at
least ``min_responses`` learners answered that item there, and comments only in a setting's
term with at least ``min_responses`` responses. Every table the product shows (settings,
organisations, sectors, everything, each by term) is computed here at once, and a shown
total never lets a hidden cell be recovered by subtraction: wherever a total's hidden parts
hold between 1 and ``min_responses - 1`` answers, the smallest shown part is hidden too, until
none does (complementary suppression, iterated over every total and its parts).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd
from scipy import stats

from tracker.models.quality import ITEMS

#: What a table can be shown by: each setting has one organisation and one sector.
LEVELS: Final = ("setting", "organisation", "sector", "all")
#: Columns the evaluations frame carries (items may be empty where a learner skipped them).
EVALUATION_COLUMNS: Final = ("setting", "organisation", "sector", "submitted_on", *ITEMS)
#: The academic year's terms by the month a response was submitted.
TERMS: Final = (("autumn", (9, 10, 11, 12)), ("spring", (1, 2, 3, 4)), ("summer", (5, 6, 7, 8)))
CONFIDENCE: Final = 0.95
_KEYS: Final = {"setting": ("setting",), "organisation": ("organisation",), "sector": ("sector",)}
_KEYS_ALL: Final[dict[str, tuple[str, ...]]] = {**_KEYS, "all": ()}
#: What a setting determines: a grouping by setting nests in one by its organisation or sector.
_NESTS: Final = {"setting": {"setting", "organisation", "sector"}}


def term_of(day: date) -> str:
    """The academic term a day falls in: 2025-10-03 -> "2025/26 autumn" (autumn September to
    December, spring January to April, summer May to August)."""
    start = day.year if day.month >= 9 else day.year - 1
    name = next(term for term, months in TERMS if day.month in months)
    return f"{start}/{(start + 1) % 100:02d} {name}"


def mean_interval(scores: pd.Series, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean and Student's t interval of the answered scores (NaN when none; the mean alone,
    interval NaN, from one answer). Scores are 1-5 ordinal; the t interval is a reading aid
    for means of several responses, not a test."""
    x = pd.to_numeric(scores, errors="coerce").dropna().to_numpy(dtype=float)
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n == 1:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * float(x.std(ddof=1)) / math.sqrt(n)
    return mean, max(1.0, mean - half), min(5.0, mean + half)


@dataclass(frozen=True)
class QualityFigures:
    """Every cell of every quality table, scores hidden (NaN) where they must be.

    ``cells``: ``level``, ``by_term``, ``setting``, ``organisation``, ``sector``, ``term`` (the
    keys the level does not group by are empty), ``responses``, then per item ``<item>``,
    ``<item>_low``, ``<item>_high`` and ``<item>_answers`` (NaN where hidden). ``comments``:
    setting, organisation, sector, term, comment for settings' terms that may show them.
    """

    cells: pd.DataFrame
    comments: pd.DataFrame
    min_responses: int

    def table(self, level: str, *, by_term: bool = False) -> pd.DataFrame:
        """One level's rows (by term for the trend), with only its own key columns."""
        keys = [*_KEYS_ALL[level], *(("term",) if by_term else ())]
        if level == "setting":  # a setting's organisation and sector say where it is
            keys[1:1] = ["organisation", "sector"]
        rows = self.cells[(self.cells["level"] == level) & (self.cells["by_term"] == by_term)]
        figures = [c for c in self.cells.columns if c not in (*_ALL_KEYS, "level", "by_term")]
        return rows[keys + figures].reset_index(drop=True)


_ALL_KEYS: Final = ("setting", "organisation", "sector", "term")


def _groupings() -> list[tuple[str, bool]]:
    return [(level, by_term) for level in LEVELS for by_term in (False, True)]


def _intervals(count: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> tuple[Any, Any]:
    """``mean_interval``'s bounds for many groups at once (NaN below two answers)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        dof = np.where(count > 1, count - 1, np.nan)
        half = stats.t.ppf(0.5 + CONFIDENCE / 2, dof) * sd / np.sqrt(count)
    return np.maximum(1.0, mean - half), np.minimum(5.0, mean + half)


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Every grouping's exact figures (means, intervals, answers per item)."""
    parts = []
    for level, by_term in _groupings():
        keys = [*_KEYS_ALL[level], *(("term",) if by_term else ())]
        grouped = frame.assign(_all="").groupby(keys or ["_all"], sort=True)
        out = grouped.size().rename("responses").reset_index().drop(columns="_all", errors="ignore")
        if level == "setting":
            where = grouped[["organisation", "sector"]].first().reset_index(drop=True)
            out[["organisation", "sector"]] = where.to_numpy()
        for item in ITEMS:
            count = grouped[item].count().to_numpy(dtype=float)
            mean = grouped[item].mean().to_numpy(dtype=float)
            sd = grouped[item].std(ddof=1).to_numpy(dtype=float)
            low, high = _intervals(count, mean, sd)
            out[item], out[f"{item}_low"], out[f"{item}_high"] = mean, low, high
            out[f"{item}_answers"] = count
        for key in _ALL_KEYS:
            if key not in out.columns:
                out[key] = ""
        parts.append(out.assign(level=level, by_term=by_term))
    return pd.concat(parts, ignore_index=True)


def _nested(child: tuple[str, bool], parent: tuple[str, bool]) -> bool:
    """Whether the child grouping's cells partition each of the parent's cells."""
    (c_level, c_term), (p_level, p_term) = child, parent
    if child == parent or (p_term and not c_term):
        return False
    determined = _NESTS.get(c_level, {c_level}) if c_level != "all" else set()
    return p_level == "all" or p_level in determined


@dataclass(frozen=True)
class _Structure:
    """Which cells are each grouping's, and each cell's key in every grouping (as integers)."""

    rows: dict[tuple[str, bool], np.ndarray]
    codes: dict[tuple[str, bool], np.ndarray]
    pairs: list[tuple[tuple[str, bool], tuple[str, bool]]]


def _structure(cells: pd.DataFrame) -> _Structure:
    groupings = _groupings()
    rows, codes = {}, {}
    for g in groupings:
        level, by_term = g
        rows[g] = np.flatnonzero(
            ((cells["level"] == level) & (cells["by_term"] == by_term)).to_numpy()
        )
        keys = [*_KEYS_ALL[level], *(("term",) if by_term else ())]
        text = pd.Series("", index=cells.index)
        for key in keys:
            text = text + "|" + cells[key].astype(str)
        codes[g] = pd.factorize(text)[0]
    pairs = [(c, p) for c in groupings for p in groupings if _nested(c, p)]
    return _Structure(rows, codes, pairs)


def _protect(at: _Structure, n: np.ndarray, shown: np.ndarray, least: int) -> np.ndarray:
    """Hide parts until no shown total has hidden parts holding 1 to ``least - 1`` answers
    (the smallest shown part of such a total is hidden, and the totals checked again)."""
    shown = shown.copy()
    changed = True
    while changed:
        changed = False
        for child, parent in at.pairs:
            kids = at.rows[child]
            if not len(kids):
                continue
            key = at.codes[parent][kids]
            size = int(at.codes[parent].max()) + 1
            total_of = np.full(size, -1)
            total_of[at.codes[parent][at.rows[parent]]] = at.rows[parent]
            hidden = np.bincount(key, weights=n[kids] * ~shown[kids], minlength=size)
            for k in np.flatnonzero((hidden > 0) & (hidden < least)):
                total = total_of[k]
                if total < 0 or not shown[total]:
                    continue
                mine = kids[(key == k) & shown[kids]]
                shown[mine[np.argmin(n[mine])] if len(mine) else total] = False
                changed = True
    return shown


def quality_figures(
    evaluations: pd.DataFrame, *, min_responses: int, comments: pd.DataFrame | None = None
) -> QualityFigures:
    """The quality tables of ``evaluations`` (``EVALUATION_COLUMNS``, ``comment`` optional)
    with every score a learner could be recognised by hidden."""
    if min_responses < 2:
        raise ValueError("min_responses must be at least 2: one response is one learner")
    frame = evaluations.copy()
    frame["term"] = [term_of(pd.Timestamp(d).date()) for d in frame["submitted_on"]]
    if frame.empty:
        return QualityFigures(_cells(frame).iloc[0:0], _no_comments(), min_responses)
    cells = _cells(frame)
    at = _structure(cells)
    for item in ITEMS:
        answers = f"{item}_answers"
        n = cells[answers].to_numpy(dtype=float)
        shown = _protect(at, n, n >= min_responses, min_responses)
        for column in (item, f"{item}_low", f"{item}_high", answers):
            cells[column] = cells[column].where(shown)
    return QualityFigures(cells, _comments(frame, min_responses), min_responses)


def _no_comments() -> pd.DataFrame:
    return pd.DataFrame(columns=["setting", "organisation", "sector", "term", "comment"])


def _comments(frame: pd.DataFrame, least: int) -> pd.DataFrame:
    """Comments of settings' terms with at least ``least`` responses, in the order of their
    text (never of submission: the order must not say who wrote which)."""
    if "comment" not in frame.columns:
        return _no_comments()
    sizes = frame.groupby(["setting", "term"])["setting"].transform("size")
    text = frame["comment"].astype("string").str.strip()
    keep = frame[(sizes >= least) & text.notna() & (text != "")]
    out = keep.assign(comment=text[keep.index])[list(_no_comments().columns)]
    return out.sort_values(["setting", "term", "comment"]).reset_index(drop=True)


def shown_items(table: pd.DataFrame) -> Sequence[str]:
    """The items with a shown mean somewhere in a table (for charts)."""
    return [item for item in ITEMS if item in table.columns and table[item].notna().any()]
