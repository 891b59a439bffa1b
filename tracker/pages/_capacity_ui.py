"""Pieces shared by the capacity pages: labels, filters, grids, figures and downloads.

Nothing here reads the database; pages pass frames from ``tracker.queries.capacity``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from tracker.components import download_buttons
from tracker.exports import to_csv_bytes, to_xlsx_bytes
from tracker.models import ProfessionGroup, Sector

Layout = Any

SECTOR_LABELS = {
    "acute": "Acute",
    "primary_care": "Primary care",
    "community": "Community",
    "mental_health": "Mental health",
    "care_home": "Care home",
    "social_care": "Social care",
    "vcse": "Voluntary sector",
}
GROUP_LABELS = {
    "nursing": "Nursing",
    "midwifery": "Midwifery",
    "ahp": "Allied health professions",
    "nursing_associate": "Nursing associate",
    "social_work": "Social work",
}
COLUMN_LABELS = {
    "setting_id": "Setting code",
    "setting_name": "Setting",
    "name": "Name",
    "organisation": "Organisation",
    "organisation_name": "Organisation name",
    "sector": "Sector",
    "programmes": "Programmes hosted",
    "postcode_district": "Postcode district",
    "active": "Active",
    "has_history": "Has placements",
    "block": "Block",
    "profession_group": "Profession group",
    "practice_supervisors": "Practice supervisors",
    "practice_assessors": "Practice assessors",
    "practice_educators": "Practice educators",
    "learners_per_supervisor": "Learners per supervisor",
    "places": "Places",
    "request_id": "Request",
    "hei": "HEI",
    "programme": "Programme",
    "intake": "Intake",
    "learners": "Learners",
    "status": "Status",
    "created_at": "Submitted at",
    "created_by": "Submitted by",
    "requested": "Learners requested",
    "spare": "Spare places",
    "shortfall": "Shortfall",
    "places_per_learner": "Places per learner requested",
    "year_of_study": "Year of study",
    "start_date": "Start",
    "end_date": "End",
    "hei_a": "HEI",
    "programme_a": "Programme",
    "hei_b": "Overlaps HEI",
    "programme_b": "Its programme",
    "overlap_start": "From",
    "overlap_end": "To",
    "overlap_days": "Days shared",
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


def label(column: str) -> str:
    return COLUMN_LABELS.get(column, column.replace("_", " ").capitalize())


def sector_options() -> list[dict[str, str]]:
    return [{"label": SECTOR_LABELS.get(s.value, s.value), "value": s.value} for s in Sector]


def group_options() -> list[dict[str, str]]:
    return [
        {"label": GROUP_LABELS.get(g.value, g.value), "value": g.value} for g in ProfessionGroup
    ]


def code_options(frame: pd.DataFrame, *, value: str = "code", name: str = "name") -> list[dict]:
    return [
        {"label": f"{row[name]} ({row[value]})", "value": row[value]}
        for row in frame.to_dict("records")
    ]


def filter_field(label_text: str, control: Layout, *, width: int = 3) -> Layout:
    return dbc.Col(
        [dbc.Label(label_text, className="small text-muted mb-1"), control],
        xs=12,
        md=6,
        lg=width,
        className="mb-2",
    )


def dropdown(
    component_id: str,
    options: Sequence[Mapping[str, Any]],
    *,
    multi: bool = True,
    value: Any = None,
    placeholder: str = "All",
) -> Layout:
    return dcc.Dropdown(
        id=component_id,
        options=list(options),
        multi=multi,
        value=value,
        placeholder=placeholder,
        clearable=True,
    )


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows for a grid: dates as ISO text, missing values as None."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object and len(out) and hasattr(out[column].iloc[0], "isoformat"):
            out[column] = out[column].map(lambda v: v.isoformat() if v is not None else None)
        elif pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d %H:%M")
    out = out.astype(object).where(out.notna(), None)
    return out.to_dict("records")


def column_defs(columns: Sequence[str], *, numeric: Sequence[str] = ()) -> list[dict[str, Any]]:
    defs: list[dict[str, Any]] = []
    for column in columns:
        d: dict[str, Any] = {"field": column, "headerName": label(column)}
        if column in numeric:
            d["type"] = "rightAligned"
        defs.append(d)
    return defs


def grid(
    grid_id: str,
    defs: list[dict[str, Any]],
    rows: list[dict[str, Any]] | None = None,
    *,
    height: int = 420,
    options: Mapping[str, Any] | None = None,
    row_id: str | None = "id",
) -> Layout:
    props: dict[str, Any] = {}
    if row_id:
        props["getRowId"] = f"params.data.{row_id}"
    return dag.AgGrid(
        id=grid_id,
        columnDefs=defs,
        rowData=rows or [],
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "filter": True,
            "minWidth": 100,
            "flex": 1,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions={"animateRows": False, **(options or {})},
        style={"height": f"{height}px", "width": "100%"},
        **props,
    )


def card(
    title: str, body: Layout, *, download: str | None = None, note: str | None = None
) -> Layout:
    header: list[Any] = [html.H2(title, className="h6 mb-0")]
    if download:
        header.append(download_buttons(download))
    return dbc.Card(
        [
            dbc.CardHeader(
                html.Div(
                    header,
                    className="d-flex justify-content-between align-items-center flex-wrap gap-2",
                )
            ),
            dbc.CardBody(
                [body, html.P(note, className="small text-muted mt-2 mb-0") if note else None]
            ),
        ],
        className="mb-3 shadow-sm",
    )


def result_alert(text: str | None, problems: Sequence[str] = (), *, ok: bool = True) -> Layout:
    """A message after an action: green for done, red with every reason for a refusal."""
    if text is None and not problems:
        return None
    body: list[Any] = [html.Div(text)] if text else []
    if problems:
        body.append(html.Ul([html.Li(p) for p in problems[:30]], className="mb-0 small"))
        if len(problems) > 30:
            body.append(html.Div(f"... and {len(problems) - 30} more", className="small"))
    return dbc.Alert(
        body, color="success" if ok else "danger", className="py-2 mb-2", dismissable=True
    )


def send_frame(frame: pd.DataFrame, *, fmt: str, filename: str, note: str) -> dict[str, Any]:
    """A ``dcc.Download`` payload with labelled headers, built by ``tracker.exports``."""
    out = frame.rename(columns={c: label(c) for c in frame.columns})
    if fmt == "xlsx":
        return dcc.send_bytes(
            to_xlsx_bytes(out, sheet_name=filename, note=note), f"{filename}.xlsx"
        )
    return dcc.send_bytes(to_csv_bytes(out), f"{filename}.csv")


def empty_figure(message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(
        xaxis_visible=False,
        yaxis_visible=False,
        height=260,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    return fig


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
    whatever the scale. ``customdata`` carries [places, requested, shortfall] for hover and
    for anyone reading the figure's data.
    """
    if long.empty:
        return empty_figure("No places or requests for this selection.")
    rows = list(dict.fromkeys(long[key]))
    blocks = sorted(set(long["block"]))
    pivot = {
        c: long.pivot(index=key, columns="block", values=c).reindex(index=rows, columns=blocks)
        for c in ("places", "requested", "spare", "shortfall")
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
    custom = np.dstack(
        [pivot[c].to_numpy(dtype=float) for c in ("places", "requested", "shortfall")]
    ).tolist()
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
            hovertemplate="%{y}, %{x}<br>places %{customdata[0]:,.0f}<br>requested "
            "%{customdata[1]:,.0f}<br>shortfall %{customdata[2]:,.0f}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title, "font": {"size": 14}},
        height=max(260, 60 + 42 * len(rows)),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        yaxis={"autorange": "reversed"},
    )
    return fig
