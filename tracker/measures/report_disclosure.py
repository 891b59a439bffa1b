"""Disclosure control for the dashboard shapes that are not grouped count tables.

``apply_disclosure`` protects tables of counts with margins. Dashboards also show headline
cards, Sankey flows and retention curves; these helpers apply the same ``DisclosurePolicy``
to them, reusing its rounding and secondary suppression, so one policy governs every view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from tracker.measures.disclosure import (
    PUBLIC_COUNTS,
    DisclosurePolicy,
    apply_disclosure,
    round_counts,
    round_rate,
    secondary_suppression,
)
from tracker.measures.survival import CURVE_COLUMNS, loglog_limits

#: Headline rate -> (numerator, denominator) measure names of `headline_figures` rows. Rates
#: whose numerator is not a headline row are protected through their denominator only.
HEADLINE_RATE_PARTS: dict[str, tuple[str, str]] = {
    "fill_rate": ("starters", "commissioned_places"),
    "in_year_attrition_rate": ("withdrawn_in_year", "at_risk"),
    "attrition_rate": ("due_withdrawn", "due_starters"),
    "non_completion_rate": ("not_completed_on_time", "due"),
    "local_retention": ("employed_local", "completed_in_year"),
}


def control_headlines(headlines: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    """`headline_figures` output with value, previous, their denominators and change under
    `policy`.

    Counts are rounded (small ones set to NaN, i.e. not shown). A rate is the ratio of its
    shown numerator and denominator at the shown precision, hidden where its denominator
    is under the threshold or either part is hidden, as in `apply_disclosure`; its parts
    are the headline counts where the cards show them ("of whom withdrawn" beside the
    attrition rate), so the cards agree with each other. The change is recomputed from the
    shown values so it never reveals more than they do. Adds `value_hidden` /
    `previous_hidden`.
    """
    out = headlines.copy()
    if policy.exact:
        out["value_hidden"] = out["value"].isna()
        out["previous_hidden"] = out["previous"].isna()
        return out
    for value_col, den_col in (("value", "denominator"), ("previous", "previous_denominator")):
        frame, rates, dens = _headline_frame(out, value_col, den_col)
        counts = [c for c in frame.columns if c not in rates and c not in PUBLIC_COUNTS]
        shown = apply_disclosure(
            frame, counts=counts, rates=rates, by=[], policy=policy, as_text=False
        )
        out[value_col] = [float(shown.loc[0, m]) for m in out["measure"]]
        out[den_col] = [
            float(shown.loc[0, dens[m]]) if m in dens else np.nan for m in out["measure"]
        ]
        out[f"{value_col}_hidden"] = out[value_col].isna()
    change = out["value"] - out["previous"]
    is_rate = (out["kind"] == "rate").to_numpy()
    out["change"] = np.where(is_rate, round_rate(change.to_numpy(), policy.rate_decimals), change)
    return out


def _headline_frame(
    headlines: pd.DataFrame, value_col: str, den_col: str
) -> tuple[pd.DataFrame, dict[str, tuple[str, str]], dict[str, str]]:
    """One wide row: every headline and, for rates, their parts (headline counts where
    there is one; otherwise the part recovered from the rate and its denominator)."""
    measures = set(headlines["measure"])
    wide: dict[str, list[float]] = {}
    rates: dict[str, tuple[str, str]] = {}
    dens: dict[str, str] = {}
    for row in headlines.itertuples(index=False):
        value = float(getattr(row, value_col))
        wide[row.measure] = [value]
        if row.kind != "rate":
            continue
        den = float(getattr(row, den_col)) if pd.notna(getattr(row, den_col)) else np.nan
        num_name, den_name = HEADLINE_RATE_PARTS.get(row.measure, ("", ""))
        if num_name not in measures:
            num_name = f"numerator_{row.measure}"
            wide[num_name] = [float(np.round(value * den)) if np.isfinite(value * den) else 0.0]
        if den_name not in measures:
            den_name = f"denominator_{row.measure}"
            wide[den_name] = [den if np.isfinite(den) else 0.0]
        rates[row.measure] = (num_name, den_name)
        dens[row.measure] = den_name
    return pd.DataFrame(wide).astype(float), rates, dens


def control_flows(flows: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    """Sankey flows (source, target, learners) under `policy`.

    Each node's inflows and outflows both add up to the node's throughput, so a hidden
    flow could be recovered from its neighbours; the node totals are added as cells and
    protected with the policy's secondary suppression. Hidden flows get NaN learners
    (draw them as absent); shown ones are rounded.
    """
    out = flows.reset_index(drop=True).copy()
    out["learners"] = out["learners"].astype(float)
    if policy.exact or out.empty:
        out["hidden"] = False
        return out
    nodes = sorted(set(out["source"]) | set(out["target"]))
    throughput = {
        n: max(
            out.loc[out["target"] == n, "learners"].sum(),
            out.loc[out["source"] == n, "learners"].sum(),
        )
        for n in nodes
    }
    values = np.concatenate([out["learners"].to_numpy(), [throughput[n] for n in nodes]])
    cells = values.reshape(-1, 1)
    node_cell = {n: len(out) + i for i, n in enumerate(nodes)}
    relations: list[list[tuple[int, int]]] = []
    for n in nodes:
        for side in ("target", "source"):
            parts = [(int(i), 0) for i in np.flatnonzero(out[side].to_numpy() == n)]
            if parts:
                relations.append([(node_cell[n], 0), *parts])
    primary = (cells >= 1) & (cells <= policy.small_max)
    hidden = secondary_suppression(cells, primary, relations) if policy.secondary else primary
    rounded = round_counts(values, policy.rounding_base)
    flow_hidden = hidden[: len(out), 0] | (rounded[: len(out)] == 0)
    out["learners"] = np.where(flow_hidden, np.nan, rounded[: len(out)])
    out["hidden"] = flow_hidden
    return out


def control_curves(curves: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    """Retention curves as someone outside the owning HEI may see them.

    Each Kaplan–Meier step is 1 − withdrawals ÷ learners at risk: on exact counts every
    step gives both away (1 − 1/157). So the curve is redrawn from controlled counts, per
    curve (one per group of the non-curve columns):

    * time in whole months; withdrawals are pooled over consecutive months until the pool
      passes the convention (more than `small_max` and not rounded to 0), and only then
      make a step: 1 − rounded withdrawals ÷ rounded learners at risk (those at risk at
      the pool's start less half of those censored in it, the life-table adjustment);
    * the curve stops at the first month with fewer learners at risk than the rate
      threshold (withdrawals still pooled then are not drawn);
    * retention and its limits (Greenwood on the same rounded counts) are rounded to the
      shown precision; at-risk, withdrawn and censored counts are rounded.

    A curve with too few learners from the start keeps one row with no retention.
    """
    if policy.exact or curves.empty:
        return curves.copy()
    groups = [c for c in curves.columns if c not in CURVE_COLUMNS]
    if not groups:
        return _controlled_curve(curves, policy)
    parts = []
    for key, part in curves.groupby(groups, sort=True):
        curve = _controlled_curve(part, policy)
        values = key if isinstance(key, tuple) else (key,)
        for i, (col, value) in enumerate(zip(groups, values, strict=True)):
            curve.insert(i, col, value)
        parts.append(curve)
    return pd.concat(parts, ignore_index=True)


def _controlled_curve(curve: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    """One curve redrawn from controlled counts (see `control_curves`)."""
    rows = curve.sort_values("months", kind="stable")
    events = rows.iloc[1:]
    month = np.floor(events["months"].astype(float).to_numpy()).astype(int)
    last = int(month.max()) + 1 if len(month) else 0
    withdrawn = np.bincount(month, weights=events["withdrawn"].to_numpy(float), minlength=last)
    censored = np.bincount(month, weights=events["censored"].to_numpy(float), minlength=last)
    # learners at risk at the start of each month 0..last
    at_start = float(rows["at_risk"].iloc[0]) - np.concatenate(
        [[0.0], np.cumsum(withdrawn + censored)]
    )
    out: list[dict[str, float]] = []
    step = _Step(policy)
    for m in range(last + 1):
        shown_withdrawn = step.close()
        if at_start[m] < policy.min_rate_denominator:
            if not out:
                out.append(step.row(m, at_start[m], 0.0, 0.0, hidden=True))
            break
        out.append(step.row(m, at_start[m], shown_withdrawn, censored[m - 1] if m else 0.0))
        if m < last:
            step.add(at_start[m], withdrawn[m], censored[m])
    return pd.DataFrame(out, columns=list(CURVE_COLUMNS))


class _Step:
    """The running product of a controlled retention curve and its pending pool."""

    def __init__(self, policy: DisclosurePolicy) -> None:
        self.policy = policy
        self.z = float(norm.ppf(0.975))
        self.surv, self.greenwood, self.limits = 1.0, 0.0, (1.0, 1.0)
        self.at_risk, self.pooled, self.censored = 0.0, 0.0, 0.0

    def _round(self, value: float) -> float:
        return float(round_counts(np.array([value]), self.policy.rounding_base)[0])

    def add(self, at_risk: float, withdrawn: float, censored: float) -> None:
        """One month into the pool; a pool starts at its first withdrawal."""
        if not self.pooled:
            self.at_risk, self.censored = at_risk, 0.0
        self.pooled += withdrawn
        self.censored += censored if self.pooled else 0.0

    def close(self) -> float:
        """Make a step if the pooled withdrawals pass the convention; the rounded count."""
        d = self._round(self.pooled)
        if self.pooled <= self.policy.small_max or d <= 0:
            return 0.0
        n = self._round(self.at_risk - self.censored / 2)
        if n > 0:
            self.surv *= max(1.0 - d / n, 0.0)
            self.greenwood = self.greenwood + d / (n * (n - d)) if n > d else np.inf
            self.limits = loglog_limits(self.surv, self.greenwood, self.z)
        self.pooled, self.censored = 0.0, 0.0
        return d

    def row(
        self, month: int, at_risk: float, withdrawn: float, censored: float, *, hidden: bool = False
    ) -> dict[str, float]:
        counts = round_counts(np.array([at_risk, withdrawn, censored]), self.policy.rounding_base)
        values = round_rate(np.array([self.surv, *self.limits]), self.policy.rate_decimals)
        if hidden:
            values = np.full(3, np.nan)
        return {
            "months": float(month),
            "at_risk": float(counts[0]),
            "withdrawn": float(counts[1]),
            "censored": float(counts[2]),
            "retention": float(values[0]),
            "lower": float(values[1]),
            "upper": float(values[2]),
        }


@dataclass(frozen=True)
class FunnelView:
    """What a funnel plot may draw for one viewer (see `control_funnel`)."""

    points: pd.DataFrame
    system_rate: float
    largest: float
    hidden_units: int
    rate_decimals: int | None

    def rounded_limits(self, limits: pd.DataFrame) -> pd.DataFrame:
        """Limit lines at the shown precision (exact viewers' lines are left as they are)."""
        if self.rate_decimals is None:
            return limits
        out = limits.copy()
        for col in out.columns.drop("n"):
            out[col] = round_rate(out[col].to_numpy(float), self.rate_decimals)
        return out


#: Columns of the funnel points a viewer of controlled figures receives.
CONTROLLED_POINT_COLUMNS = (
    "starters",
    "withdrawn",
    "rate",
    "shown_starters",
    "shown_rate",
    "flag",
    "outside",
)


def control_funnel(
    units: pd.DataFrame,
    points: pd.DataFrame,
    shown: pd.DataFrame,
    *,
    by: Sequence[str],
    policy: DisclosurePolicy,
) -> FunnelView:
    """The funnel's points and system rate for a viewer under `policy`.

    `units` are the exact unit counts, `points` their `funnel_points` (flags decided on
    exact figures), `shown` the units' controlled numbers. Only units whose rate may be
    shown are plotted, at their shown starters and rate. Outside exact viewing the points
    keep only controlled figures (limits at a unit's exact size would give that size
    away), and the system rate is the ratio of the shown totals at the shown precision,
    so the lines drawn around it reveal nothing the tables do not.
    """
    cols = list(by)
    merged = points.merge(
        shown[[*cols, "starters", "withdrawn", "attrition_rate"]].rename(
            columns={
                "starters": "shown_starters",
                "withdrawn": "shown_withdrawn",
                "attrition_rate": "shown_rate",
            }
        ),
        on=cols,
        how="left",
    )
    visible = merged["shown_rate"].notna() & merged["shown_starters"].notna()
    merged = merged.loc[visible].reset_index(drop=True)
    starters, withdrawn = float(units["starters"].sum()), float(units["withdrawn"].sum())
    if policy.exact:
        return FunnelView(
            points=merged.drop(columns=["shown_withdrawn"]),
            system_rate=withdrawn / starters if starters else 0.0,
            largest=float(merged["starters"].max()) if len(merged) else 0.0,
            hidden_units=int((~visible).sum()),
            rate_decimals=None,
        )
    merged["starters"] = merged["shown_starters"]
    merged["withdrawn"] = merged["shown_withdrawn"]
    merged["rate"] = merged["shown_rate"]
    total = pd.DataFrame(
        {"starters": [starters], "withdrawn": [withdrawn], "attrition_rate": [withdrawn / starters]}
    )
    system = apply_disclosure(
        total, counts=["starters", "withdrawn"], by=[], policy=policy, as_text=False
    )
    return FunnelView(
        points=merged.loc[:, [*cols, *CONTROLLED_POINT_COLUMNS]],
        system_rate=float(system.loc[0, "attrition_rate"]),
        largest=float(merged["shown_starters"].max()) if len(merged) else 0.0,
        hidden_units=int((~visible).sum()),
        rate_decimals=policy.rate_decimals,
    )
