"""Single sign-on in a real browser against a real OpenID provider: a first sign-in waits,
an administrator approves it on the Users page, and the next sign-in opens the tracker."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from tests.browser.conftest import BrowserPage, LiveApp
from tests.oidc.provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider

pytestmark = pytest.mark.browser

SETTINGS_KEY = "tracker_settings"


@pytest.fixture
def sso_live(live_app: LiveApp) -> Iterator[Provider]:
    """The live app configured for a provider that knows its callback, for one test."""
    server = live_app.app.server
    before = server.extensions[SETTINGS_KEY]
    with running_provider([f"{live_app.url}/login/sso/callback"]) as provider:
        server.extensions[SETTINGS_KEY] = dataclasses.replace(
            before,
            oidc_issuer=provider.issuer,
            oidc_client_id=CLIENT_ID,
            oidc_client_secret=CLIENT_SECRET,
            oidc_scopes="openid profile email groups",
        )
        try:
            yield provider
        finally:
            server.extensions[SETTINGS_KEY] = before


def _sign_in_with_provider(page: object, account: str) -> None:
    page.click("#signin-sso")  # type: ignore[attr-defined]
    page.fill("input[name=login]", account)  # type: ignore[attr-defined]
    page.fill("input[name=password]", "any password")  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.click("button:has-text('Continue')")  # type: ignore[attr-defined]  # consent


def test_first_sign_in_waits_until_an_administrator_approves(
    browser_page: BrowserPage, sso_live: Provider
) -> None:
    page = browser_page.page
    browser_page.goto("/login")
    _sign_in_with_provider(page, "bob")
    alert = page.locator(".alert-danger")
    alert.wait_for()
    assert "has no access yet" in alert.inner_text()
    # The provider's own pages ask for web fonts this machine cannot reach and for a favicon
    # it lacks ("Not Found", its server's casing), and the browser logs the pending answer's
    # 403: none of them is a tracker page failing.
    expected = ("ERR_NAME_NOT_RESOLVED", "404 (Not Found)", "403 (FORBIDDEN)")
    assert all(
        any(words in error for words in expected) for error in browser_page.console_errors
    ), browser_page.console_errors
    browser_page.console_errors.clear()

    browser_page.sign_in("admin")
    browser_page.goto("/users")
    page.wait_for_selector("#users-claims-rules")
    row = page.locator("#users-pending-grid .ag-row", has_text="bob@trust.example")
    row.locator(".ag-checkbox-input").click()
    page.select_option("#users-pending-role", "collaborative")
    page.click("#users-approve")
    page.wait_for_selector("#users-pending-message .alert-success")
    page.wait_for_selector("#users-grid >> text=bob@trust.example")
    browser_page.sign_out()

    # The provider remembers Bob and his consent: straight back into the tracker.
    page.click("#signin-sso")
    page.wait_for_selector(".tracker-nav")
    assert page.locator("#nav-user").inner_text().startswith("bob@trust.example")
    assert browser_page.console_errors == [], browser_page.console_errors
