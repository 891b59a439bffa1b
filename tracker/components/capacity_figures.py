"""Capacity charts: places against requests, settings by location, supervision coverage
and placement calendars. Frames arrive from ``tracker.queries.capacity`` and the capacity
measures; these functions only draw them."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from tracker.components.charts import SECTOR_COLOURS, empty_figure
from tracker.vocabulary import CAPACITY_KINDS, COLUMNS, SECTORS


def _count(value: float) -> str:
    return (
        "–"
        if value is None or (isinstance(value, float) and np.isnan(value))
        else (f"{value:,.0f}")
    )


def heatmap(
    long: pd.DataFrame, *, key: str, names: Mapping[str, str] | None = None, title: str
) -> go.Figure:
    """Places against learners requested: each cell "places / requested", red where short.

    Colour is spare places (places minus requested), centred on zero, so shortfalls stand out
    whatever the scale. ``customdata`` carries [places, requested, shortfall, places from
    named staff (where `long` has them)] for hover and for anyone reading the figure's data;
    the rest of the places are unnamed settings' typed counts.
    """
    if long.empty:
        return empty_figure("No places or requests for this selection.")
    rows = list(dict.fromkeys(long[key]))
    blocks = sorted(set(long["block"]))
    # the outlook's shortfall by sector and year counts places but names no staff
    named = "named_places" in long.columns
    shown = ("places", "requested", "shortfall", *(("named_places",) if named else ()))
    pivot = {
        c: long.pivot(index=key, columns="block", values=c).reindex(index=rows, columns=blocks)
        for c in (*shown, "spare")
    }
    text = []
    for r in rows:
        line = []
        for b in blocks:
            places, requested = pivot["places"].loc[r, b], pivot["requested"].loc[r, b]
            short = pivot["shortfall"].loc[r, b]
            cell = f"{_count(places)} / {_count(requested)}"
            if isinstance(short, float) and short > 0:
                cell += f"<br><b>short {short:,.0f}</b>"
            line.append(cell)
        text.append(line)
    # plain lists: plotly would send a 3-d array as an encoded blob the browser cannot index
    custom = np.dstack([pivot[c].to_numpy(dtype=float) for c in shown]).tolist()
    spare = pivot["spare"].to_numpy(dtype=float)
    limit = float(np.nanmax(np.abs(spare))) if np.isfinite(spare).any() else 1.0
    names = names or {}
    fig = go.Figure(
        go.Heatmap(
            z=spare,
            x=blocks,
            y=[names.get(r, r) for r in rows],
            text=text,
            texttemplate="%{text}",
            customdata=custom,
            zmid=0,
            zmin=-limit or -1,
            zmax=limit or 1,
            colorscale="RdBu",
            colorbar={"title": {"text": "Spare"}},
            xgap=2,
            ygap=2,
            hovertemplate="%{y}, %{x}<br>places %{customdata[0]:,.0f}<br>"
            + (
                COLUMNS["named_places"].lower()
                + " %{customdata[3]:,.0f} (the rest: "
                + CAPACITY_KINDS["unnamed"].lower()
                + ")<br>"
                if named
                else ""
            )
            + "requested %{customdata[1]:,.0f}<br>shortfall %{customdata[2]:,.0f}"
            "<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title, "font": {"size": 14}},
        height=max(260, 60 + 42 * len(rows)),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        yaxis={"autorange": "reversed"},
    )
    return fig


def settings_map(settings: pd.DataFrame, colour: str) -> go.Figure:
    """Settings by longitude and latitude (no map tiles), sized by places, coloured by sector
    or by spare places (`colour`: ``"sector"`` or ``"spare"``)."""
    where = settings.dropna(subset=["lat", "lon"])
    if where.empty:
        return empty_figure("No settings with a location for this selection.")
    where = where.assign(
        sector_name=where["sector"].map(SECTORS), size=where["places"].clip(lower=0) + 2
    )
    common = {
        "x": "lon",
        "y": "lat",
        "size": "size",
        "size_max": 14,
        "hover_name": "name",
        "hover_data": {
            "setting_id": True,
            "organisation": True,
            "places": True,
            "spare": True,
            "size": False,
            "lat": ":.3f",
            "lon": ":.3f",
        },
    }
    if colour == "spare":
        fig = px.scatter(
            where,
            color="spare",
            color_continuous_scale="RdBu",
            color_continuous_midpoint=0,
            **common,
        )
    else:
        fig = px.scatter(
            where,
            color="sector_name",
            labels={"sector_name": "Sector"},
            color_discrete_map={SECTORS[k]: v for k, v in SECTOR_COLOURS.items()},
            **common,
        )
    fig.update_layout(
        height=460,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis_title="Longitude",
        yaxis_title="Latitude",
    )
    fig.update_yaxes(scaleanchor="x", scaleratio=1.6)  # about right for England's latitude
    return fig


def coverage_figure(coverage: pd.DataFrame) -> go.Figure:
    """Each sector's places per learner requested in each block, stacked."""
    shown = coverage.dropna(subset=["places_per_learner"])
    if shown.empty:
        return empty_figure("No requests in this selection, so no coverage.")
    shown = shown.assign(sector_name=shown["sector"].map(SECTORS))
    fig = px.bar(
        shown,
        x="block",
        y="places_per_learner",
        color="sector_name",
        labels={
            "places_per_learner": "Places per learner requested",
            "block": "Block",
            "sector_name": "Sector",
        },
        color_discrete_map={SECTORS[k]: v for k, v in SECTOR_COLOURS.items()},
    )
    fig.add_hline(y=1, line_dash="dot", annotation_text="one place per learner")
    fig.update_layout(
        height=460,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        barmode="stack",
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


#: A calendar row's height in pixels: the chart grows with its rows, and the page shows it
#: in a box that scrolls (``cards.scrolling_box``) rather than growing thousands of pixels.
CALENDAR_ROW_HEIGHT = 24


def calendar_timeline(frame: pd.DataFrame, blocks: pd.DataFrame) -> go.Figure:
    """One row per HEI programme, grouped by HEI, its placement weeks (every year of study)
    as bars on a date axis, the system blocks shaded behind them and named above the plot,
    never over a bar."""
    if frame.empty:
        return empty_figure("No calendar entries for this selection.")
    shown = frame.assign(
        row=frame["hei"] + " · " + frame["programme"],
        finish=pd.to_datetime(frame["end_date"]) + pd.Timedelta(days=1),
        start=pd.to_datetime(frame["start_date"]),
    ).sort_values(["hei", "programme", "start"])
    rows = list(dict.fromkeys(shown["row"]))
    fig = px.timeline(
        shown,
        x_start="start",
        x_end="finish",
        y="row",
        color="hei",
        hover_data={
            "year_of_study": True,
            "block": True,
            "start_date": True,
            "end_date": True,
            "start": False,
            "finish": False,
            "row": False,
        },
        labels={"hei": "HEI", "row": "", "year_of_study": "Year of study"},
        category_orders={"row": rows},  # px draws the first at the top
    )
    _block_bands(fig, blocks)
    fig.update_xaxes(type="date", tickformat="%d %b %Y", side="top", title_text="")
    fig.update_layout(  # each row names its HEI, so the colours need no legend
        height=90 + CALENDAR_ROW_HEIGHT * len(rows),
        margin={"l": 10, "r": 10, "t": 60, "b": 20},
        showlegend=False,
    )
    return fig


def _block_bands(fig: go.Figure, blocks: pd.DataFrame) -> None:
    """Each system block as a shaded band, its code under the plot area."""
    for b in blocks.to_dict("records"):
        start = pd.Timestamp(b["start_date"])
        fig.add_vrect(
            x0=start,
            x1=pd.Timestamp(b["end_date"]) + pd.Timedelta(days=1),
            fillcolor="#6c757d",
            opacity=0.08,
            line_width=0,
        )
        fig.add_annotation(
            x=start,
            y=1,
            xref="x",
            yref="paper",
            yanchor="bottom",
            xanchor="left",
            yshift=24,
            text=b["block"],
            showarrow=False,
            font={"size": 11, "color": "#425563"},
        )
