"""Pipeline charts: recruitment, flows, attrition trends, reasons, retention, funnel plots.

No arithmetic here: figures arrive from ``tracker.services.pipeline_reports`` already
computed and disclosure-controlled; these functions only draw them in the house style.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from tracker.components.charts import COLOURS, apply_layout, axis_title, empty_figure
from tracker.measures import MEASURE_LABELS, TOTAL
from tracker.vocabulary import label, value_label

#: Learner statuses of a cohort, in stacking order, with their colours.
STATUS_COLOURS = {
    "active": "primary",
    "interrupted": "warm",
    "completed": "green",
    "transferred_out": "grey",
    "withdrawn": "alert",
}


def recruitment_figure(by_intake: pd.DataFrame) -> go.Figure:
    """Starters against commissioned places per intake year, fill rate on the bars."""
    rows = by_intake.loc[by_intake["intake_year"] != TOTAL]
    if rows.empty:
        return empty_figure()
    fill = ["" if pd.isna(v) else f"{v:.0%}" for v in rows["fill_rate"].astype(float)]
    fig = go.Figure(
        [
            go.Bar(
                name=MEASURE_LABELS["commissioned_places"],
                x=rows["intake_year"],
                y=rows["commissioned_places"],
                marker_color=COLOURS["grey"],
            ),
            go.Bar(
                name=MEASURE_LABELS["starters"],
                x=rows["intake_year"],
                y=rows["starters"],
                marker_color=COLOURS["primary"],
                text=fill,
                textposition="outside",
                hovertemplate="%{x}: %{y} starters (fill rate %{text})<extra></extra>",
            ),
        ]
    )
    return apply_layout(fig, barmode="group", yaxis_title="Learners", xaxis_title="Intake year")


def sankey_figure(flows: pd.DataFrame) -> go.Figure:
    """Pipeline flow; hidden (suppressed) flows are left out rather than drawn as zero."""
    shown = flows.dropna(subset=["learners"])
    shown = shown.loc[shown["learners"] > 0]
    if shown.empty:
        return empty_figure()
    order = ["Started", *sorted({n for n in shown["source"] if n.startswith("Year")}), "Completed"]
    nodes = order + sorted((set(shown["source"]) | set(shown["target"])) - set(order))
    nodes = [n for n in nodes if n in set(shown["source"]) | set(shown["target"])]
    index = {n: i for i, n in enumerate(nodes)}
    leaving = {"Withdrawn", "Transferred out"}
    colour = [
        COLOURS["alert"]
        if n in leaving
        else COLOURS["green"]
        if n.startswith("Employed locally")
        else COLOURS["warm"]
        if "Interrupted" in n
        else COLOURS["primary"]
        for n in nodes
    ]
    link_colour = [
        "rgba(218,41,28,0.35)" if t in leaving else "rgba(0,94,184,0.25)" for t in shown["target"]
    ]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": nodes, "color": colour, "pad": 14, "thickness": 16},
            link={
                "source": [index[s] for s in shown["source"]],
                "target": [index[t] for t in shown["target"]],
                "value": shown["learners"].astype(float).tolist(),
                "color": link_colour,
            },
        )
    )
    return apply_layout(fig, height=420)


def trend_figure(by_intake: pd.DataFrame, in_year: pd.DataFrame) -> go.Figure:
    """Cohort attrition and RePAIR non-completion by intake; in-year attrition by year."""
    rows = by_intake.loc[by_intake["intake_year"] != TOTAL] if len(by_intake) else by_intake
    if rows.empty:
        return empty_figure()
    fig = go.Figure()
    for col, colour, dash in (
        ("attrition_rate", COLOURS["alert"], "solid"),
        ("non_completion_rate", COLOURS["dark"], "dot"),
    ):
        fig.add_trace(
            go.Scatter(
                x=rows["intake_year"],
                y=rows[col],
                name=f"{MEASURE_LABELS[col]} — by intake year",
                mode="lines+markers",
                line={"color": colour, "dash": dash},
                connectgaps=False,
            )
        )
    if len(in_year):
        fig.add_trace(
            go.Scatter(
                x=in_year["academic_year"],
                y=in_year["in_year_attrition_rate"],
                name=f"{MEASURE_LABELS['in_year_attrition_rate']} — by academic year",
                mode="lines+markers",
                line={"color": COLOURS["warm"]},
            )
        )
    return apply_layout(fig, yaxis_tickformat=".0%", yaxis_title="Rate", xaxis_title="Year")


def reasons_figure(reasons: pd.DataFrame) -> go.Figure:
    rows = reasons.loc[reasons["reason"] != TOTAL].dropna(subset=["withdrawn"])
    if rows.empty:
        return empty_figure("No withdrawals to show.")
    rows = rows.sort_values("withdrawn")
    fig = go.Figure(
        go.Bar(
            x=rows["withdrawn"],
            y=[value_label(r) for r in rows["reason"]],
            orientation="h",
            marker_color=COLOURS["alert"],
        )
    )
    return apply_layout(
        fig, xaxis_title=MEASURE_LABELS["withdrawn"], margin={"l": 170, "r": 20, "t": 30, "b": 40}
    )


def retention_figure(curves: pd.DataFrame, *, series: str) -> go.Figure:
    """Kaplan–Meier retention step curves, one per `series` value."""
    if curves.empty or curves["retention"].isna().all():
        return empty_figure("Too few learners for a retention curve.")
    palette = [
        COLOURS["primary"],
        COLOURS["warm"],
        COLOURS["green"],
        COLOURS["dark"],
        COLOURS["grey"],
    ]
    fig = go.Figure()
    for i, (name, part) in enumerate(curves.groupby(series, sort=True)):
        fig.add_trace(
            go.Scatter(
                x=part["months"],
                y=part["retention"],
                name=str(name),
                mode="lines",
                line={"shape": "hv", "color": palette[i % len(palette)]},
                connectgaps=False,
            )
        )
    return apply_layout(
        fig,
        yaxis_tickformat=".0%",
        yaxis_title=axis_title(MEASURE_LABELS["retention"]),
        xaxis_title="Months since start",
    )


def funnel_figure(
    points: pd.DataFrame, limits: pd.DataFrame, system_rate: float, unit: Sequence[str]
) -> go.Figure:
    """Attrition rate against cohort size with 95% and 99.8% limits around the system rate."""
    if points.empty:
        return empty_figure("No units with enough learners to plot.")
    fig = go.Figure()
    for level, dash, name in (("99_8", "dash", "99.8% limits"), ("95", "dot", "95% limits")):
        for side in ("upper", "lower"):
            fig.add_trace(
                go.Scatter(
                    x=limits["n"],
                    y=limits[f"{side}_{level}"],
                    mode="lines",
                    line={"color": COLOURS["grey"], "dash": dash, "width": 1},
                    name=name,
                    showlegend=side == "upper",
                    legendgroup=level,
                    hoverinfo="skip",
                )
            )
    fig.add_hline(
        y=system_rate,
        line={"color": COLOURS["dark"], "width": 1},
        annotation_text=f"System rate {system_rate:.1%}",
        annotation_position="top left",
    )
    names = points[list(unit)].astype(str).agg(" · ".join, axis=1)
    outside = points["outside"].astype(bool).to_numpy()
    # Shape as well as colour (WCAG 1.4.1): points outside the limits are diamonds.
    for mask, colour, symbol, name in (
        (~outside, COLOURS["primary"], "circle", "Within limits (circles)"),
        (outside, COLOURS["alert"], "diamond", "Outside 95% limits (diamonds)"),
    ):
        if not mask.any():
            continue
        fig.add_trace(
            go.Scatter(
                x=points.loc[mask, "shown_starters"],
                y=points.loc[mask, "shown_rate"],
                mode="markers",
                marker={
                    "color": colour,
                    "symbol": symbol,
                    "size": 11 if symbol == "diamond" else 9,
                    "line": {"width": 1, "color": "white"},
                },
                name=name,
                text=names[mask],
                customdata=points.loc[mask, "flag"],
                hovertemplate="%{text}<br>%{x} starters, %{y:.1%}<br>%{customdata}<extra></extra>",
            )
        )
    return apply_layout(
        fig,
        height=440,
        yaxis_tickformat=".0%",
        yaxis_title=axis_title(MEASURE_LABELS["attrition_rate"]),
        xaxis_title=f"{MEASURE_LABELS['starters']} (cohort size)",
    )


def comparison_figure(comparison: pd.DataFrame) -> go.Figure:
    """The selection's rates beside the system's, one measure a row: horizontal bars, so each
    measure's full name reads on one line (upright column labels overlapped and clipped)."""
    rows = comparison.dropna(subset=["selection", "system"], how="all")
    if rows.empty:
        return empty_figure()
    labels = [MEASURE_LABELS[m] for m in rows["measure"]]
    fig = go.Figure(
        [
            go.Bar(
                name=name,
                y=labels,
                x=rows[column],
                orientation="h",
                marker_color=COLOURS[colour],
            )
            for name, column, colour in (
                ("Selection", "selection", "primary"),
                ("System", "system", "grey"),
            )
        ]
    )
    return apply_layout(
        fig,
        height=max(240, 90 + 56 * len(labels)),
        barmode="group",
        xaxis_tickformat=".0%",
        yaxis={"autorange": "reversed", "automargin": True},
        margin={"l": 10, "r": 20, "t": 20, "b": 40},
    )


