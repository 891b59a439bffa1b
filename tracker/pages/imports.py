"""Imports: upload a CSV or Excel file, preview it with every problem listed, then import.

The preview and the import run the same validation (the importers' service), so what the
preview accepts is exactly what the import writes; a rejected file writes nothing.
"""

from __future__ import annotations

import base64
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from tracker import components as ui
from tracker.access import Principal
from tracker.data.importers import (
    MIB,
    ImportLimits,
    ImportRejected,
    ImportReport,
    importable_kinds,
    read_table,
    spec_for,
    template_csv,
)
from tracker.refusals import Refused
from tracker.services.imports import apply_import, preview_import, tell_import_rejected
from tracker.vocabulary import IMPORT_KINDS, options

dash.register_page(__name__, path="/imports", name="Imports", order=40, access="imports")

PREVIEW_ROWS = 20


def _columns_table(kind: str) -> Any:
    spec = spec_for(kind)
    rows = [
        html.Tr(
            [
                html.Td(html.Code(c.name)),
                html.Td("required" if c.required else "optional"),
                html.Td(c.description),
            ]
        )
        for c in spec.columns
    ]
    return html.Div(
        [
            html.P(spec.description, className="mb-2"),
            dbc.Table(
                [
                    html.Thead(html.Tr([html.Th("Column"), html.Th("Needed"), html.Th("Meaning")])),
                    html.Tbody(rows),
                ],
                size="sm",
                bordered=False,
                striped=True,
            ),
        ]
    )


@ui.page_guard("imports")
def layout(principal: Principal, kind: str | None = None, **_query: Any) -> Any:
    kinds = importable_kinds(principal)
    chosen = kind if kind in kinds else kinds[0]
    limits = _limits()
    return html.Div(
        [
            ui.page_header(
                "Imports",
                "Load registers and learner records from CSV or Excel: every row is checked, "
                "and one bad row rejects the whole file so nothing is half-loaded.",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("What are you importing?", html_for="imports-kind"),
                            dbc.Select(
                                id="imports-kind",
                                options=options({k: IMPORT_KINDS[k] for k in kinds}),
                                value=chosen,
                                className="mb-2",
                            ),
                            *ui.file_button(
                                [html.I(className="bi bi-download me-1"), "Template"],
                                "imports-template",
                            ),
                            html.Div(
                                _columns_table(chosen), id="imports-columns", className="mt-3 small"
                            ),
                        ],
                        lg=4,
                    ),
                    dbc.Col(
                        [
                            ui.named(
                                dcc.Upload(
                                    id="imports-upload",
                                    children=html.Div(
                                        [
                                            "Drop a CSV or .xlsx file here, or ",
                                            html.A("choose a file"),
                                            f" (at most {limits.max_bytes // MIB} MB "
                                            f"and {limits.max_rows:,} rows)",
                                        ]
                                    ),
                                    className=(
                                        "border border-2 rounded p-4 text-center bg-light mb-3"
                                    ),
                                    multiple=False,
                                    max_size=limits.max_bytes,
                                ),
                                "Choose a file to import",
                            ),
                            html.Div(id="imports-report"),
                            dbc.Button(
                                "Import",
                                id="imports-submit",
                                color="primary",
                                disabled=True,
                                className="mb-3",
                            ),
                            html.Div(id="imports-result"),
                            html.Div(id="imports-preview"),
                        ],
                        lg=8,
                    ),
                ]
            ),
        ]
    )


def _problems_grid(report: ImportReport) -> Any:
    rows = [
        {"row": p.row, "column": p.column, "value": p.value, "problem": p.message}
        for p in report.problems
    ]
    return dag.AgGrid(
        id="imports-problems",
        rowData=rows,
        columnDefs=[
            {"field": "row", "maxWidth": 90},
            {"field": "column", "maxWidth": 180},
            {"field": "value", "maxWidth": 200},
            {"field": "problem", "width": 600},
        ],
        defaultColDef={"sortable": True, "filter": True, "resizable": True},
        style={"height": "320px"},
    )


