"""Downloads: the CSV/Excel buttons, which one was clicked, and the file sent.

Every table download on every page is built here from the same frame the page shows,
through ``tracker.exports`` (spreadsheet formulas neutralised), with the vocabulary's column
headers and, in Excel, a note sheet saying what the figures are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Literal

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from tracker.access import Principal
from tracker.components.alerts import as_of_text
from tracker.components.fields import button
from tracker.components.guard import callback_principal
from tracker.exports import to_csv_bytes, to_xlsx_bytes
from tracker.vocabulary import label

Layout = Any
Format = Literal["csv", "xlsx"]
#: Each download format's button: the format, its Bootstrap icon and its word.
_FORMATS: tuple[tuple[Format, str, str], ...] = (
    ("csv", "bi-filetype-csv", "CSV"),
    ("xlsx", "bi-file-earmark-excel", "Excel"),
)


def download_buttons(prefix: str, label_text: str = "Download") -> Layout:
    """CSV and Excel buttons plus their ``dcc.Download``; ids ``<prefix>-csv``,
    ``<prefix>-xlsx`` and ``<prefix>-download``. The page's callback builds the file with
    ``send_table`` from the same figures it shows, under the same disclosure rules."""
    buttons = [
        dbc.Button(
            [html.I(className=f"bi {icon} me-1"), f"{label_text} {word}"],
            id=f"{prefix}-{fmt}",
            size="sm",
            color="secondary",
            outline=True,
        )
        for fmt, icon, word in _FORMATS
    ]
    return html.Div([*buttons, dcc.Download(id=f"{prefix}-download")], className="d-flex gap-2")


def file_button(
    text: str | list[Layout], button_id: str, download_id: str | None = None
) -> list[Layout]:
    """A secondary button that downloads one file, and its ``dcc.Download`` (id
    ``<button_id>-download`` unless given): an import template, a calendar, a scenario file."""
    download = dcc.Download(id=download_id or f"{button_id}-download")
    return [button(text, button_id, "secondary", outline=True), download]


def chosen_format() -> Format:
    """The format of the download button that was clicked; no update unless one was
    (a crafted or initial call without a click downloads nothing)."""
    if not ctx.triggered_id or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    return "xlsx" if str(ctx.triggered_id).endswith("xlsx") else "csv"


def send_table(
    frame: pd.DataFrame,
    *,
    fmt: Format,
    filename: str,
    note: str | None = None,
    as_of: date | None = None,
    headers: Literal["labels", "figures", "codes"] = "labels",
) -> dict[str, Any]:
    """A ``dcc.Download`` payload of `frame`: headers from the vocabulary (``"figures"`` for
    pipeline figure tables, ``"codes"`` to keep the column codes), the note and as-of date on
    the Excel note sheet."""
    out = (
        frame
        if headers == "codes"
        else frame.rename(
            columns={c: label(c, figures=headers == "figures") for c in frame.columns}
        )
    )
    if fmt == "xlsx":
        full_note = (note or "") + (f" {as_of_text(as_of)}" if as_of else "")
        data = to_xlsx_bytes(out, sheet_name=filename[:31], note=full_note or None)
        return dcc.send_bytes(data, f"{filename}.xlsx")
    return dcc.send_bytes(to_csv_bytes(out), f"{filename}.csv")


def table_download(prefix: str) -> tuple[Output, Input, Input]:
    """The output and the two button inputs of a table's download callback, for the
    buttons a card's ``download=<prefix>`` draws."""
    return (
        Output(f"{prefix}-download", "data"),
        Input(f"{prefix}-csv", "n_clicks"),
        Input(f"{prefix}-xlsx", "n_clicks"),
    )


def report_download(
    page: str, name: str, filename: str, table: Callable[[Principal], tuple[pd.DataFrame, str]]
) -> None:
    """Register ``name``, the callback of the CSV/Excel buttons of the card drawn with
    ``download=<page>-table``: it sends ``table(principal)`` (the frame as the page shows it,
    under the same disclosure control, and its note) as ``<filename>.csv`` or ``.xlsx``."""

    def download(_csv: int | None, _xlsx: int | None) -> Any:
        fmt = chosen_format()
        frame, note = table(callback_principal(page))
        return send_table(frame, fmt=fmt, filename=filename, note=note)

    download.__name__ = name
    callback(*table_download(f"{page}-table"), prevent_initial_call=True)(download)