def status_figure(by_intake: pd.DataFrame) -> go.Figure:
    """Learners' current status per intake, stacked."""
    rows = by_intake.loc[by_intake["intake"] != TOTAL]
    if rows.empty:
        return empty_figure()
    fig = go.Figure(
        [
            go.Bar(
                name=label(col, figures=True),
                x=rows["intake"],
                y=rows[col],
                marker_color=COLOURS[STATUS_COLOURS[col]],
            )
            for col in STATUS_COLOURS
        ]
    )
    return apply_layout(fig, barmode="stack", yaxis_title="Learners", xaxis_title="Intake")


def selection_trend_figure(table: pd.DataFrame) -> go.Figure:
    """Cohort attrition per intake: the selection against the system's, from a table with
    ``attrition_rate`` and ``system_attrition_rate``."""
    rows = table.loc[table["intake"] != TOTAL]
    if rows.empty:
        return empty_figure()
    fig = go.Figure(
        [
            go.Scatter(
                x=rows["intake"],
                y=rows["attrition_rate"],
                name="Selection",
                mode="lines+markers",
                line={"color": COLOURS["primary"]},
            ),
            go.Scatter(
                x=rows["intake"],
                y=rows["system_attrition_rate"],
                name="System",
                mode="lines+markers",
                line={"color": COLOURS["grey"], "dash": "dot"},
            ),
        ]
    )
    return apply_layout(
        fig,
        yaxis_tickformat=".0%",
        yaxis_title=axis_title(MEASURE_LABELS["attrition_rate"]),
        xaxis_title="Intake",
    )
