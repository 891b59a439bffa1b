"""A coordinator replaces a named learner's practice supervisor on the allocation review's
*Named learners* tab, in a proposed plan before it is published, in a real browser on the
demo data.

On a block and programme no other browser test reads: 2026-B3, learning disability nursing
(NMC learners, with a supervisor and an assessor in their field).
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.browser.conftest import BrowserPage, LiveApp
from tests.browser.test_allocation_pages import run_allocation
from tests.browser.test_staff_change_pages import change_supervisor, someone_to_take_over
from tracker.models import AuditLog, Placement

pytestmark = pytest.mark.browser

BLOCK, PROGRAMME = "2026-B3", "LDN"


def test_a_coordinator_replaces_a_supervisor_in_a_proposed_plan(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    page = browser_page.page
    run_id = run_allocation(browser_page, BLOCK, PROGRAMME, "named staff change browser test")
    page.locator("#allocation-status").filter(has_text="succeeded").wait_for()
    page.click("#allocation-assign")
    message = page.locator("#allocation-action-message")
    message.filter(has_text="with a named supervisor and assessor").wait_for(timeout=120_000)
    placement_id, before, staff_id, after = someone_to_take_over(live_app.engine, run_id)

    page.click("a.nav-link:has-text('Named learners')")
    row = change_supervisor(
        page, "allocation-named", "allocation-named-grid", placement_id, staff_id, after
    )
    cell = page.locator(f"{row} [col-id='practice_supervisor']").first
    cell.filter(has_text=after).wait_for()
    assert before != after
    with Session(live_app.engine) as session:
        stored = session.get(Placement, placement_id)
        audits = session.exec(
            select(AuditLog).where(
                AuditLog.action == "placement.named_staff", AuditLog.entity_id == str(placement_id)
            )
        ).all()
    assert stored is not None and stored.practice_supervisor_id == staff_id
    assert stored.status == "proposed"
    assert len(audits) == 1
    assert browser_page.console_errors == []
