"""The quality view's chart: mean scores by term with their 95% intervals. Frames arrive from
``services.quality_reports`` with every hidden mean already NaN, so no point, error bar or
hover of the chart holds more than the table shows."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from tracker.components.charts import apply_layout, axis_title, empty_figure
from tracker.models.quality import ITEMS
from tracker.vocabulary import COLUMNS

_COLOURS = list(pio.templates["plotly"].layout.colorway)
_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x")


def quality_trend_figure(trend: pd.DataFrame) -> go.Figure:
    """One line per item over the terms (markers differ by item, not only colour); terms
    whose mean is hidden leave a gap."""
    shown = [item for item in ITEMS if item in trend.columns and trend[item].notna().any()]
    if trend.empty or not shown:
        return empty_figure("No scores to show: too few responses in any term.")
    rows = trend.sort_values("term")
    fig = go.Figure()
    for i, item in enumerate(shown):
        low = (rows[item] - rows[f"{item}_low"]).fillna(0)
        high = (rows[f"{item}_high"] - rows[item]).fillna(0)
        fig.add_trace(
            go.Scatter(
                x=rows["term"].tolist(),
                y=rows[item].tolist(),
                error_y={"type": "data", "array": high.tolist(), "arrayminus": low.tolist()},
                mode="lines+markers",
                marker={"symbol": _SYMBOLS[i % len(_SYMBOLS)], "size": 9},
                line={"color": _COLOURS[i % len(_COLOURS)]},
                name=COLUMNS[item],
                hovertemplate="%{x}: %{y:.2f}<extra>" + COLUMNS[item] + "</extra>",
            )
        )
    apply_layout(
        fig,
        yaxis={"range": [1, 5.1], "title": axis_title("Mean score (1-5)")},
        xaxis={"title": axis_title("Term"), "type": "category"},
    )
    return fig
