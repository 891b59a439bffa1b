"""The app shell in a real browser: sign-in, navigation by role, home numbers, sign-out."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from tests.browser.conftest import BrowserPage, LiveApp
from tracker.access import Principal
from tracker.models import Role
from tracker.queries.overview import headline_counts

pytestmark = pytest.mark.browser


def test_unsigned_visitor_is_sent_to_sign_in(browser_page: BrowserPage) -> None:
    browser_page.goto("/")
    browser_page.page.wait_for_selector("#signin-submit")
    assert "/login" in browser_page.page.url


def test_wrong_password_is_refused(browser_page: BrowserPage) -> None:
    page = browser_page.page
    browser_page.goto("/login")
    page.fill("#username", "admin")
    page.fill("#password", "not-the-password")
    page.click("#signin-submit")
    assert page.locator(".alert-danger").inner_text().startswith("Unknown username")


def test_admin_sees_home_numbers_from_the_database(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    browser_page.sign_in("admin")
    page = browser_page.page
    page.wait_for_selector("#home-learners-value")
    with Session(live_app.engine) as session:
        counts = headline_counts(session, principal=Principal("admin", Role.ADMIN))
    shown = page.locator("#home-learners-value").inner_text()
    assert int(shown.replace(",", "")) == counts.learners > 1000
    assert browser_page.console_errors == []


def test_navigation_shows_only_pages_the_role_may_use(browser_page: BrowserPage) -> None:
    browser_page.sign_in("hei")
    nav = browser_page.page.locator(".tracker-nav").inner_text()
    assert "Home" in nav
    assert not re.search(r"\bUsers\b", nav)
    assert browser_page.console_errors == []


def test_sign_out_ends_the_session(browser_page: BrowserPage) -> None:
    browser_page.sign_in("coordinator")
    browser_page.sign_out()
    browser_page.goto("/")
    assert "/login" in browser_page.page.url
