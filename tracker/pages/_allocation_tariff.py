"""The allocation review's Tariff tab: eligible placement weeks and expected tariff per
provider organisation, sector and financial year of the chosen run's plan, with a download.

Private to ``tracker/pages/allocation.py`` (which imports it, so its callbacks register); the
component ids are the page's (``allocation-tariff-<thing>``). Figures come from
``services.tariff_reports`` under the same disclosure rules as the system view.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import callback, html

from tracker import components as ui
from tracker.access import Principal
from tracker.services.tariff_reports import TARIFF_COLUMNS, TariffReport, tariff_report

PAGE = "allocation"


def tariff_tab() -> Any:
    """The tab: a line of totals, the table and its CSV/Excel buttons."""
    return dbc.Tab(
        [
            html.Div(
                [
                    html.P(
                        "Choose a run to see what its plan would earn.",
                        id=f"{PAGE}-tariff-summary",
                        className="small mb-0",
                    ),
                    ui.download_buttons(f"{PAGE}-tariff"),
                ],
                className="d-flex justify-content-between align-items-center gap-2 mb-2",
            ),
            ui.grid(f"{PAGE}-tariff-grid", TARIFF_COLUMNS, height=360),
            html.P(
                "Eligible: at least a week, supervisors counted or named for the group, an "
                "in-date educational audit; shadowing is not recorded. Placements across 31 "
                "March are split by days at each year's rate (docs/measures.md).",
                className="small text-muted mt-2",
            ),
        ],
        label="Tariff",
        tab_id="tariff",
    )


def _report(principal: Principal, run_id: int) -> TariffReport:
    with ui.reading() as session:
        return tariff_report(
            session, principal=principal, run_id=run_id, policy=ui.app_disclosure_policy()
        )


@callback(
    *ui.children(PAGE, "tariff-summary"),
    *ui.grid_rows(PAGE, "tariff-grid"),
    *ui.stores(PAGE, "selected", "changed"),
)
def show_tariff(run_id: int | None, _changed: Any) -> Any:
    """The chosen run's plan priced at the tariff table's rates."""
    if not run_id:
        return "Choose a run to see what its plan would earn.", []
    report = _report(ui.callback_principal(PAGE), int(run_id))
    summary = (
        f"Run {run_id}: {report.eligible_weeks:,.1f} eligible placement weeks, expected "
        f"tariff {ui.format_money(report.tariff)}. {report.note}"
    )
    return summary, ui.records(report.rows())


@callback(
    *ui.table_download(f"{PAGE}-tariff"),
    *ui.stored(PAGE, "selected"),
    prevent_initial_call=True,
)
def download_tariff(_csv: int | None, _xlsx: int | None, run_id: int | None) -> Any:
    """The plan's tariff table as the tab shows it, as CSV or Excel."""
    fmt = ui.chosen_format()
    if not run_id:
        return None
    report = _report(ui.callback_principal(PAGE), int(run_id))
    return ui.send_table(report.rows(), fmt=fmt, filename=f"run-{run_id}-tariff", note=report.note)
