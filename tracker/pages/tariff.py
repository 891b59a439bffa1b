"""Expected education and training tariff of the published placements, per provider
organisation, sector and financial year: what hosting learners brings a GP practice, a care
home or a trust.

Coordinators, administrators and collaborative members see the whole system (figures outside
the owning HEI disclosure-controlled by ``services.tariff_reports``); HEI users see their own
HEI's placements only. The rates in use are listed beneath, with their sources.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from tracker import components as ui
from tracker.access import Principal
from tracker.queries.tariff import RATE_COLUMNS, tariff_rates
from tracker.services.tariff_reports import TARIFF_COLUMNS, tariff_report

PAGE = "tariff"
dash.register_page(__name__, path="/tariff", name="Tariff", order=33, access=PAGE)


def _report(principal: Principal) -> Any:
    with ui.reading() as session:
        return tariff_report(session, principal=principal, policy=ui.app_disclosure_policy())


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    report = _report(principal)
    with ui.reading() as session:
        rates = tariff_rates(session)
    scope = (
        "Your HEI's published placements"
        if principal.is_hei
        else "Published placements at your organisation's settings"
        if principal.is_provider
        else "Published (confirmed and completed) placements"
    )
    return html.Div(
        [
            ui.page_header(
                "Education and training tariff",
                f"{scope}: eligible placement weeks and the tariff they are expected to earn "
                "per provider organisation, sector and financial year.",
            ),
            ui.disclosure_notice(PAGE, report.note, report.exact),
            ui.stat_row(
                [
                    ui.stat_card(
                        "Expected tariff",
                        ui.format_money(report.tariff),
                        "at each financial year's rate",
                        card_id=f"{PAGE}-total",
                    ),
                    ui.stat_card(
                        "Eligible placement weeks",
                        f"{report.eligible_weeks:,.1f}",
                        "learner weeks, full-time",
                        card_id=f"{PAGE}-weeks",
                    ),
                ]
            ),
            ui.table_card(
                "Expected tariff by organisation, sector and financial year",
                f"{PAGE}-table",
                ui.grid(
                    f"{PAGE}-grid",
                    TARIFF_COLUMNS,
                    ui.records(report.rows()),
                    height=480,
                    fit_content=True,
                ),
                note="Eligible: at least a week, a setting that counts or names supervisors for "
                "the profession group, an in-date educational audit for the programme; shadowing "
                "is not recorded and taken as absent. Placements across 31 March are split by "
                "days at each year's rate. See docs/measures.md.",
            ),
            ui.card(
                "Rates in use",
                ui.grid(
                    f"{PAGE}-rates",
                    RATE_COLUMNS,
                    ui.records(rates),
                    height=260,
                    fit_content=True,
                ),
                note="The tariff table (import kind 'tariff'); a yearly rate is divided by its "
                "weeks per placement year.",
            ),
        ]
    )


def _table(principal: Principal) -> tuple[Any, str]:
    """The table as the page shows it (the same disclosure control), for its CSV or Excel."""
    report = _report(principal)
    return report.rows(), report.note


ui.report_download(PAGE, "download_tariff", "tariff", _table)
