"""Grids: one AG Grid builder and one column-definition builder for every table.

Headers come from ``tracker.vocabulary``; shares (``vocabulary.RATIOS``) show as
percentages, pounds (``vocabulary.MONEY``) as £12,345; numbers are right-aligned.
Rows are sent as JSON-safe records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import dash_ag_grid as dag
import pandas as pd

from tracker.components.column_chooser import with_chooser
from tracker.data.importers.core import MAX_COUNT
from tracker.vocabulary import COUNTS, FIGURE_NUMBERS, MONEY, RATIOS, VALUE_LABELS, WEEKS, label

Layout = Any

#: Bounds of a typed count (supervisors, assessors...): the importers' own.
COUNT_RANGE = (0, MAX_COUNT)
_PERCENT = {"function": "params.value == null ? '–' : d3.format('.1%')(params.value)"}
#: Pounds and weeks as numbers where shown; a hidden figure keeps its marker ("*")
#: (``assets/61_grid_words.js``).
_POUNDS = {"function": "trackerNumber(params, '£', 0)"}
_WEEKS = {"function": "trackerNumber(params, '', 1)"}
_COUNT = {"function": "trackerNumber(params, '', 0)"}
#: Columns of sentences (an unmet learner's reason, an audit's detail): shown whole, wrapped
#: over as many lines as they take, never cut to "places exist but went to other…". Grids that
#: size columns to their contents leave these at their set width (``suppressAutoSize``): sized
#: to content, a sentence would stretch its column into one line instead of wrapping.
LONG_TEXT = frozenset(
    {
        "reason",
        "detail",
        "action_plan",
        "approved_programmes",
        "old_text",
        "new_text",
        "message",
        "source",
        "note",
        "comment",
    }
)
#: Beyond this many columns a grid scrolls sideways, keeps its first column in view and offers
#: a column chooser (``column_chooser``: show or hide its other columns).
PIN_FROM = 8


def column_defs(
    columns: Sequence[str], *, numeric: Sequence[str] = (), figures: bool = False
) -> list[dict[str, Any]]:
    """One definition per column: its header (``figures``: a pipeline figure table, whose
    measures keep their definition labels and are right-aligned), right-aligned `numeric`
    columns, ratios as percentages."""
    defs: list[dict[str, Any]] = []
    for column in columns:
        d: dict[str, Any] = {"field": column, "headerName": label(column, figures=figures)}
        if column in numeric or (figures and column in FIGURE_NUMBERS):
            d["type"] = "rightAligned"
        if not figures and column in RATIOS:
            d["valueFormatter"] = _PERCENT
        if column in MONEY or column in WEEKS or (column in COUNTS and not figures):
            shown = _POUNDS if column in MONEY else _WEEKS if column in WEEKS else _COUNT
            d.update(type="rightAligned", valueFormatter=shown)
        if column in VALUE_LABELS:
            d.update(_worded(VALUE_LABELS[column]))
        if column in LONG_TEXT:
            d.update(
                {
                    "wrapText": True,
                    "autoHeight": True,
                    "minWidth": 260,
                    "width": 600,
                    "suppressAutoSize": True,
                }
            )
        defs.append(d)
    if len(defs) > PIN_FROM:
        defs[0]["pinned"] = "left"  # the row's identity stays in view as the grid scrolls
        for d in defs:  # wide grids size each column to its header and cells, and scroll
            if d["field"] in LONG_TEXT:
                d["width"] = 360
    return defs


def _worded(labels: Mapping[str, str]) -> dict[str, Any]:
    """Show (and filter by) a code column's labels; the row data keeps the codes, so a
    download or a callback reading the row still gets ``care_home``, not "Care home". The
    formatters live in ``assets/61_grid_words.js`` (no code is compiled in the browser)."""
    return {
        "refData": dict(labels),
        "valueFormatter": {"function": "trackerWord(params)"},
        "filterValueGetter": {"function": "trackerWordToFilter(params)"},
    }


def editable_number(definition: dict[str, Any], low: int, high: int) -> dict[str, Any]:
    """`definition` made editable for whole numbers from `low` to `high`. A value outside
    them is kept in the cell (not silently dropped, as the editor's own min/max would), drawn
    in red with a tooltip that says why, and the save refuses it with the same reason."""
    definition.update(
        {
            "editable": True,
            "cellEditor": "agNumberCellEditor",
            "cellEditorParams": {"precision": 0},
            "tooltipValueGetter": {"function": f"trackerOutOfRange(params, {low}, {high})"},
            "valueFormatter": {"function": f"trackerCount(params, {low}, {high})"},
            "cellClassRules": {
                "bg-danger-subtle text-danger fw-bold": (
                    f"params.value == null || !Number.isInteger(Number(params.value)) "
                    f"|| Number(params.value) < {low} || Number(params.value) > {high}"
                ),
            },
            "headerClass": "text-primary",
        }
    )
    return definition


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows for a grid: timestamps as "YYYY-MM-DD HH:MM", dates as ISO text,
    missing values as None."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d %H:%M")
    out = out.astype(object).where(out.notna(), None)
    for column in out.columns:
        if out[column].map(lambda v: hasattr(v, "isoformat")).any():
            out[column] = out[column].map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v)
    rows: list[dict[str, Any]] = out.to_dict("records")
    return rows


#: Narrow grids fill their width: sized to fit when drawn and again whenever the grid's box
#: changes (dash-ag-grid's ``responsiveSizeToFit``), a long-text column keeping its larger
#: share. Not AG Grid's column ``flex``: a flex grid hides its cells until it has measured a
#: width for its box, and on a loaded machine that measurement could be missed, leaving the
#: grid blank for good (seen on the cohort view's learner grid); fitting needs no measurement
#: before the cells show.
_FIT_WIDTH: Final[Mapping[str, Any]] = MappingProxyType({"columnSize": "responsiveSizeToFit"})


#: Each column as wide as its heading and cells need, the grid scrolling sideways when they
#: need more than its width. Every column is drawn, not only those in view, so the ones
#: scrolled out of sight at 1024 px are measured too (AG Grid sizes only drawn columns, and
#: left them cut to "…"); the grids that take this have at most a few dozen columns.
_CONTENT_WIDTH: Final[Mapping[str, Any]] = MappingProxyType(
    {"autoSizeStrategy": {"type": "fitCellContents"}, "suppressColumnVirtualisation": True}
)
#: ...and measured again whenever its rows change (``assets/62_grid_columns.js``): the
#: strategy alone measures only the first rows drawn, so longer text arriving from a callback
#: (a filter, a save) was cut to "…" (seen on the readiness register at 1024 px).
#: Also when the hidden tab holding it is shown (its box goes from no width to some): filled
#: while hidden, its columns had nothing to measure and stayed at their minimum width, cut
#: to "…" (the allocation review's Bottlenecks grid). Only then: refitting on every change of
#: size raced the first fit of grids shown from the start.
_REFIT_ON_NEW_ROWS: Final[Mapping[str, list[str]]] = MappingProxyType(
    {
        "rowDataUpdated": ["trackerFitColumns(params)"],
        "gridSizeChanged": ["trackerFitWhenShown(params)"],
    }
)


#: Tab leaves a grid unless a cell is being edited: a grid is one stop in the page's Tab order
#: and its cells are reached with the arrow keys (the ARIA grid pattern). AG Grid's own Tab
#: walks every cell of every row, so a keyboard user could not get past a long grid to its
#: Save button. While editing, Tab still moves to the next cell, as in a spreadsheet; from a
#: header Tab always leaves.
_TAB_LEAVES_GRID: Final[Mapping[str, str]] = MappingProxyType(
    {"function": "params.editing ? params.nextCellPosition : false"}
)


def grid(
    grid_id: str,
    columns: Sequence[str] | list[dict[str, Any]],
    rows: list[dict[str, Any]] | None = None,
    *,
    height: int = 420,
    row_id: str | None = None,
    selectable: bool = False,
    options: Mapping[str, Any] | None = None,
    filters: bool = True,
    fit_content: bool = False,
) -> Layout:
    """An AG Grid of `columns` (codes, or definitions from ``column_defs``): sortable,
    resizable, filterable unless `filters` is off; `row_id` keeps rows identified across
    updates, `selectable` lets one row be chosen by clicking it. A grid of more than
    ``PIN_FROM`` columns, or with `fit_content`, sizes each column to its heading and cells
    (else the columns share the grid's width); a wide one comes under its column chooser."""
    defs: list[dict[str, Any]] = (
        column_defs([str(c) for c in columns])
        if all(isinstance(c, str) for c in columns)
        else [dict(c) for c in columns if isinstance(c, dict)]
    )
    props: dict[str, Any] = {}
    if row_id:
        props["getRowId"] = f"params.data.{row_id}"
    grid_options: dict[str, Any] = {
        "animateRows": False,
        "tooltipShowDelay": 300,
        "tabToNextCell": dict(_TAB_LEAVES_GRID),
        "tabToNextHeader": {"function": "false"},
    }
    wide = len(defs) > PIN_FROM
    if wide or fit_content:
        grid_options.update(_CONTENT_WIDTH)
        for d in defs:  # beside columns sized to their contents, a sentence takes less room
            if d.get("field") in LONG_TEXT:
                d["width"] = 360
    if selectable:
        grid_options["rowSelection"] = {"mode": "singleRow", "enableClickSelection": True}
        # the row's checkbox (keyboard: Space) gets a headed column of its own at the left
        grid_options["selectionColumnDef"] = {
            "headerName": "Choose",
            "pinned": "left",
            "width": 90,
            "resizable": False,
        }
    table = dag.AgGrid(
        id=grid_id,
        columnDefs=defs,
        rowData=rows or [],
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "filter": filters,
            "minWidth": 100,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions={**grid_options, **(options or {})},
        style={"height": f"{height}px", "width": "100%"},
        **(
            {"eventListeners": {k: list(v) for k, v in _REFIT_ON_NEW_ROWS.items()}}
            if wide or fit_content
            else _FIT_WIDTH
        ),
        **props,
    )
    return with_chooser(grid_id, defs, table) if wide else table


def table(
    grid_id: str, frame: pd.DataFrame, columns: Sequence[str], *, height: int = 320
) -> Layout:
    """A read-only grid of a pipeline figure table (display strings, already controlled)."""
    shown = frame.loc[:, [c for c in columns if c in frame.columns]].copy()
    rows = shown.astype(object).where(shown.notna(), "").to_dict("records")
    defs = column_defs(list(shown.columns), figures=True)
    # its rows are here, so its columns take the width their figures need: shared out, a
    # narrow card cut "above 95%" and "Programme" short
    return grid(grid_id, defs, rows, height=height, filters=False, fit_content=True)


def scrolling_table(grid_id: str, columns: Sequence[str], *, height: int = 400) -> Layout:
    """A read-only grid for tables too long to send whole: the page answers its
    ``getRowsRequest`` with ``tracker.services.grid_rows.grid_block`` as the user scrolls,
    sorts or filters (text filters under each header)."""
    return dag.AgGrid(
        id=grid_id,
        columnDefs=column_defs(columns, figures=True),
        rowModelType="infinite",
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "minWidth": 110,
            "filter": "agTextColumnFilter",
            "floatingFilter": True,
            "filterParams": {"maxNumConditions": 1, "debounceMs": 400},
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions={
            "cacheBlockSize": 100,
            "maxBlocksInCache": 20,
            "animateRows": False,
            **_CONTENT_WIDTH,
        },
        style={"height": f"{height}px", "width": "100%"},
    )
