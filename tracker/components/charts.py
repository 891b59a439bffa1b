"""The house chart style and the pieces every chart uses: template, colours, empty charts,
graphs with a PNG download, and figures as plain dicts for the drawn-content cache."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from dash import dcc

Layout = Any

#: The house chart style: plotly_white's look in the few settings it needs. plotly_white
#: itself is deep-copied and validated into every figure (about 25 ms each, a third of a
#: dashboard's rendering) and adds 6 KB to each figure sent; this template costs neither.
CHART_TEMPLATE = "tracker"
_GRID = "#EBF0F8"
_AXIS = {
    "gridcolor": _GRID,
    "linecolor": _GRID,
    "zerolinecolor": _GRID,
    "zerolinewidth": 2,
    "automargin": True,
    "ticks": "",
    "title": {"standoff": 15},
}
pio.templates[CHART_TEMPLATE] = go.layout.Template(
    layout={
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "hoverlabel": {"align": "left"},
        "colorway": list(pio.templates["plotly"].layout.colorway),
    }
)
pio.templates.default = CHART_TEMPLATE

COLOURS = {
    "primary": "#005eb8",  # NHS blue
    "dark": "#003087",
    "warm": "#ed8b00",
    "alert": "#da291c",
    "grey": "#768692",
    "green": "#009639",
}
SECTOR_COLOURS = {
    "acute": "#1f77b4",
    "primary_care": "#2ca02c",
    "community": "#17becf",
    "mental_health": "#9467bd",
    "care_home": "#d62728",
    "social_care": "#ff7f0e",
    "vcse": "#8c564b",
}
_FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Arial, sans-serif", "size": 12}


def apply_layout(fig: go.Figure, *, height: int = 340, **kwargs: Any) -> go.Figure:
    """The house size, margins, legend and font, with a chart's own settings on top."""
    style: dict[str, Any] = {
        "height": height,
        "margin": {"l": 50, "r": 20, "t": 30, "b": 40},
        "legend": {"orientation": "h", "y": -0.2},
        "font": _FONT,
    }
    fig.update_layout(**{**style, **kwargs})
    return fig


def axis_title(text: str) -> str:
    """A measure's label as an upright axis title on two lines, its definition under its
    name ("Cohort attrition rate" over "(withdrawals ÷ starters)"): on one line it is longer
    than a 340 px chart's plot is tall, and Plotly cuts it at both ends."""
    name, bracket, definition = text.partition(" (")
    return f"{name}<br>({definition}" if bracket else text


def empty_figure(message: str = "No learners match these filters.") -> go.Figure:
    """A chart that says why there is nothing to draw."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return apply_layout(fig, height=240)


def plain_figure(figure: Any) -> Any:
    """A plotly figure as the dict Dash would send, so rendered pages can be cached and read
    back without plotly re-validating every figure."""
    return figure.to_plotly_json() if isinstance(figure, go.Figure) else figure


#: What a graph shows before its callback has drawn it: nothing, not Plotly's empty axes
#: (-1 to 6), which read as a chart of no data while the real one is still coming.
_NOT_DRAWN_YET: dict[str, Any] = {
    "data": [],
    "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}, "height": 240},
}


def graph(graph_id: str, figure: Any = None, *, filename: str = "chart") -> Layout:
    """A chart whose toolbar downloads a PNG under a meaningful file name; blank (no axes)
    until a figure arrives."""
    return dcc.Graph(
        id=graph_id,
        figure=plain_figure(figure) if figure is not None else _NOT_DRAWN_YET,
        config={
            "displaylogo": False,
            "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        },
    )


def ratio_bars(
    frame: pd.DataFrame, x: str, y: str, *, title: str, target: float | None = None
) -> go.Figure:
    """A ratio per group as a bar chart (0-100%), with a reference line where useful."""
    fig = go.Figure()
    if not frame.empty:
        fig.add_bar(
            x=frame[x].astype(str),
            y=frame[y].astype(float),
            text=[f"{v:.0%}" if pd.notna(v) else "" for v in frame[y]],
            textposition="outside",
            marker_color=COLOURS["primary"],
        )
    if target is not None:
        fig.add_hline(y=target, line_dash="dot", line_color=COLOURS["grey"])
    return apply_layout(
        fig,
        height=300,
        title=title,
        yaxis={"tickformat": ".0%", "range": [0, 1.15]},
        margin={"l": 40, "r": 10, "t": 40, "b": 40},
    )
