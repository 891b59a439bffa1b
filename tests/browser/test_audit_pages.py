"""The educational audits page in a real browser: a coordinator renews an overdue setting's
audit through the form (and removes it again), and an HEI user reads the register only."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.browser.conftest import BrowserPage, LiveApp
from tests.browser.test_allocation_pages import _choose
from tracker.access import Principal
from tracker.clock import utcnow
from tracker.models import Role
from tracker.queries.audits import audits_due, audits_register
from tracker.services.audits import default_expiry

pytestmark = pytest.mark.browser

STAFF = Principal("coordinator", Role.COORDINATOR)


def _latest(live_app: LiveApp, setting: str) -> dict[str, object]:
    with Session(live_app.engine) as session:
        frame = audits_register(session, principal=STAFF, today=utcnow().date(), setting=[setting])
    return dict(frame.iloc[0])


def test_a_coordinator_renews_an_overdue_audit_and_an_hei_only_reads(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    with Session(live_app.engine) as session:
        due = audits_due(session, principal=STAFF, today=utcnow().date())
    overdue = str(due.loc[due["audit_status"] == "overdue", "setting_id"].iloc[0])
    page = browser_page.page
    browser_page.sign_in("coordinator")
    browser_page.goto("/audits")
    page.wait_for_selector("#audits-grid .ag-row")
    page.locator("#audits-due-card").filter(has_text=overdue).wait_for()

    today = utcnow().date()
    _choose(page, "audits-form-setting", overdue)
    page.fill("#audits-audited", today.isoformat())
    _choose(page, "audits-outcome", "approved")
    page.click("#audits-save")
    page.locator("#audits-message").filter(has_text="Saved the audit").wait_for()
    renewed = _latest(live_app, overdue)
    assert renewed["audited_on"] == today and renewed["audit_status"] == "in_date"
    assert renewed["expires_on"] == default_expiry(today, 24)  # the configured interval

    page.click("#audits-delete")  # the saved audit is the one being edited
    page.locator("#audits-message").filter(has_text="Audit deleted").wait_for()
    assert _latest(live_app, overdue)["audit_status"] == "overdue"
    assert browser_page.console_errors == []

    browser_page.sign_out()
    browser_page.sign_in("hei")
    browser_page.goto("/audits")
    page.wait_for_selector("#audits-grid .ag-row")
    assert not page.locator("#audits-save").is_visible()
    assert browser_page.console_errors == []
