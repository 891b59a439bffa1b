"""Capacity against demand: where requests exceed places, by sector, programme and place."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Output, callback, html

from tracker import components as ui
from tracker.access import Principal
from tracker.measures.capacity import ALL_SECTORS, ANY_SECTOR
from tracker.queries.options import block_options
from tracker.services.capacity_reports import CapacityDemandReport, capacity_demand_report
from tracker.vocabulary import SECTOR_ROWS

PAGE = "capacity-demand"
dash.register_page(
    __name__, path="/capacity-demand", name="Capacity vs demand", order=24, access=PAGE
)

NOTE = (
    "Places are practice supervisors × learners each supports, in active settings. Requests "
    "are submitted requests. Requests that name no sector count only in the All sectors row. "
    "Programme rows overlap (a nursing place is open to every nursing programme its setting "
    "hosts), so they do not add up."
)


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        blocks = block_options(session)
    filters = dbc.Row(
        [
            ui.dropdown_filter("Blocks", f"{PAGE}-blocks", ui.block_choices(blocks), width=4),
            ui.dropdown_filter("Sectors", f"{PAGE}-sectors", ui.sector_options(), width=4),
            ui.dropdown_filter("Profession groups", f"{PAGE}-groups", ui.group_options(), width=4),
        ]
    )
    return html.Div(
        [
            ui.page_header(
                "Capacity against demand",
                "Where HEIs' requests exceed the places supervisors can support: the "
                "shortfall the allocator will face.",
            ),
            filters,
            html.Div(id=f"{PAGE}-cards"),
            ui.card(
                "Places / learners requested by sector and block",
                ui.graph(f"{PAGE}-sector-heatmap", filename="capacity-by-sector"),
                download=f"{PAGE}-sector",
                note=NOTE,
            ),
            ui.card(
                "Places / learners requested by programme and block",
                ui.graph(f"{PAGE}-programme-heatmap", filename="capacity-by-programme"),
                download=f"{PAGE}-programme",
            ),
            _map_and_coverage(),
        ]
    )


def _map_and_coverage() -> Any:
    """Where the settings are (coloured by sector or spare places) beside each block's
    supervision coverage."""
    return dbc.Row(
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
                            ui.graph(f"{PAGE}-map", filename="settings-by-location"),
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
                    ui.graph(f"{PAGE}-coverage", filename="supervision-coverage"),
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
    )


def _report(principal: Principal, groups: list[str], **chosen: Any) -> CapacityDemandReport:
    """The report for the filters (blocks, sectors: as the report names them)."""
    # Both callbacks and every download ask for the same report: the shared report cache
    # computes it once per selection and data version.
    with ui.reading() as session:
        return capacity_demand_report(
            session, principal=principal, profession_groups=groups, **chosen
        )


REPORT = ui.FilteredView(
    PAGE,
    {"blocks": list[str] | None, "sectors": list[str] | None, "groups": list[str] | None},
    _report,
)


def _sector_order(long: pd.DataFrame) -> pd.DataFrame:
    order = {s: i for i, s in enumerate(SECTOR_ROWS)}
    return long.sort_values(
        ["sector", "block"], key=lambda s: s.map(order) if s.name == "sector" else s, kind="stable"
    )


@callback(
    *ui.children(PAGE, "cards"),
    Output(f"{PAGE}-sector-heatmap", "figure"),
    Output(f"{PAGE}-programme-heatmap", "figure"),
    Output(f"{PAGE}-coverage", "figure"),
    *ui.inputs(PAGE, "blocks", "sectors", "groups"),
)
def update_views(
    blocks: list[str] | None, sectors: list[str] | None, groups: list[str] | None
) -> Any:
    principal = ui.callback_principal(PAGE)
    return ui.drawn_capacity(
        f"{PAGE}:views",
        principal,
        _selection(blocks, sectors, groups),
        lambda: _views(REPORT.read_values(principal, blocks, sectors, groups)),
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
    cards = ui.stat_row(
        [
            ui.stat_card(
                "Places offered",
                ui.format_count(places),
                "Across the selected blocks",
                card_id=f"{PAGE}-places",
            ),
            ui.stat_card(
                "Learners requested",
                ui.format_count(requested),
                "Submitted requests",
                card_id=f"{PAGE}-requested",
            ),
            ui.stat_card(
                "Shortfall",
                ui.format_count(totals["shortfall"].sum()),
                f"Over all sectors; {len(short_cells)} sector × block cell(s) short by "
                f"{short_cells['shortfall'].sum():,.0f} learners who require that sector",
                card_id=f"{PAGE}-shortfall",
            ),
            ui.stat_card(
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
        ui.plain_figure(
            ui.heatmap(
                sector,
                key="sector",
                names=dict(SECTOR_ROWS),
                title="Red: more learners requested than places",
            )
        ),
        ui.plain_figure(
            ui.heatmap(programme, key="programme", title="Red: more learners requested than places")
        ),
        ui.plain_figure(ui.coverage_figure(report.coverage)),
    )


@callback(
    Output(f"{PAGE}-map", "figure"),
    *ui.inputs(PAGE, "blocks", "sectors", "groups", "colour"),
)
def update_location(
    blocks: list[str] | None, sectors: list[str] | None, groups: list[str] | None, colour: str
) -> Any:
    principal = ui.callback_principal(PAGE)
    return ui.drawn_capacity(
        f"{PAGE}:map",
        principal,
        (*_selection(blocks, sectors, groups), colour),
        lambda: ui.plain_figure(
            ui.settings_map(REPORT.read_values(principal, blocks, sectors, groups).settings, colour)
        ),
    )


def _download(table: str, frame: Any) -> None:
    name = f"download_{table.replace('-', '_')}"
    REPORT.download_table(name, table, frame, f"capacity-demand-{table}", note=NOTE)


_download("sector", lambda r: _sector_order(r.by_sector))
_download("programme", lambda r: r.by_programme)
_download("settings", lambda r: r.settings)
_download("coverage-table", lambda r: r.coverage)
