"""Funnel plots: is a unit's attrition rate unusual given how few learners it has?

A cohort of 12 with 4 withdrawals (33%) is not evidence of a problem when the system rate
is 15%; ranking units by raw rate over-reads small cohorts. Control limits around the
system rate, widening as cohorts get smaller, show which differences chance explains.

Limits are exact binomial with the interpolation of Spiegelhalter (2005, "Funnel plots for
comparing institutional performance", Statistics in Medicine 24:1185-1202), as used by the
public health observatories. Exact rather than normal because most cohorts here are small
(often under 40) and rates are far from 50%, where the normal approximation is too narrow
below and can fall under zero; interpolation makes the limits smooth in cohort size
instead of stepped. `method="normal"` is offered for comparison with other publications.
No adjustment for over-dispersion is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import binom, norm

Method = Literal["exact", "normal"]
#: Two-sided coverage of the inner (about 2 SD) and outer (about 3 SD) limits.
LEVELS: tuple[float, float] = (0.95, 0.998)


def level_name(level: float) -> str:
    """Column suffix for a coverage level: 0.95 -> '95', 0.998 -> '99_8'."""
    return f"{level * 100:g}".replace(".", "_")


def binomial_limits(n: np.ndarray, p0: float, quantile: float) -> np.ndarray:
    """Interpolated exact binomial `quantile` of a proportion out of each `n` (Spiegelhalter).

    r is the `quantile` point of Binomial(n, p0); the limit is (r - alpha) / n with
    alpha = (P(R <= r) - quantile) / (P(R <= r) - P(R <= r - 1)). Whole arrays at once:
    a funnel needs limits for every size up to the largest unit (thousands of them).
    """
    sizes = np.asarray(n, dtype=float)
    valid = sizes > 0
    safe = np.where(valid, sizes, 1.0)
    r = binom.ppf(quantile, safe, p0)
    upper_cdf = binom.cdf(r, safe, p0)
    lower_cdf = binom.cdf(r - 1, safe, p0)
    step = upper_cdf - lower_cdf
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(step > 0, (upper_cdf - quantile) / np.where(step > 0, step, 1.0), 0.0)
    limits = np.clip((r - alpha) / safe, 0.0, 1.0)
    return np.where(valid, limits, np.nan)


def binomial_limit(n: int, p0: float, quantile: float) -> float:
    """One size's limit (see `binomial_limits`)."""
    return float(binomial_limits(np.array([n]), p0, quantile)[0])


def funnel_limits(
    sizes: Sequence[int] | np.ndarray | pd.Series,
    p0: float,
    *,
    levels: Sequence[float] = LEVELS,
    method: Method = "exact",
) -> pd.DataFrame:
    """Control limits around the system rate `p0` for each cohort size.

    Returns n, target, and lower_<level>/upper_<level> for each level (e.g. lower_95,
    upper_99_8). Use sizes 1..max(n) to draw the funnel lines.
    """
    n = np.asarray(sizes, dtype=int)
    out = pd.DataFrame({"n": n, "target": float(p0)})
    for level in levels:
        tail = (1 - level) / 2
        name = level_name(level)
        if method == "exact":
            lo = list(binomial_limits(n, p0, tail))
            hi = list(binomial_limits(n, p0, 1 - tail))
        elif method == "normal":
            z = float(norm.ppf(1 - tail))
            with np.errstate(divide="ignore", invalid="ignore"):
                se = np.sqrt(p0 * (1 - p0) / n.astype(float))
            lo = list(np.clip(p0 - z * se, 0, 1))
            hi = list(np.clip(p0 + z * se, 0, 1))
        else:
            raise ValueError(f"unknown method {method!r}")
        out[f"lower_{name}"] = lo
        out[f"upper_{name}"] = hi
    return out


def funnel_points(
    table: pd.DataFrame,
    *,
    numerator: str = "withdrawn",
    denominator: str = "starters",
    levels: Sequence[float] = LEVELS,
    method: Method = "exact",
    p0: float | None = None,
) -> pd.DataFrame:
    """Each unit's rate against limits around the system rate, flagged if outside.

    `table` holds one row per unit (e.g. `cohort_measures(..., by=["hei", "programme"])`
    without margins). The system rate defaults to sum(numerator) / sum(denominator) over
    the units given. Units with an empty denominator are dropped.
    Returns the table's columns plus rate, target, the limit columns, and `flag`:
    'above <outer>', 'above <inner>', 'within', 'below <inner>', 'below <outer>'
    (e.g. 'above 99.8%'); `outside` is True when beyond the inner limits.
    """
    units = table.loc[table[denominator] > 0].reset_index(drop=True).copy()
    if p0 is None:
        total = float(units[denominator].sum())
        p0 = float(units[numerator].sum()) / total if total else np.nan
    rate = units[numerator].astype(float) / units[denominator].astype(float)
    limits = funnel_limits(units[denominator].astype(int), p0, levels=levels, method=method)
    units["rate"] = rate
    for col in limits.columns.drop("n"):
        units[col] = limits[col].to_numpy()
    flag = pd.Series("within", index=units.index)
    for level in sorted(levels):  # widest last, so it wins
        name = level_name(level)
        label = f"{level * 100:g}%"
        flag = flag.mask(rate > units[f"upper_{name}"], f"above {label}")
        flag = flag.mask(rate < units[f"lower_{name}"], f"below {label}")
    units["flag"] = flag
    units["outside"] = flag != "within"
    return units
