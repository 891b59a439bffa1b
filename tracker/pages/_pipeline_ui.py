"""Pieces shared by the pipeline pages: the filter bar kept in the URL, tables, charts.

No database and no arithmetic here: figures arrive from ``tracker.services.pipeline_reports``
already computed and disclosure-controlled; this module only draws them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol, TypeVar

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import Input, dcc, html

from tracker.access import Principal
from tracker.auth import app_settings
from tracker.cache import PIPELINE_DATA
from tracker.components import download_buttons, notice
from tracker.exports import to_csv_bytes, to_xlsx_bytes
from tracker.measures import MEASURE_LABELS, TOTAL, DisclosurePolicy
from tracker.pages._rendered import rendered
from tracker.queries.pipeline import FilterOptions, PipelineFilters
from tracker.services.pipeline_reports import disclosure_policy

Layout = Any


class _Dated(Protocol):
    @property
    def as_of(self) -> date | None: ...


R = TypeVar("R", bound=_Dated)

FILTER_LABELS = {
    "profession_group": "Profession group",
    "programme": "Programme",
    "hei": "HEI",
    "intake_year": "Intake year",
    "route": "Route",
}
#: Column headers for tables and downloads; measures keep their definition labels.
COLUMN_LABELS: dict[str, str] = {
    **FILTER_LABELS,
    "intake": "Intake",
    "academic_year": "Academic year",
    "reason": "Reason for withdrawal",
    "share": "Share of withdrawals",
    "flag": "Funnel position",
    "learner_ref": "Learner",
    "status": "Status",
    "status_date": "Since",
    "year_of_study": "Year of study",
    "withdrawal_reason": "Reason for withdrawal",
    "at_risk": MEASURE_LABELS["at_risk"],
    "withdrawn_in_year": MEASURE_LABELS["withdrawn_in_year"],
    "disclosure_flags": "Hidden cells (why)",
    **MEASURE_LABELS,
}
COLOURS = {
    "primary": "#005eb8",  # NHS blue
    "dark": "#003087",
    "warm": "#ed8b00",
    "alert": "#da291c",
    "grey": "#768692",
    "green": "#009639",
}


def app_disclosure_policy() -> DisclosurePolicy:
    """The deployment's disclosure convention (TRACKER_DISCLOSURE and its overrides)."""
    return disclosure_policy(app_settings())


def drawn(
    page: str,
    principal: Principal,
    parts: tuple[object, ...],
    report: Callable[[], R],
    content: Callable[[R], Layout],
) -> tuple[date | None, Layout]:
    """A view's as-of date and drawn content, drawn once per selection and data version
    (see ``tracker.pages._rendered``); `parts` is everything of the selection but the
    disclosure convention, which is added here."""

    def draw() -> tuple[date | None, Layout]:
        figures = report()
        return figures.as_of, content(figures)

    return rendered(page, principal, (*parts, app_disclosure_policy()), PIPELINE_DATA, draw)


def label(column: str) -> str:
    return COLUMN_LABELS.get(column, column.replace("_", " ").capitalize())


# --- filter bar and URL -------------------------------------------------------------------------


def filter_bar(page: str, options: FilterOptions, filters: PipelineFilters) -> Layout:
    """Dropdowns for every filter, plus the page's URL (updated without reloading)."""
    cols = []
    for name in PipelineFilters.names():
        choices = [{"label": text, "value": code} for code, text in getattr(options, name)]
        cols.append(
            dbc.Col(
                [
                    dbc.Label(
                        FILTER_LABELS[name],
                        html_for=f"{page}-filter-{name}",
                        class_name="small mb-0",
                    ),
                    dcc.Dropdown(
                        id=f"{page}-filter-{name}",
                        options=choices,
                        value=list(getattr(filters, name)),
                        multi=True,
                        placeholder="All",
                    ),
                ],
                xs=12,
                md=6,
                lg=True,
                className="mb-2",
            )
        )
    return html.Div(
        [dcc.Location(id=f"{page}-url", refresh=False), dbc.Row(cols, className="g-2")],
        className="filter-bar mb-3",
        id=f"{page}-filters",
    )


