"""Disclosure control for the dashboard shapes that are not grouped count tables.

``apply_disclosure`` protects tables of counts with margins. Dashboards also show headline
cards, Sankey flows and retention curves; these helpers apply the same ``DisclosurePolicy``
to them, reusing its rounding and secondary suppression, so one policy governs every view.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.measures.disclosure import (
    DisclosurePolicy,
    apply_disclosure,
    round_counts,
    secondary_suppression,
)

#: Headline rate -> (numerator, denominator) measure names of `headline_figures` rows. Rates
#: whose numerator is not a headline row are protected through their denominator only.
HEADLINE_RATE_PARTS: dict[str, tuple[str, str]] = {
    "fill_rate": ("starters", "commissioned_places"),
    "in_year_attrition_rate": ("withdrawn_in_year", "at_risk"),
    "attrition_rate": ("due_withdrawn", "due_starters"),
    "non_completion_rate": ("not_completed_on_time", "due"),
    "local_retention": ("employed_local", "completed_in_year"),
}
#: Counts that are not about learners (published commissioning figures): never rounded.
PUBLIC_COUNTS = frozenset({"commissioned_places"})


def control_headlines(headlines: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    """`headline_figures` output with value, previous and change under `policy`.

    Counts are rounded (small ones set to NaN, i.e. not shown); a rate is hidden where its
    denominator is under the threshold or its numerator is hidden, as in
    `apply_disclosure`. The change is recomputed from the shown values so it never
    reveals more than they do. Adds `value_hidden` / `previous_hidden`.
    """
    out = headlines.copy()
    if policy.exact:
        out["value_hidden"] = out["value"].isna()
        out["previous_hidden"] = out["previous"].isna()
        return out
    for value_col, den_col in (("value", "denominator"), ("previous", "previous_denominator")):
        wide = {}
        rates: dict[str, tuple[str, str]] = {}
        for row in out.itertuples(index=False):
            wide[row.measure] = [getattr(row, value_col)]
            if row.kind == "rate":
                base = f"base_{row.measure}"
                wide[base] = [getattr(row, den_col)]
                num = HEADLINE_RATE_PARTS.get(row.measure, (base, base))[0]
                rates[row.measure] = (num, base)
        frame = pd.DataFrame(wide).astype(float)
        counts = [
            c
            for c in frame.columns
            if c not in rates and not c.startswith("base_") and c not in PUBLIC_COUNTS
        ]
        shown = apply_disclosure(
            frame, counts=counts, rates=rates, by=[], policy=policy, as_text=False
        )
        out[value_col] = [float(shown.loc[0, m]) for m in out["measure"]]
        out[f"{value_col}_hidden"] = out[value_col].isna()
    out["change"] = out["value"] - out["previous"]
    return out


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
    """Retention curves cut where fewer learners than the rate threshold remain at risk.

    A retention percentage is a rate: on a handful of learners at risk each step reveals
    individual withdrawals, so the curve stops there (NaN), as HESA hides percentages on
    fewer than 22.5 people. Counts in the curve table are rounded.
    """
    out = curves.copy()
    if policy.exact or out.empty:
        return out
    few = out["at_risk"].astype(float) < policy.min_rate_denominator
    for col in ("retention", "lower", "upper"):
        out[col] = out[col].astype(float).where(~few)
    for col in ("at_risk", "withdrawn", "censored"):
        out[col] = round_counts(out[col].to_numpy(), policy.rounding_base)
    return out
