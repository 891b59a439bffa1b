"""Placement calendar: each HEI programme's placement weeks, and where HEIs overlap."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Output, callback

from tracker import components as ui
from tracker.access import Principal
from tracker.callback_inputs import IsoDate
from tracker.queries.options import block_options, organisation_options, programme_options
from tracker.services.calendar import save_calendar_entry
from tracker.services.capacity_reports import (
    SHOWN_OVERLAP_COLUMNS,
    CalendarReport,
    calendar_report,
)

PAGE = "calendar"
dash.register_page(__name__, path="/calendar", name="Calendar", order=22, access=PAGE)

OVERLAP_COLUMNS = SHOWN_OVERLAP_COLUMNS


def _form(block_list: Any, heis: Any, principal: Principal, programme_choices: Any) -> Any:
    return ui.form_card(
        "Add or move placement weeks",
        [
            ui.choice_field(
                "HEI",
                f"{PAGE}-hei",
                ui.code_options(heis),
                value=principal.hei_code if principal.is_hei else None,
            ),
            ui.choice_field("Programme", f"{PAGE}-programme", programme_choices),
            ui.choice_field("Block", f"{PAGE}-block", block_list, width=2),
            ui.filter_field(
                "Year",
                dbc.Input(id=f"{PAGE}-year", type="number", min=1, max=6, step=1, value=1),
                width=1,
            ),
            ui.filter_field("Start", dbc.Input(id=f"{PAGE}-start", type="date"), width=1),
            ui.filter_field("End", dbc.Input(id=f"{PAGE}-end", type="date"), width=1),
        ],
        ui.button("Save weeks", f"{PAGE}-save"),
    )


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    with ui.reading() as session:
        blocks = block_options(session)
        heis = organisation_options(session, heis=True)
        programmes = programme_options(session)
    if principal.is_hei:
        heis = heis[heis["code"] == principal.hei_code]
    block_list = ui.block_choices(blocks)
    programme_choices = ui.coded_options(programmes)
    form = _form(block_list, heis, principal, programme_choices)
    header = ui.page_header(
        "Placement calendar",
        "Each HEI programme's placement weeks inside the system blocks; overlaps "
        "between HEIs in one profession group compete for the same supervisors.",
    )
    groups = ui.dropdown_filter("Profession groups", f"{PAGE}-groups", ui.group_options(), width=4)
    return ui.register_layout(
        PAGE,
        header,
        dbc.Row([groups]),
        ui.card(
            "Timeline",
            ui.loading(
                ui.scrolling_box(
                    ui.graph(f"{PAGE}-timeline", filename="placement-calendar"),
                    "Placement calendar timeline",
                )
            ),
            download=f"{PAGE}-table",
            note="One row per HEI programme, grouped by HEI; bars are its placement weeks "
            "(every year of study), shaded bands the system blocks. Long calendars scroll.",
        ),
        ui.card(
            "Overlaps between HEIs",
            ui.grid(
                f"{PAGE}-overlaps",
                ui.column_defs(OVERLAP_COLUMNS, numeric=["overlap_days"]),
                height=300,
                row_id=None,
            ),
            download=f"{PAGE}-overlap",
            note="Pairs of different HEIs' entries in one profession group whose weeks "
            "overlap, with the shared days.",
        ),
        form,
    )


def _calendar(principal: Principal, groups: list[str]) -> CalendarReport:
    with ui.reading() as session:
        return calendar_report(session, principal=principal, profession_groups=groups)


CALENDAR = ui.FilteredView(PAGE, {"groups": list[str] | None}, _calendar)


@callback(
    Output(f"{PAGE}-timeline", "figure"),
    *ui.grid_rows(PAGE, "overlaps"),
    *ui.inputs(PAGE, "groups"),
    *ui.stores(PAGE, "refresh"),
)
def update_calendar(groups: list[str] | None, _refresh: int | None) -> Any:
    principal = ui.callback_principal(PAGE)
    report = CALENDAR.read_values(principal, groups)
    return ui.calendar_timeline(report.entries, report.blocks), ui.records(
        report.overlaps[OVERLAP_COLUMNS]
    )


@ui.action(PAGE, ["save"], ui.states(PAGE, "hei", "programme", "block", "year", "start", "end"))
def save_weeks(
    session: ui.DbSession,
    principal: Principal,
    _button: str,
    hei: str | None,
    programme: str | None,
    block: str | None,
    year: int | None,
    start: IsoDate | None,
    end: IsoDate | None,
) -> str:
    ui.require({"HEI": hei, "programme": programme, "block": block, "start": start, "end": end})
    save_calendar_entry(
        session,
        principal=principal,
        hei=str(hei),
        programme=str(programme),
        block=str(block),
        year_of_study=int(year or 1),
        start_date=date.fromisoformat(str(start)),
        end_date=date.fromisoformat(str(end)),
    )
    return f"Saved {hei} {programme} weeks in {block}."


CALENDAR.download_table(
    "download_calendar",
    "table",
    lambda report: report.entries.drop(columns=["id"]),
    "placement-calendar",
    note="HEI programmes' placement weeks.",
)
CALENDAR.download_table(
    "download_overlaps",
    "overlap",
    lambda report: report.overlaps[OVERLAP_COLUMNS],
    "calendar-overlaps",
    note="Overlapping weeks between HEIs.",
)
