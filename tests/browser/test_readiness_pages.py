"""The learner readiness page in a real browser: an HEI user records a learner's DBS check
and sees the learner become ready; a coordinator reads every HEI's learners, with no form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from tests.browser.conftest import BrowserPage, LiveApp
from tracker.access import Principal
from tracker.clock import utcnow
from tracker.models import Organisation, Role
from tracker.queries.readiness import readiness_register

pytestmark = pytest.mark.browser


def _hei_user(live_app: LiveApp) -> Principal:
    """The demo HEI account's principal (it belongs to the first HEI by code)."""
    with Session(live_app.engine) as session:
        hei = session.exec(
            select(Organisation).where(Organisation.kind == "hei").order_by(Organisation.code)
        ).first()
    assert hei is not None
    return Principal("hei", Role.HEI, hei_id=hei.id, hei_code=hei.code)


def _learner(live_app: LiveApp, principal: Principal, ref: str) -> dict[str, Any]:
    with Session(live_app.engine) as session:
        frame = readiness_register(session, principal=principal, today=utcnow().date())
    return dict(frame.set_index("learner_ref").loc[ref])


def test_an_hei_user_records_a_dbs_check_and_the_learner_becomes_ready(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    principal = _hei_user(live_app)
    today = utcnow().date()
    with Session(live_app.engine) as session:
        frame = readiness_register(session, principal=principal, today=today)
    horizon = today + timedelta(days=60)

    def lasting(column: str) -> Any:
        return frame[column].map(lambda day: day is not None and day >= horizon)

    waiting = frame[
        (frame["not_recorded"] == "DBS check")
        & lasting("occupational_health_valid_until")
        & lasting("mandatory_training_valid_until")
    ]
    ref = str(waiting.iloc[0]["learner_ref"])  # the demo has such learners at every HEI
    before = _learner(live_app, principal, ref)
    assert before["readiness_status"] == "not_ready"
    ready_until = min(
        before["occupational_health_valid_until"], before["mandatory_training_valid_until"]
    )

    page = browser_page.page
    browser_page.sign_in("hei")
    browser_page.goto("/readiness")
    page.wait_for_selector("#readiness-grid .ag-row")
    page.fill("#readiness-search", ref)
    page.press("#readiness-search", "Enter")
    # the row's Edit checkbox, in its own column pinned at the left edge
    row = page.locator(f'#readiness-grid .ag-row[row-id="{before["id"]}"]')
    row.locator(".ag-selection-checkbox input").check()
    page.locator("#readiness-form-mode").filter(has_text=ref).wait_for()
    page.fill("#readiness-dbs", (today + timedelta(days=700)).isoformat())
    page.click("#readiness-save")
    page.locator("#readiness-message").filter(has_text=f"Saved the checks of {ref}").wait_for()
    after = _learner(live_app, principal, ref)
    assert after["readiness_status"] == "ready"
    assert after["ready_until"] == ready_until
    cell = row.locator('[col-id="readiness_status"]')
    cell.filter(has_text="Ready").wait_for()
    assert browser_page.console_errors == []

    browser_page.sign_out()
    browser_page.sign_in("coordinator")
    browser_page.goto("/readiness")
    page.wait_for_selector("#readiness-grid .ag-row")
    assert not page.locator("#readiness-save").is_visible()
    assert browser_page.console_errors == []
