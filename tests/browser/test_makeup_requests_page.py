"""The Requests page in a real browser: an HEI user says how many of a request's learners
make up practice hours, and the register shows it."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.browser.conftest import BrowserPage, LiveApp
from tracker.access import Principal
from tracker.db import session_scope
from tracker.models import Organisation, PlacementRequest, Role, User
from tracker.queries.requests import requests_register
from tracker.services.requests import set_makeup_learners

pytestmark = pytest.mark.browser


def test_an_hei_user_sets_make_up_learners_on_a_request(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    with Session(live_app.engine) as session:
        user = session.exec(select(User).where(User.username == "hei")).one()
        hei = session.get(Organisation, user.hei_id)
        assert hei is not None
        principal = Principal("hei", Role.HEI, hei_id=hei.id, hei_code=hei.code)
        own = requests_register(session, principal=principal, status=["submitted"])
    request = own[own["learners"] >= 2].iloc[0]
    makeup = int(request["learners"]) // 2 or 1
    page = browser_page.page
    browser_page.sign_in("hei")
    browser_page.goto("/requests")
    page.wait_for_selector("#requests-grid .ag-row")
    row = page.locator(f'#requests-grid .ag-row[row-id="{request["id"]}"]')
    row.locator(".ag-selection-checkbox input").check()
    page.fill("#requests-makeup", str(makeup))
    page.click("#requests-set-makeup")
    said = f"Request {request['request_id']}: {makeup} of {request['learners']} learners"
    page.locator("#requests-message").filter(has_text=said).wait_for()
    cell = row.locator('[col-id="makeup_learners"]')
    cell.filter(has_text=str(makeup)).wait_for()
    with Session(live_app.engine) as session:
        stored = session.get(PlacementRequest, int(request["id"]))
        assert stored is not None and stored.makeup_learners == makeup
        version = stored.version
    assert browser_page.console_errors == []
    # leave the shared demo system as it was for the other browser tests
    with session_scope(live_app.engine) as session:
        set_makeup_learners(
            session, principal=principal, request_id=int(request["id"]), version=version, makeup=0
        )