def _report_view(report: ImportReport, *, done: bool) -> Any:
    if report.problems:
        return html.Div(
            [
                dbc.Alert(report.summary(), color="danger", id="imports-status"),
                _problems_grid(report),
            ]
        )
    verb = "Imported" if done else "Ready to import"
    return dbc.Alert(f"{verb}. {report.summary()}", color="success", id="imports-status")


def _permitted_kind(kind: str | None) -> str:
    """The caller's kind if their role may import it; anything else is no update."""
    principal = ui.callback_principal("imports")
    if kind not in importable_kinds(principal):
        raise PreventUpdate
    return kind


def _limits() -> ImportLimits:
    return ui.app_import_limits()


def _decode(contents: str) -> bytes:
    _, _, payload = contents.partition(",")
    return base64.b64decode(payload)


@callback(
    Output("imports-columns", "children"),
    Input("imports-kind", "value"),
    prevent_initial_call=True,
)
def show_columns(kind: str | None) -> Any:
    return _columns_table(_permitted_kind(kind))


@callback(
    Output("imports-template-download", "data"),
    Input("imports-template", "n_clicks"),
    State("imports-kind", "value"),
    prevent_initial_call=True,
)
def download_template(_clicks: int | None, kind: str | None) -> Any:
    chosen = _permitted_kind(kind)
    return dcc.send_string(template_csv(chosen), f"{chosen}-template.csv")


@callback(
    Output("imports-report", "children"),
    Output("imports-preview", "children"),
    Output("imports-submit", "disabled"),
    Output("imports-result", "children", allow_duplicate=True),
    Input("imports-upload", "contents"),
    Input("imports-kind", "value"),
    State("imports-upload", "filename"),
    prevent_initial_call=True,
)
def preview_upload(contents: str | None, kind: str, filename: str | None) -> tuple[Any, ...]:
    principal = ui.callback_principal("imports")
    if not contents or not filename:
        return None, None, True, None
    try:
        with ui.reading() as session:
            frame = read_table(filename, _decode(contents), _limits())
            report = preview_import(session, principal, kind, frame)
    except Refused as exc:
        return dbc.Alert(str(exc), color="danger", id="imports-status"), None, True, None
    preview = dag.AgGrid(
        id="imports-preview-grid",
        rowData=frame.head(PREVIEW_ROWS).to_dict("records"),
        columnDefs=[{"field": str(c)} for c in frame.columns],
        defaultColDef={"resizable": True},
        style={"height": "300px"},
    )
    caption = html.P(
        f"{filename}: first {min(PREVIEW_ROWS, len(frame))} of {len(frame)} rows.",
        className="text-muted small mb-1",
    )
    return _report_view(report, done=False), html.Div([caption, preview]), not report.ok, None


@callback(
    Output("imports-result", "children", allow_duplicate=True),
    Output("imports-submit", "disabled", allow_duplicate=True),
    Input("imports-submit", "n_clicks"),
    State("imports-upload", "contents"),
    State("imports-upload", "filename"),
    State("imports-kind", "value"),
    prevent_initial_call=True,
)
def import_upload(
    _clicks: int | None, contents: str | None, filename: str | None, kind: str
) -> tuple[Any, bool]:
    principal = ui.callback_principal("imports")
    if not contents or not filename:
        return dbc.Alert("Choose a file first.", color="warning"), True
    try:
        with ui.writing() as session:
            frame = read_table(filename, _decode(contents), _limits())
            report = apply_import(session, principal, kind, frame)
    except Refused as refused:
        if isinstance(refused, ImportRejected):  # the file's every problem, row by row
            with ui.writing() as session:  # the import rolled back; its notice is its own
                tell_import_rejected(session, principal, kind, refused.report)
            return _report_view(refused.report, done=False), True
        return dbc.Alert(str(refused), color="danger"), True
    return dbc.Alert(f"Imported. {report.summary()}", color="success", id="imports-done"), True
