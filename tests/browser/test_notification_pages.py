"""Notifications in a real browser: a coordinator chooses how they hear of requests (from the
account menu), an HEI request queues their message accordingly, and an administrator finds
it in the e-mail outbox, filtered by status; other roles are refused the outbox."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from tests.browser.conftest import BrowserPage, LiveApp
from tracker.access import Principal
from tracker.db import session_scope
from tracker.models import (
    Cohort,
    NotificationPreference,
    OutboxMessage,
    PlacementBlock,
    Role,
    User,
)
from tracker.services.requests import submit_request

pytestmark = pytest.mark.browser


def _submit_hei_request(live_app: LiveApp) -> str:
    with session_scope(live_app.engine) as session:
        hei = session.exec(select(User).where(User.username == "hei")).one()
        cohort = session.exec(select(Cohort).where(Cohort.hei_id == hei.hei_id)).first()
        assert cohort is not None and cohort.id is not None
        principal = Principal("hei", Role.HEI, user_id=hei.id, hei_id=hei.hei_id)
        block = session.exec(select(PlacementBlock.code).order_by(PlacementBlock.code)).first()
        assert block is not None
        request = submit_request(
            session, principal=principal, cohort_id=cohort.id, block=block, learners=1
        )
        return request.code


def test_a_user_sets_a_preference_and_an_admin_sees_the_outbox(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    page = browser_page.page
    browser_page.sign_in("coordinator")
    browser_page.goto("/")
    page.click("#nav-user")
    page.click("#nav-notifications")
    page.wait_for_selector("#notifications-email")
    page.fill("#notifications-email", "coord.browser@trust.test")
    page.check("#notifications-request input[value=digest]", force=True)
    page.click("#notifications-save")
    page.wait_for_selector("#notifications-message >> text=Saved your notification settings")
    with Session(live_app.engine) as session:
        me = session.exec(select(User).where(User.username == "coordinator")).one()
        assert me.email == "coord.browser@trust.test"
        chosen = session.get(NotificationPreference, (me.id, "request"))
        assert chosen is not None and chosen.mode == "digest"

    page.fill("#notifications-email", "not an address")
    page.click("#notifications-save")
    page.wait_for_selector("#notifications-message >> text=is not an e-mail address")

    code = _submit_hei_request(live_app)
    with Session(live_app.engine) as session:
        mine = session.exec(
            select(OutboxMessage).where(
                col(OutboxMessage.address) == "coord.browser@trust.test",
                col(OutboxMessage.subject).contains(code),
            )
        ).one()
        assert mine.status == "held"  # the digest gathers it

    browser_page.sign_out()
    browser_page.sign_in("hei")
    browser_page.goto("/outbox")
    page.wait_for_selector("#page-forbidden")

    browser_page.sign_out()
    browser_page.sign_in("admin")
    browser_page.goto("/outbox")
    page.wait_for_selector("#outbox-not-configured")
    row = page.locator("#outbox-grid .ag-row", has_text=code)
    row.first.wait_for()
    assert "coord.browser@trust.test" in row.first.inner_text()
    page.click("#outbox-status")
    page.keyboard.type("Sent")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(code) => !document.querySelector('#outbox-grid').innerText.includes(code)", arg=code
    )
    assert browser_page.console_errors == [], browser_page.console_errors
