"""Imports, users and audit pages in a real browser: their main paths end to end."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.browser.conftest import BrowserPage, LiveApp
from tracker.models import Organisation, User

pytestmark = pytest.mark.browser

_BAD = b"code,name,kind,place\nVCSE-B1,Good Row,vcse,Worcester\nVCSE-B2,,charity,Worcester\n"
_GOOD = b"code,name,kind,place\nVCSE-B1,Browser Test Befrienders,vcse,Worcester\n"


def _upload(page: object, name: str, content: bytes) -> None:
    page.set_input_files(  # type: ignore[attr-defined]
        "#imports-upload input[type=file]",
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}],
    )


def test_import_previews_every_problem_then_imports_a_good_file(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    browser_page.sign_in("coordinator")
    browser_page.goto("/imports")
    page = browser_page.page
    page.select_option("#imports-kind", "organisations")
    _upload(page, "orgs.csv", _BAD)
    status = page.locator("#imports-status")
    status.wait_for()
    assert "rejected, 2 problems" in status.inner_text()
    page.wait_for_selector("#imports-problems .ag-cell")
    problems = page.locator("#imports-problems").inner_text()
    assert "charity" in problems and "name" in problems
    assert page.locator("#imports-submit").is_disabled()

    _upload(page, "orgs-fixed.csv", _GOOD)
    page.wait_for_selector("#imports-status.alert-success")
    page.click("#imports-submit")
    page.wait_for_selector("#imports-done")
    assert "1 added" in page.locator("#imports-done").inner_text()
    with Session(live_app.engine) as session:
        org = session.exec(select(Organisation).where(Organisation.code == "VCSE-B1")).one()
    assert org.name == "Browser Test Befrienders"
    assert browser_page.console_errors == []


def test_hei_users_are_offered_only_their_own_kinds(browser_page: BrowserPage) -> None:
    browser_page.sign_in("hei")
    browser_page.goto("/imports")
    browser_page.page.wait_for_selector("#imports-kind option[value=learners]", state="attached")
    kinds = browser_page.page.locator("#imports-kind option")
    options = kinds.evaluate_all("options => options.map(o => o.value)")
    assert "learners" in options
    assert "organisations" not in options
    assert "capacity" not in options
    assert "Learner events" in kinds.all_text_contents()  # kinds in words, not their codes


def test_admin_adds_a_user_and_the_audit_log_shows_it(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    browser_page.sign_in("admin")
    browser_page.goto("/users")
    page = browser_page.page
    page.fill("#users-new-username", "browser-analyst")
    page.select_option("#users-new-role", "collaborative")
    page.fill("#users-new-password", "a long enough password")
    page.click("#users-add")
    page.wait_for_selector("#users-message .alert-success")
    page.wait_for_selector("#users-grid >> text=browser-analyst")
    with Session(live_app.engine) as session:
        user = session.exec(select(User).where(User.username == "browser-analyst")).one()
    assert user.role == "collaborative"
    assert "a long enough password" not in user.password_hash

    browser_page.goto("/audit")
    page.wait_for_selector("#audit-grid >> text=User added")  # the action in words
    assert browser_page.console_errors == []


def test_other_roles_cannot_open_the_admin_pages(browser_page: BrowserPage) -> None:
    browser_page.sign_in("coordinator")
    for path in ("/users", "/audit"):
        browser_page.goto(path)
        browser_page.page.wait_for_selector("#page-forbidden")
