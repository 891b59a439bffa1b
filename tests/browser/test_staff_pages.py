"""The practice staff page in a real browser: a coordinator records a staff member through
the form and sees them in the grid (then removes them), and an HEI user reads the register
only; an HEI user records one of its own academic assessors."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.browser.conftest import BrowserPage, LiveApp
from tests.browser.test_allocation_pages import _choose
from tracker.access import Principal
from tracker.clock import utcnow
from tracker.models import Role
from tracker.queries.settings import settings_register
from tracker.queries.staff import academic_assessors_register, practice_staff_register

pytestmark = pytest.mark.browser

STAFF = Principal("coordinator", Role.COORDINATOR)
REF = "ZZ-PS-9001"


def _choose_many(page: object, dropdown_id: str, values: list[str]) -> None:
    for value in values:
        _choose(page, dropdown_id, value)


def test_a_coordinator_records_a_staff_member_and_sees_them_in_the_grid(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    with Session(live_app.engine) as session:
        setting = dict(settings_register(session, principal=STAFF).iloc[0])
    page = browser_page.page
    browser_page.sign_in("coordinator")
    browser_page.goto("/practice-staff")
    page.wait_for_selector("#practice-staff-grid")

    page.fill("#practice-staff-ref", REF)
    _choose(page, "practice-staff-form-organisation", str(setting["organisation"]))
    _choose_many(page, "practice-staff-form-settings", [str(setting["setting_id"])])
    _choose_many(page, "practice-staff-form-roles", ["practice_supervisor"])
    _choose(page, "practice-staff-form-group", "nursing")
    page.fill("#practice-staff-prepared-on", "2025-01-06")
    page.click("#practice-staff-save")
    page.locator("#practice-staff-message").filter(has_text=f"Saved {REF}").wait_for()
    page.fill("#practice-staff-search", REF)
    page.press("#practice-staff-search", "Enter")  # the search box is debounced
    with Session(live_app.engine) as session:
        saved = practice_staff_register(session, principal=STAFF, today=utcnow().date())
    staff_id = int(saved.loc[saved["staff_ref"] == REF, "id"].iloc[0])
    # the reference is pinned on the left; the rest of its row holds the roles in words
    rest = page.locator(f"#practice-staff-grid .ag-center-cols-container [row-id='{staff_id}']")
    rest.filter(has_text="Practice supervisor").wait_for()
    page.click("#practice-staff-new")
    page.locator("#practice-staff-form-mode").filter(has_text="New staff member").wait_for()
    # selecting the row (its checkbox, pinned on the left) opens it in the form
    page.locator(f"#practice-staff-grid [row-id='{staff_id}'] .ag-selection-checkbox").click()
    page.locator("#practice-staff-form-mode").filter(has_text=f"Editing {REF}").wait_for()
    assert page.input_value("#practice-staff-prepared-on") == "2025-01-06"

    page.click("#practice-staff-delete")  # the saved member is the one being edited
    page.locator("#practice-staff-message").filter(has_text="Staff member deleted").wait_for()
    assert browser_page.console_errors == []

    browser_page.sign_out()
    browser_page.sign_in("hei")
    browser_page.goto("/practice-staff")
    page.wait_for_selector("#practice-staff-grid")
    assert not page.locator("#practice-staff-save").is_visible()
    browser_page.goto("/academic-assessors")
    page.wait_for_selector("#academic-assessors-grid")
    page.click("#academic-assessors-new")
    hei = page.locator("#academic-assessors-form-hei")
    hei.click()
    page.locator("[role=option]").first.click()
    page.keyboard.press("Escape")
    page.fill("#academic-assessors-ref", "ZZ-AA-9001")
    page.click("#academic-assessors-save")
    page.locator("#academic-assessors-message").filter(has_text="Saved ZZ-AA-9001").wait_for()
    with Session(live_app.engine) as session:
        mine = academic_assessors_register(session, principal=STAFF)
    assessor_id = int(mine.loc[mine["staff_ref"] == "ZZ-AA-9001", "id"].iloc[0])
    page.click("#academic-assessors-new")
    page.fill("#academic-assessors-search", "ZZ-AA-9001")
    page.press("#academic-assessors-search", "Enter")  # the search box is debounced
    page.locator(
        f"#academic-assessors-grid [row-id='{assessor_id}'] .ag-selection-checkbox"
    ).click()
    mode = page.locator("#academic-assessors-form-mode")
    mode.filter(has_text="Editing ZZ-AA-9001").wait_for()
    page.click("#academic-assessors-delete")
    page.locator("#academic-assessors-message").filter(has_text="deleted").wait_for()
    assert browser_page.console_errors == []
