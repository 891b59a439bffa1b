"""Checks that figures are controlled values, shared by the report tests and the web walk.

Controlled (HESA default): a learner count is a multiple of the rounding base or hidden; a
rate is a fraction at the shown precision (one decimal place of a percentage: 0.143), the
ratio of shown counts. Anything finer is an exact figure escaping.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from typing import Any

import numpy as np
import pandas as pd

from tracker.measures import HESA, RATE_PARTS

BASE = HESA.rounding_base
SCALE = 10 ** (HESA.rate_decimals + 2)
#: Column name fragments of learner counts in report frames.
COUNT_WORDS = (
    "starters",
    "withdrawn",
    "transferred",
    "interrupted",
    "completed",
    "active",
    "due",
    "employed",
    "at_risk",
    "on_programme",
    "started_in_year",
    "censored",
    "learners",
)
RATE_WORDS = ("rate", "retention", "share", "lower", "upper", "selection", "system", "change")


def is_count_value(value: float) -> bool:
    return math.isnan(value) or abs(value / BASE - round(value / BASE)) < 1e-9


def is_rate_value(value: float) -> bool:
    return math.isnan(value) or abs(value * SCALE - round(value * SCALE)) < 1e-6


def frame_problems(name: str, frame: pd.DataFrame) -> list[str]:
    """Uncontrolled numbers in a report frame, judged by column name."""
    problems = []
    for col in frame.columns:
        text = str(col)
        if text in ("commissioned_places", "months", "n", "year_of_study", "kind"):
            continue
        values = pd.to_numeric(frame[col], errors="coerce")
        if values.isna().all() or frame[col].dtype == bool:
            continue
        is_rate = text in RATE_PARTS or any(w in text for w in RATE_WORDS)
        is_count = not is_rate and any(w in text for w in COUNT_WORDS)
        check = is_rate_value if is_rate else is_count_value if is_count else None
        if check is None:
            continue
        bad = [float(v) for v in values.dropna().astype(float) if not check(float(v))]
        if bad:
            problems.append(f"{name}.{text}: {bad[:3]}")
    return problems


def report_problems(report: Any) -> list[str]:
    """Every uncontrolled number in a report object's frames (and its scalar rates)."""
    problems: list[str] = []
    assert is_dataclass(report)
    for f in fields(report):
        value = getattr(report, f.name)
        if isinstance(value, pd.DataFrame):
            frames: Iterable[tuple[str, pd.DataFrame]] = [(f.name, value)]
        elif is_dataclass(value):
            frames = [
                (f"{f.name}.{g.name}", getattr(value, g.name))
                for g in fields(value)
                if isinstance(getattr(value, g.name), pd.DataFrame)
            ]
        elif isinstance(value, float | np.floating) and "rate" in f.name:
            frames = []
            if not is_rate_value(float(value)):
                problems.append(f"{f.name}: {value}")
        else:
            frames = []
        for name, frame in frames:
            if name.endswith("headlines"):
                frame = _headline_columns(frame)
            problems.extend(frame_problems(name, frame))
    return problems


def _headline_columns(headlines: pd.DataFrame) -> pd.DataFrame:
    """Headline rows as columns named after their measures (value and previous)."""
    out = {}
    for row in headlines.itertuples(index=False):
        if row.measure == "commissioned_places":
            continue
        for col in ("value", "previous", "change"):
            out[f"{row.measure}.{col}"] = [getattr(row, col)]
        if row.kind == "rate" and row.measure != "fill_rate":  # places are published
            out[f"{row.measure}.denominator_starters"] = [row.denominator]
    return pd.DataFrame(out)


def differences(
    first: tuple[float, float, float], second: tuple[float, float, float]
) -> set[tuple[int, int]]:
    """What an attacker can recover by subtracting two shown figures.

    Each figure is (shown withdrawn, shown starters, shown rate). The exact counts behind
    one lie within half a rounding base of the shown counts and agree with the shown
    rate: exactly, if the rate is shown at full precision, else at the shown precision.
    Returns every (withdrawn, starters) difference consistent with both figures.
    """
    return {(w1 - w2, s1 - s2) for w1, s1 in _candidates(*first) for w2, s2 in _candidates(*second)}


def _candidates(withdrawn: float, starters: float, rate: float) -> list[tuple[int, int]]:
    half = BASE // 2
    found = []
    for s in range(max(int(starters) - half, 1), int(starters) + half + 1):
        for w in range(max(int(withdrawn) - half, 0), min(int(withdrawn) + half, s) + 1):
            if abs(w / s - rate) < 1e-12 or (
                is_rate_value(rate) and math.floor(w / s * SCALE + 0.5) == round(rate * SCALE)
            ):
                found.append((w, s))
    return found
