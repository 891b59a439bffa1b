"""How many learners are behind on practice hours, by programme and HEI: the collaborative's
and coordinators' view of the system, with no learner-level row.

Figures come from ``services.hours_reports.hours_behind_report``: administrators see them
exact, everyone else under the deployment's disclosure policy (rounded counts, small ones
hidden, secondary suppression across the programme and HEI totals, the share behind from the
shown counts). The page draws one table with its totals and no filters, so no two views of it
can be subtracted from each other; the download is that same table.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from tracker import clock
from tracker import components as ui
from tracker.access import Principal
from tracker.queries.hours import hours_as_of
from tracker.services.hours_reports import HoursBehindReport, hours_behind_report

PAGE = "hours-behind"
dash.register_page(
    __name__, path="/hours-behind", name="Learners behind on hours", order=35, access=PAGE
)

COLUMNS = ["programme", "hei", "learners", "behind", "behind_share"]


def _report(principal: Principal) -> HoursBehindReport:
    with ui.reading() as session:
        return hours_behind_report(
            session,
            principal=principal,
            today=hours_as_of(session, today=clock.today()),
            policy=ui.app_disclosure_policy(),
        )


@ui.page_guard(PAGE)
def layout(principal: Principal, **_query: Any) -> Any:
    report = _report(principal)
    return html.Div(
        [
            ui.page_header(
                "Learners behind on practice hours",
                f"Learners in training on {report.as_of:%d %B %Y} (the latest week of hours "
                "recorded) with a practice requirement, and how many are behind the position "
                "expected then by more than their programme's margin, by programme and HEI.",
            ),
            ui.disclosure_notice(PAGE, report.note, report.exact),
            ui.table_card(
                "Learners behind by programme and HEI",
                f"{PAGE}-table",
                ui.table(f"{PAGE}-grid", report.table.text, COLUMNS, height=480),
                note="'All' rows are each programme's, each HEI's and the system's totals. "
                "A learner behind on any requirement of their programme (midwifery: hours or "
                "births) counts once. Expected: the requirement pro rata over the time on "
                "programme. See docs/measures.md.",
            ),
        ]
    )


def _table(principal: Principal) -> tuple[Any, str]:
    """The table as the page shows it (the same disclosure control), for its CSV or Excel."""
    report = _report(principal)
    return report.table.download(COLUMNS), report.note


ui.report_download(PAGE, "download_hours_behind", "hours-behind", _table)
