"""Private pieces of the allocation and placements pages: grids, charts, run tokens."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html
from itsdangerous import BadSignature, URLSafeSerializer

Layout = Any

_LABELS = {
    "run_id": "Run",
    "what_if": "What-if",
    "min_hei_fill": "Lowest HEI fill",
    "hei": "HEI",
    "fill_ratio": "Fill ratio",
    "setting_name": "Setting name",
    "reason_code": "Reason code",
    "unmet_in_reach": "Unmet in reach",
    "supervisors_to_add": "Supervisors to add",
    "learners_per_supervisor": "Learners per supervisor",
    "distance_km": "Distance (km)",
    "learner_km": "Learner km",
    "max_sector_utilisation": "Highest sector use",
    "setting_id": "Setting",
    "block_start": "Starts",
    "block_end": "Ends",
}

RATIOS = {"fill_ratio", "utilisation", "min_hei_fill", "max_sector_utilisation"}


def label(column: str) -> str:
    return _LABELS.get(column, column.replace("_", " ").capitalize())


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Grid rows: JSON-safe values (no NaN, dates as ISO text)."""
    out = frame.astype(object).where(frame.notna(), None)
    for column in out.columns:
        out[column] = out[column].map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v)
    return out.to_dict("records")


def column_defs(columns: Sequence[str]) -> list[dict[str, Any]]:
    defs = []
    for column in columns:
        d: dict[str, Any] = {"field": column, "headerName": label(column)}
        if column in RATIOS:
            d["valueFormatter"] = {
                "function": "params.value == null ? '–' : d3.format('.1%')(params.value)"
            }
        defs.append(d)
    return defs


def grid(
    grid_id: str,
    columns: Sequence[str],
    *,
    height: int = 360,
    row_id: str | None = None,
    selectable: bool = False,
) -> Layout:
    props: dict[str, Any] = {}
    if row_id:
        props["getRowId"] = f"params.data.{row_id}"
    options: dict[str, Any] = {"animateRows": False}
    if selectable:
        options["rowSelection"] = {"mode": "singleRow", "enableClickSelection": True}
    return dag.AgGrid(
        id=grid_id,
        columnDefs=column_defs(columns),
        rowData=[],
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "filter": True,
            "minWidth": 90,
            "flex": 1,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions=options,
        style={"height": f"{height}px", "width": "100%"},
        **props,
    )


def card(title: str, body: Layout, *, card_id: str | None = None) -> Layout:
    props: dict[str, Any] = {"className": "mb-3 shadow-sm"}
    if card_id:
        props["id"] = card_id
    return dbc.Card(
        [dbc.CardHeader(html.H2(title, className="h6 mb-0")), dbc.CardBody(body)], **props
    )


def field(text: str, control: Layout, width: int = 3) -> Layout:
    return dbc.Col([dbc.Label(text, className="small mb-1"), control], md=width, className="mb-2")


def bar_chart(
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
            marker_color="#005eb8",
        )
    if target is not None:
        fig.add_hline(y=target, line_dash="dot", line_color="#768692")
    fig.update_layout(
        title=title,
        yaxis={"tickformat": ".0%", "range": [0, 1.15]},
        margin={"l": 40, "r": 10, "t": 40, "b": 40},
        height=300,
        plot_bgcolor="white",
    )
    return fig


def message(text: str, color: str = "info") -> Layout:
    return dbc.Alert(text, color=color, className="py-2 mb-2", dismissable=True)


# --- run tokens: only the server's own queue_run may start a job -------------------------------


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="tracker-allocation-run")


def run_token(secret: str, run_id: int) -> str:
    return str(_serializer(secret).dumps(run_id))


def token_run_id(secret: str, queued: Mapping[str, Any] | None) -> int | None:
    """The run id a queued-run store carries, if the server signed it; else None.

    The background job cannot see the signed-in user (it may run in a Celery worker), so it
    trusts only run ids that a staff member's own ``queue_run`` callback signed.
    """
    if not queued or "token" not in queued:
        return None
    try:
        value = _serializer(secret).loads(queued["token"])
    except BadSignature:
        return None
    return int(value) if isinstance(value, int) else None
