"""axe-core on every page for every role: no serious or critical WCAG 2.2 AA violation."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import dash
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.accessibility_check import axe_violations, blocking_report
from tests.browser.conftest import BrowserPage, LiveApp
from tracker.access import Principal, can_view_page
from tracker.models import Role

pytestmark = pytest.mark.browser

ROLES = {role.value: role for role in Role}


@pytest.fixture
def axe_page(chromium: Any, live_app: LiveApp) -> Iterator[BrowserPage]:
    context = chromium.new_context(bypass_csp=True)  # only so axe's script can be injected
    context.set_default_timeout(30_000)
    yield BrowserPage(context.new_page(), live_app.url)
    context.close()


def _settle(page: Any) -> None:
    page.wait_for_load_state("load")
    page.wait_for_timeout(1_500)  # Dash renders the page after load; pages poll, so no idle
    page.wait_for_function(
        "() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=45_000
    )
    # AG Grid draws in steps: judge a shown grid once it has drawn its header cells, not mid-way
    # (a grid in a closed tab waits, hidden, until it is shown). Best effort: a grid that is
    # still drawing after the wait is checked as it stands (axe then reports what it finds)
    # rather than failing the walk on timing alone.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            """() => [...document.querySelectorAll('.ag-delay-render')].every(
                    (grid) => !grid.offsetParent) &&
                [...document.querySelectorAll('.ag-header-row-column')].every(
                    (row) => !row.offsetParent || row.querySelector('[role=columnheader]'))""",
            timeout=20_000,
        )


def _pages_for(role: Role) -> list[str]:
    principal = Principal(role.value, role, hei_code="UNI-A" if role is Role.HEI else None)
    return [
        page["relative_path"]
        for page in sorted(dash.page_registry.values(), key=lambda p: p.get("order") or 0)
        if can_view_page(principal, page.get("access", ""))
    ]


def test_the_public_pages_have_no_serious_violation(axe_page: BrowserPage) -> None:
    problems: list[str] = []
    for path in ("/login", "/accessibility"):
        axe_page.goto(path)
        _settle(axe_page.page)
        problems += blocking_report(path, axe_violations(axe_page.page))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("username", list(ROLES))
def test_every_page_of_every_role_has_no_serious_violation(
    axe_page: BrowserPage, username: str
) -> None:
    axe_page.sign_in(username)
    problems: list[str] = []
    for path in _pages_for(ROLES[username]):
        axe_page.goto(path)
        _settle(axe_page.page)
        problems += blocking_report(f"{username} {path}", axe_violations(axe_page.page))
    assert not problems, "\n".join(problems)