def filter_inputs(page: str) -> list[Input]:
    return [Input(f"{page}-filter-{name}", "value") for name in PipelineFilters.names()]


def filter_states(page: str) -> list[Any]:
    from dash import State

    return [State(f"{page}-filter-{name}", "value") for name in PipelineFilters.names()]


#: What a filter dropdown posts: its chosen codes (or one code, or a comma-separated string,
#: which ``PipelineFilters.from_query`` also reads); the callback-input guard checks it.
FilterValue = list[str | int] | str | None


def filters_from_values(values: Sequence[Any]) -> PipelineFilters:
    """The dropdown values, in ``PipelineFilters.names()`` order, as filters."""
    return PipelineFilters.from_query(
        {name: value or [] for name, value in zip(PipelineFilters.names(), values, strict=True)}
    )


def as_of_text(as_of: date | None) -> str:
    return (
        f"Figures as of {as_of:%d %B %Y} (the latest event recorded)."
        if as_of
        else ("No learner events recorded yet.")
    )


def disclosure_notice(page: str, note: str, exact: bool) -> Layout:
    return notice(note, color="secondary" if exact else "info", component_id=f"{page}-disclosure")


# --- tables and downloads -----------------------------------------------------------------------


def _column_defs(columns: Sequence[str]) -> list[dict[str, Any]]:
    defs: list[dict[str, Any]] = []
    for c in columns:
        d: dict[str, Any] = {
            "field": c,
            "headerName": label(c),
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        }
        if c in MEASURE_LABELS or c in ("share",):
            d["type"] = "rightAligned"
        defs.append(d)
    return defs


def table(
    grid_id: str, frame: pd.DataFrame, columns: Sequence[str], *, height: int = 320
) -> Layout:
    """A read-only AG Grid of display strings (figures already formatted and controlled)."""
    shown = frame.loc[:, [c for c in columns if c in frame.columns]].copy()
    records = shown.astype(object).where(shown.notna(), "").to_dict("records")
    return dag.AgGrid(
        id=grid_id,
        columnDefs=_column_defs(list(shown.columns)),
        rowData=records,
        defaultColDef={"sortable": True, "resizable": True, "minWidth": 110, "flex": 1},
        dashGridOptions={"domLayout": "normal", "animateRows": False},
        style={"height": f"{height}px", "width": "100%"},
    )


def scrolling_table(grid_id: str, columns: Sequence[str], *, height: int = 400) -> Layout:
    """A read-only AG Grid for tables too long to send whole: the page answers its
    ``getRowsRequest`` with ``tracker.services.grid_rows.grid_block`` as the user scrolls,
    sorts or filters (text filters under each header)."""
    return dag.AgGrid(
        id=grid_id,
        columnDefs=_column_defs(columns),
        rowModelType="infinite",
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "minWidth": 110,
            "flex": 1,
            "filter": "agTextColumnFilter",
            "floatingFilter": True,
            "filterParams": {"maxNumConditions": 1, "debounceMs": 400},
        },
        dashGridOptions={"cacheBlockSize": 100, "maxBlocksInCache": 20, "animateRows": False},
        style={"height": f"{height}px", "width": "100%"},
    )


def table_card(title: str, prefix: str, body: Layout, note: str | None = None) -> Layout:
    return dbc.Card(
        [
            dbc.CardHeader(
                html.Div(
                    [html.H2(title, className="h6 mb-0"), download_buttons(prefix)],
                    className="d-flex justify-content-between align-items-center flex-wrap gap-2",
                )
            ),
            dbc.CardBody(
                [body, html.P(note, className="small text-muted mt-2 mb-0") if note else None]
            ),
        ],
        className="mb-3 shadow-sm",
    )


