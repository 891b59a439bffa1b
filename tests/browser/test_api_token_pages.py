"""API tokens on the Users page in a real browser: an administrator creates one (its secret
shown once), the API accepts it, the administrator revokes it and the API refuses it."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from sqlmodel import Session, select

from tests.browser.conftest import BrowserPage, LiveApp
from tracker.models import ApiToken, AuditLog

pytestmark = pytest.mark.browser


def _api_status(base_url: str, token: str) -> int:
    request = urllib.request.Request(
        f"{base_url}/api/v1/requests", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_admin_creates_a_token_the_api_accepts_then_revokes_it(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    browser_page.sign_in("admin")
    browser_page.goto("/users")
    page = browser_page.page
    page.select_option("#users-token-hei", "UNI-A")
    page.select_option("#users-token-scope", "write")
    page.fill("#users-token-label", "Student records (browser)")
    page.click("#users-token-create")
    secret_box = page.locator("#users-token-secret")
    secret_box.wait_for()
    secret = secret_box.input_value()
    assert secret.startswith("trk_")
    assert _api_status(live_app.url, secret) == 200

    row = page.locator("#users-token-grid .ag-row", has_text="Student records (browser)")
    row.wait_for()
    assert "Read, and push imports" in row.inner_text()
    assert secret not in page.locator("#users-token-grid").inner_text()
    row.locator(".ag-cell[col-id=label]").click()
    page.click("#users-token-revoke")
    page.wait_for_selector("#users-token-message >> text=revoked")
    assert _api_status(live_app.url, secret) == 401

    browser_page.goto("/users")  # shown once: a fresh view has no secret anywhere
    page.wait_for_selector("#users-token-grid .ag-row")
    assert secret not in page.content()
    with Session(live_app.engine) as session:
        token = session.exec(
            select(ApiToken).where(ApiToken.label == "Student records (browser)")
        ).one()
        actions = session.exec(
            select(AuditLog.action).where(
                AuditLog.entity == "api_token", AuditLog.entity_id == str(token.id)
            )
        ).all()
    assert token.revoked_at is not None and token.last_used_at is not None
    assert sorted(actions) == ["api_token.create", "api_token.revoke"]
    assert browser_page.console_errors == [], browser_page.console_errors
