"""Outlook charts: projected completions with their band, the placement shortfall of a
scenario by sector and year, and saved scenarios' completions side by side. Frames arrive
from ``tracker.services`` (outlook, expansion, scenario_comparison) already as the viewer
may see them (controlled figures, NaN where hidden); these functions only draw them, so no
figure holds more than the report."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from tracker.components.capacity_figures import heatmap
from tracker.components.charts import apply_layout, empty_figure
from tracker.vocabulary import SECTOR_ROWS

_COLOURS = list(pio.templates["plotly"].layout.colorway)


def _band_colour(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},0.18)"


def outlook_figure(table: pd.DataFrame) -> go.Figure:
    """Completions per year for each field of one profession group: a line (circles) for
    the expected completions inside its low-high band, and local posts as a dashed line
    (squares), so the two differ by more than colour."""
    if table.empty:
        return empty_figure("No learners in training to project from.")
    fig = go.Figure()
    for i, (code, rows) in enumerate(table.sort_values("year").groupby("field", sort=True)):
        field = str(code)[:1].upper() + str(code)[1:]
        colour = _COLOURS[i % len(_COLOURS)]
        years = rows["year"].astype(int).tolist()
        fig.add_trace(
            go.Scatter(
                x=years + years[::-1],
                y=rows["completions_high"].tolist() + rows["completions_low"].tolist()[::-1],
                fill="toself",
                fillcolor=_band_colour(colour),
                line={"width": 0},
                hoverinfo="skip",
                name=f"{field}: likely range",
                legendgroup=field,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=years,
                y=rows["completions"].tolist(),
                customdata=np.column_stack(
                    [rows["completions_low"], rows["completions_high"]]
                ).tolist(),
                mode="lines+markers",
                marker={"symbol": "circle"},
                line={"color": colour},
                name=f"{field}: completions",
                legendgroup=field,
                hovertemplate=f"{field} %{{x}}: %{{y:,.0f}} completions "
                "(likely %{customdata[0]:,.0f} to %{customdata[1]:,.0f})<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=years,
                y=rows["local_posts"].tolist(),
                mode="lines+markers",
                marker={"symbol": "square"},
                line={"color": colour, "dash": "dash"},
                name=f"{field}: taking a local post",
                legendgroup=field,
                hovertemplate=f"{field} %{{x}}: %{{y:,.0f}} taking a local post<extra></extra>",
            )
        )
    fig.update_xaxes(title="Year ending", dtick=1)
    fig.update_yaxes(title="Newly qualified", rangemode="tozero")
    return apply_layout(fig, height=420, legend={"orientation": "h", "y": -0.25})


def shortfall_heatmap(cells: pd.DataFrame) -> go.Figure:
    """Placements the scenario's learners need against places, per sector and year
    (``services.outlook_scenarios.placement_cells``, controlled for the viewer), red where
    short; each cell "places / needed", a hidden figure drawn as "–"."""
    if cells.empty:
        return empty_figure("No placement figures for this scenario.")
    cells = cells.copy()
    # coloured by the shortfall where there is one (places in other blocks or groups do not
    # make up for it), else by the spare places
    short = cells["shortfall"] > 0
    cells["spare"] = cells["spare"].where(~short, -cells["shortfall"])
    fig = heatmap(
        cells.rename(columns={"year": "block"}).assign(block=lambda f: f["block"].astype(str)),
        key="sector",
        names=dict(SECTOR_ROWS),
        title="Places / placements needed; red: short",
    )
    fig.update_xaxes(type="category", title="Year ending")
    fig.update_traces(colorbar={"title": {"text": "Spare (−: short)"}})
    return fig


_DASHES = ("solid", "dash", "dot", "dashdot", "longdash")
_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x")


def comparison_figure(totals: pd.DataFrame, names: Sequence[str]) -> go.Figure:
    """Each scenario's completions per year (``services.scenario_comparison``: the sum of
    the fields' shown figures), one line per scenario in its own colour, dash and marker so
    they differ by more than colour; the hover says when some fields' figures are hidden."""
    if totals.empty:
        return empty_figure("Choose saved scenarios to compare.")
    fig = go.Figure()
    for i, name in enumerate(names):
        rows = totals[totals["scenario"] == name].sort_values("year")
        hidden = rows["hidden"].astype(int)
        fig.add_trace(
            go.Scatter(
                x=rows["year"].astype(int).tolist(),
                y=rows["completions"].tolist(),
                customdata=[
                    f" ({h} field{'s' if h != 1 else ''} hidden, not counted)" if h else ""
                    for h in hidden
                ],
                mode="lines+markers",
                name=name,
                line={"color": _COLOURS[i % len(_COLOURS)], "dash": _DASHES[i % len(_DASHES)]},
                marker={"symbol": _SYMBOLS[i % len(_SYMBOLS)]},
                hovertemplate="%{x}: %{y:,.0f} completions%{customdata}<extra>"
                + name.replace("<", "&lt;")
                + "</extra>",
            )
        )
    fig.update_xaxes(title="Year ending", dtick=1)
    fig.update_yaxes(title="Newly qualified", rangemode="tozero")
    return apply_layout(fig, height=360, legend={"orientation": "h", "y": -0.25})