def chart_card(title: str, body: Layout, note: str | None = None) -> Layout:
    return dbc.Card(
        [
            dbc.CardHeader(html.H2(title, className="h6 mb-0")),
            dbc.CardBody([body, html.P(note, className="small text-muted mb-0") if note else None]),
        ],
        className="mb-3 shadow-sm h-100",
    )


def send_table(
    frame: pd.DataFrame, *, fmt: str, filename: str, note: str, as_of: date | None
) -> dict[str, Any]:
    """A ``dcc.Download`` payload of the table with labelled headers, via tracker.exports."""
    out = frame.rename(columns={c: label(c) for c in frame.columns})
    full_note = note + (f" {as_of_text(as_of)}" if as_of else "")
    if fmt == "xlsx":
        data = to_xlsx_bytes(out, sheet_name=filename[:31], note=full_note)
        return dcc.send_bytes(data, f"{filename}.xlsx")
    return dcc.send_bytes(to_csv_bytes(out), f"{filename}.csv")


# --- charts -------------------------------------------------------------------------------------


def _layout(fig: go.Figure, *, height: int = 340, **kwargs: Any) -> go.Figure:
    style: dict[str, Any] = {
        "height": height,
        "margin": {"l": 50, "r": 20, "t": 30, "b": 40},
        "legend": {"orientation": "h", "y": -0.2},
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Arial, sans-serif", "size": 12},
    }
    fig.update_layout(**{**style, **kwargs})
    return fig


def empty_figure(message: str = "No learners match these filters.") -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, height=240)


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
    return _layout(fig, barmode="group", yaxis_title="Learners", xaxis_title="Intake year")


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
    return _layout(fig, height=420)


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
    return _layout(fig, yaxis_tickformat=".0%", yaxis_title="Rate", xaxis_title="Year")


def reasons_figure(reasons: pd.DataFrame) -> go.Figure:
    rows = reasons.loc[reasons["reason"] != TOTAL].dropna(subset=["withdrawn"])
    if rows.empty:
        return empty_figure("No withdrawals to show.")
    rows = rows.sort_values("withdrawn")
    fig = go.Figure(
        go.Bar(
            x=rows["withdrawn"],
            y=[label(r) for r in rows["reason"]],
            orientation="h",
            marker_color=COLOURS["alert"],
        )
    )
    return _layout(
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
    return _layout(
        fig,
        yaxis_tickformat=".0%",
        yaxis_title=MEASURE_LABELS["retention"],
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
    return _layout(
        fig,
        height=440,
        yaxis_tickformat=".0%",
        yaxis_title=MEASURE_LABELS["attrition_rate"],
        xaxis_title=f"{MEASURE_LABELS['starters']} (cohort size)",
    )


def comparison_figure(comparison: pd.DataFrame) -> go.Figure:
    rows = comparison.dropna(subset=["selection", "system"], how="all")
    if rows.empty:
        return empty_figure()
    labels = [MEASURE_LABELS[m] for m in rows["measure"]]
    fig = go.Figure(
        [
            go.Bar(
                name="Selection", x=labels, y=rows["selection"], marker_color=COLOURS["primary"]
            ),
            go.Bar(name="System", x=labels, y=rows["system"], marker_color=COLOURS["grey"]),
        ]
    )
    return _layout(fig, barmode="group", yaxis_tickformat=".0%")


def rate_text(value: float | None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ".."
    return f"{value:.1%}"


def notice_empty(page: str) -> Layout:
    return notice(
        "No learners match these filters (or none are recorded yet).",
        color="light",
        component_id=f"{page}-empty",
    )


def loading(child: Layout) -> Layout:
    return dcc.Loading(child, type="default", delay_show=400)


def apply_layout(fig: go.Figure, **kwargs: Any) -> go.Figure:
    """The house chart style, for pages that build a figure of their own."""
    return _layout(fig, **kwargs)
