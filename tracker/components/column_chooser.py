"""The column chooser of a wide grid: which of its columns a user sees.

A grid of more than ``grids.PIN_FROM`` columns is hard to read at 1024 px, and most users
need only some of them, so ``grid()`` puts this control above it: a disclosure ("Columns:
12 of 14 shown") that opens a labelled checklist of the grid's headings. A native
``details`` and Bootstrap's checkboxes (each label ``for`` its input; Dash's own checklist
nests its inputs in focusable labels, which axe refuses), so a keyboard user opens it with
Enter and ticks with Space, and a screen reader hears each heading. The pinned column names
the row and is always shown (its box is ticked and disabled).

The choice is Dash's own persistence of the checklist (``localStorage``), so it survives a
reload in that browser. A browser-side function (``assets/62_grid_columns.js``) shows and
hides the columns through the grid's API: nothing is sent to the server and the row data
keep every column, so downloads, which the server builds from the same query, are never
narrowed by it. AG Grid's own columns tool panel is an Enterprise feature, not used here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, clientside_callback, html
from dash.dependencies import MATCH

Layout = Any

#: Pattern-matching id types: one browser-side callback serves every chooser.
CHOOSER: Final = "grid-columns"
SUMMARY: Final = "grid-columns-summary"


def chooser_options(defs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One checkbox per column, labelled by its heading; a pinned column (the row's
    identity) cannot be unticked."""
    options: list[dict[str, Any]] = []
    for d in defs:
        if "field" not in d:
            continue
        heading = str(d.get("headerName") or d["field"])
        pinned = bool(d.get("pinned"))
        options.append(
            {
                "label": f"{heading} (always shown)" if pinned else heading,
                "value": d["field"],
                "disabled": pinned,
            }
        )
    return options


def summary_text(shown: int, total: int) -> str:
    """The chooser's closed line, which says whether anything is hidden."""
    return f"Columns: all {total} shown" if shown >= total else f"Columns: {shown} of {total} shown"


def column_chooser(grid_id: str, defs: Sequence[dict[str, Any]]) -> Layout:
    """The chooser for the grid `grid_id` with the column definitions `defs`, every column
    shown until the user hides some."""
    options = chooser_options(defs)
    fields = [o["value"] for o in options]
    return html.Details(
        [
            html.Summary(
                summary_text(len(fields), len(fields)),
                id={"type": SUMMARY, "grid": grid_id},
                className="btn btn-sm btn-outline-secondary",
            ),
            html.Fieldset(
                [
                    html.Legend("Columns to show", className="small fw-semibold mb-1"),
                    dbc.Checklist(
                        id={"type": CHOOSER, "grid": grid_id},
                        options=options,
                        value=fields,
                        inline=True,
                        persistence=True,
                        persistence_type="local",
                    ),
                ],
                className="grid-columns-panel border rounded p-2 mt-1",
            ),
        ],
        className="grid-columns mb-2",
    )


def with_chooser(grid_id: str, defs: Sequence[dict[str, Any]], table: Layout) -> Layout:
    """`table` (the AG Grid `grid_id`) under its column chooser."""
    return html.Div([column_chooser(grid_id, defs), table], className="grid-with-columns")


# Shows the ticked columns and hides the rest, in the browser, whenever the ticks change and
# when the chooser is first drawn (with the ticks persisted from the last visit).
clientside_callback(
    ClientsideFunction(namespace="trackerGrid", function_name="showColumns"),
    Output({"type": SUMMARY, "grid": MATCH}, "children"),
    Input({"type": CHOOSER, "grid": MATCH}, "value"),
    State({"type": CHOOSER, "grid": MATCH}, "options"),
    State({"type": CHOOSER, "grid": MATCH}, "id"),
)
