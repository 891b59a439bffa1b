"""Capacity against demand: where requests exceed places, by sector, programme and place."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from dash import Input, Output, State, callback, ctx, html
from sqlmodel import Session

from tracker.access import Principal
from tracker.auth import app_engine
from tracker.cache import CAPACITY_DATA
from tracker.components import (
    callback_principal,
    format_count,
    graph,
    page_guard,
    page_header,
    plain_figure,
    stat_card,
    stat_row,
)
from tracker.measures.capacity import ALL_SECTORS, ANY_SECTOR
from tracker.pages import _capacity_ui as ui
from tracker.pages._rendered import rendered
from tracker.queries.options import block_options
from tracker.services.capacity_reports import CapacityDemandReport, capacity_demand_report

PAGE = "capacity-demand"
dash.register_page(
    __name__, path="/capacity-demand", name="Capacity vs demand", order=24, access=PAGE
)

SECTOR_NAMES = {
    **ui.SECTOR_LABELS,
    ANY_SECTOR: "Any sector (no requirement)",
    ALL_SECTORS: "All sectors",
}
NOTE = (
    "Places are practice supervisors × learners each supports, in active settings. Requests "
    "are submitted requests. Requests that name no sector count only in the All sectors row. "
    "Programme rows overlap (a nursing place is open to every nursing programme its setting "
    "hosts), so they do not add up."
)


@page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with Session(app_engine()) as session:
        blocks = block_options(session)
    block_choices = [
        {"label": f"{b} ({n})", "value": b}
        for b, n in zip(blocks["block"], blocks["name"], strict=True)
    ]
    filters = dbc.Row(
        [
            ui.filter_field("Blocks", ui.dropdown(f"{PAGE}-blocks", block_choices), width=4),
            ui.filter_field(
                "Sectors", ui.dropdown(f"{PAGE}-sectors", ui.sector_options()), width=4
            ),
            ui.filter_field(
                "Profession groups", ui.dropdown(f"{PAGE}-groups", ui.group_options()), width=4
            ),
        ]
    )
    return html.Div(
        [
            page_header(
                "Capacity against demand",
                "Where HEIs' requests exceed the places supervisors can support: the "
                "shortfall the allocator will face.",
            ),
            filters,
            html.Div(id=f"{PAGE}-cards"),
            ui.card(
                "Places / learners requested by sector and block",
                graph(f"{PAGE}-sector-heatmap", filename="capacity-by-sector"),
                download=f"{PAGE}-sector",
                note=NOTE,
            ),
            ui.card(
                "Places / learners requested by programme and block",
                graph(f"{PAGE}-programme-heatmap", filename="capacity-by-programme"),
                download=f"{PAGE}-programme",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        ui.card(
                            "Settings by location",
                            html.Div(
                                [
                                    dbc.RadioItems(
                                        id=f"{PAGE}-colour",
                                        options=[
                                            {"label": "Colour by sector", "value": "sector"},
                                            {"label": "Colour by spare places", "value": "spare"},
                                        ],
                                        value="sector",
                                        inline=True,
                                        className="small mb-1",
                                    ),
                                    graph(f"{PAGE}-map", filename="settings-by-location"),
                                ]
                            ),
                            download=f"{PAGE}-settings",
                            note=(
                                "Longitude and latitude, no map tiles. Spare places = places in "
                                "the chosen blocks minus learners already in published (confirmed "
                                "or completed) placements; draft allocation runs are not counted."
                            ),
                        ),
                        lg=7,
                    ),
                    dbc.Col(
                        ui.card(
                            "Supervision coverage across blocks",
                            graph(f"{PAGE}-coverage", filename="supervision-coverage"),
                            download=f"{PAGE}-coverage-table",
                            note=(
                                "Each sector's places per learner requested in the block (all "
                                "sectors' requests), stacked to the block's overall coverage; "
                                "1.0 means one place for every learner requested."
                            ),
                        ),
                        lg=5,
                    ),
                ]
            ),
        ]
    )


def _report(
    principal: Principal,
    blocks: list[str] | None,
    sectors: list[str] | None,
    groups: list[str] | None,
) -> CapacityDemandReport:
    # Both callbacks and every download ask for the same report: the shared report cache
    # computes it once per selection and data version.
    with Session(app_engine()) as session:
        return capacity_demand_report(
            session,
            principal=principal,
            blocks=blocks or [],
            sectors=sectors or [],
            profession_groups=groups or [],
        )


def _sector_order(long: pd.DataFrame) -> pd.DataFrame:
    order = {s: i for i, s in enumerate([*ui.SECTOR_LABELS, ANY_SECTOR, ALL_SECTORS])}
    return long.sort_values(
        ["sector", "block"], key=lambda s: s.map(order) if s.name == "sector" else s, kind="stable"
    )


def _location_figure(report: CapacityDemandReport, colour: str) -> go.Figure:
    where = report.settings.dropna(subset=["lat", "lon"])
    if where.empty:
        return ui.empty_figure("No settings with a location for this selection.")
    where = where.assign(
        sector_name=where["sector"].map(ui.SECTOR_LABELS), size=where["places"].clip(lower=0) + 2
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
            color_discrete_map={ui.SECTOR_LABELS[k]: v for k, v in ui.SECTOR_COLOURS.items()},
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


def _coverage_figure(coverage: pd.DataFrame) -> go.Figure:
    shown = coverage.dropna(subset=["places_per_learner"])
    if shown.empty:
        return ui.empty_figure("No requests in this selection, so no coverage.")
    shown = shown.assign(sector_name=shown["sector"].map(ui.SECTOR_LABELS))
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
        color_discrete_map={ui.SECTOR_LABELS[k]: v for k, v in ui.SECTOR_COLOURS.items()},
    )
    fig.add_hline(y=1, line_dash="dot", annotation_text="one place per learner")
    fig.update_layout(
        height=460,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        barmode="stack",
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


@callback(
    Output(f"{PAGE}-cards", "children"),
    Output(f"{PAGE}-sector-heatmap", "figure"),
    Output(f"{PAGE}-programme-heatmap", "figure"),
    Output(f"{PAGE}-coverage", "figure"),
    Input(f"{PAGE}-blocks", "value"),
    Input(f"{PAGE}-sectors", "value"),
    Input(f"{PAGE}-groups", "value"),
)
def update_views(
    blocks: list[str] | None, sectors: list[str] | None, groups: list[str] | None
) -> Any:
    principal = callback_principal(PAGE)
    return rendered(
        f"{PAGE}:views",
        principal,
        _selection(blocks, sectors, groups),
        CAPACITY_DATA,
        lambda: _views(_report(principal, blocks, sectors, groups)),
    )


def _selection(
    blocks: list[str] | None, sectors: list[str] | None, groups: list[str] | None
) -> tuple[tuple[str, ...], ...]:
    """The filters as a cache key part: sets, whatever order they were chosen in."""
    return tuple(tuple(sorted(chosen or [])) for chosen in (blocks, sectors, groups))


def _views(report: CapacityDemandReport) -> tuple[Any, ...]:
    sector = _sector_order(report.by_sector)
    totals = sector[sector["sector"] == ALL_SECTORS]
    places, requested = totals["places"].sum(), totals["requested"].sum()
    by_sector = sector[~sector["sector"].isin([ANY_SECTOR, ALL_SECTORS])]
    short_cells = by_sector[by_sector["shortfall"] > 0]
    cards = stat_row(
        [
            stat_card(
                "Places offered",
                format_count(places),
                "Across the selected blocks",
                card_id=f"{PAGE}-places",
            ),
            stat_card(
                "Learners requested",
                format_count(requested),
                "Submitted requests",
                card_id=f"{PAGE}-requested",
            ),
            stat_card(
                "Shortfall",
                format_count(totals["shortfall"].sum()),
                f"Over all sectors; {len(short_cells)} sector × block cell(s) short by "
                f"{short_cells['shortfall'].sum():,.0f} learners who require that sector",
                card_id=f"{PAGE}-shortfall",
            ),
            stat_card(
                "Places per learner requested",
                f"{places / requested:.2f}" if requested else "–",
                "Above 1 leaves room for fit, travel and choice",
                card_id=f"{PAGE}-coverage-card",
            ),
        ]
    )
    programme = report.by_programme
    return (
        cards,
        plain_figure(
            ui.heatmap(
                sector,
                key="sector",
                names=SECTOR_NAMES,
                title="Red: more learners requested than places",
            )
        ),
        plain_figure(
            ui.heatmap(programme, key="programme", title="Red: more learners requested than places")
        ),
        plain_figure(_coverage_figure(report.coverage)),
    )


@callback(
    Output(f"{PAGE}-map", "figure"),
    Input(f"{PAGE}-blocks", "value"),
    Input(f"{PAGE}-sectors", "value"),
    Input(f"{PAGE}-groups", "value"),
    Input(f"{PAGE}-colour", "value"),
)
def update_location(
    blocks: list[str] | None, sectors: list[str] | None, groups: list[str] | None, colour: str
) -> Any:
    principal = callback_principal(PAGE)
    return rendered(
        f"{PAGE}:map",
        principal,
        (*_selection(blocks, sectors, groups), colour),
        CAPACITY_DATA,
        lambda: plain_figure(_location_figure(_report(principal, blocks, sectors, groups), colour)),
    )


def _download(prefix: str, build: Any) -> Any:
    @callback(
        Output(f"{PAGE}-{prefix}-download", "data"),
        Input(f"{PAGE}-{prefix}-csv", "n_clicks"),
        Input(f"{PAGE}-{prefix}-xlsx", "n_clicks"),
        State(f"{PAGE}-blocks", "value"),
        State(f"{PAGE}-sectors", "value"),
        State(f"{PAGE}-groups", "value"),
        prevent_initial_call=True,
    )
    def download_table(
        _csv: int | None,
        _xlsx: int | None,
        blocks: list[str] | None,
        sectors: list[str] | None,
        groups: list[str] | None,
    ) -> Any:
        principal = callback_principal(PAGE)
        frame = build(_report(principal, blocks, sectors, groups))
        fmt = "xlsx" if str(ctx.triggered_id).endswith("xlsx") else "csv"
        return ui.send_frame(frame, fmt=fmt, filename=f"capacity-demand-{prefix}", note=NOTE)

    download_table.__name__ = f"download_{prefix.replace('-', '_')}"
    return download_table


_download("sector", lambda r: _sector_order(r.by_sector))
_download("programme", lambda r: r.by_programme)
_download("settings", lambda r: r.settings)
_download("coverage-table", lambda r: r.coverage)
