"""The main journeys with a keyboard only: no mouse clicks, focus always visible."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import BrowserPage
from tests.conftest import DEMO_PASSWORDS

pytestmark = pytest.mark.browser


def _focus_is_visible(page: Any) -> bool:
    return bool(
        page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body) return false;
              const style = getComputedStyle(el);
              return el.matches(':focus-visible') &&
                (style.outlineStyle !== 'none' || style.boxShadow !== 'none');
            }"""
        )
    )


def _tab_to(page: Any, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s)", selector):
            assert _focus_is_visible(page), f"focus on {selector} is not visible"
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_sign_in_with_the_keyboard_only(browser_page: BrowserPage) -> None:
    page = browser_page.page
    browser_page.goto("/login")
    page.wait_for_selector("#username:focus")  # the form starts in the username field
    page.keyboard.type("coordinator")
    _tab_to(page, "#password")
    page.keyboard.type(DEMO_PASSWORDS["coordinator"])
    _tab_to(page, "#signin-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector(".tracker-nav")
    _tab_to(page, ".tracker-nav a")


def test_the_accessibility_statement_is_reached_from_the_keyboard(
    browser_page: BrowserPage,
) -> None:
    page = browser_page.page
    browser_page.goto("/login")
    page.wait_for_selector("#signin-submit")
    _tab_to(page, "a[href='/accessibility']")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Accessibility statement')")
