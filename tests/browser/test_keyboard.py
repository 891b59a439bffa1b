"""The main journeys with a keyboard only: no mouse clicks, focus always visible.

Tab, Shift+Tab, Enter, Space, the arrow keys and typing reach every control; nothing is
clicked or filled except through the element the keyboard has focused. Motion is reduced so
a focus ring is read after Bootstrap's transition, not halfway through it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlmodel import Session

from tests.browser.conftest import BrowserPage, LiveApp
from tests.conftest import DEMO_PASSWORDS
from tracker.access import Principal
from tracker.db import session_scope
from tracker.models import AllocationRun, Role
from tracker.queries.capacity import capacity_register
from tracker.services.capacity import save_capacity_rows

pytestmark = pytest.mark.browser

STAFF = Principal("coordinator", Role.COORDINATOR)
#: The allocation journey's scope: a block and a small programme no other browser test runs.
BLOCK, PROGRAMME = "2026-B1", "SLT"


def _focus_is_visible(page: Any) -> bool:
    """The focused element shows a ring: a drawn outline or an opaque shadow."""
    return bool(
        page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body) return false;
              const style = getComputedStyle(el);
              const opaque = (c) => !/rgba\\([^)]*,\\s*0\\)|transparent/.test(c);
              const outline = style.outlineStyle !== 'none' &&
                parseFloat(style.outlineWidth) > 0 && opaque(style.outlineColor);
              const shadow = style.boxShadow !== 'none' && opaque(style.boxShadow);
              return el.matches(':focus-visible') && (outline || shadow);
            }"""
        )
    )


def _focused(page: Any, selector: str) -> bool:
    return bool(page.evaluate("(s) => !!document.activeElement?.matches(s)", selector))


def _tab_to(page: Any, selector: str, limit: int = 40, key: str = "Tab") -> None:
    for _ in range(limit):
        page.keyboard.press(key)
        if _focused(page, selector):
            assert _focus_is_visible(page), f"focus on {selector} is not visible"
            return
    raise AssertionError(f"{key} never reached {selector}")


def _arrow_to(page: Any, selector: str, key: str, limit: int = 30) -> None:
    for _ in range(limit):
        if _focused(page, selector):
            assert _focus_is_visible(page), f"focus on {selector} is not visible"
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} never reached {selector}")


def _sign_in(browser_page: BrowserPage, username: str) -> None:
    page = browser_page.page
    page.emulate_media(reduced_motion="reduce")
    # Chromium asks for /favicon.ico while the form is open; the guard's answer would issue
    # a new form token and expire the form being filled in.
    page.context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    browser_page.goto("/login")
    page.wait_for_selector("#username:focus")  # the form starts in the username field
    page.keyboard.type(username)
    _tab_to(page, "#password")
    page.keyboard.type(DEMO_PASSWORDS[username])
    _tab_to(page, "#signin-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector(".tracker-nav")


def _choose(page: Any, dropdown_id: str, text: str) -> None:
    """With the dropdown focused: open it, type to narrow the list to `text`, take the first
    match with Enter and close the list; focus comes back to the dropdown."""
    page.keyboard.press("Enter")
    page.wait_for_selector("[role=option]")
    page.keyboard.type(text)
    page.wait_for_function(
        "(t) => [...document.querySelectorAll('[role=option]')].every("
        "o => o.textContent.includes(t))",
        arg=text,
    )
    page.keyboard.press("Enter")
    page.locator(f"#{dropdown_id}").filter(has_text=text).wait_for()
    page.keyboard.press("Escape")
    page.wait_for_selector("[role=option]", state="detached")
    assert _focused(page, f"#{dropdown_id}"), "closing the list lost the focus"


def test_sign_in_with_the_keyboard_only(browser_page: BrowserPage) -> None:
    _sign_in(browser_page, "coordinator")
    _tab_to(browser_page.page, ".tracker-nav a")


def test_the_accessibility_statement_is_reached_from_the_keyboard(
    browser_page: BrowserPage,
) -> None:
    page = browser_page.page
    browser_page.goto("/login")
    page.wait_for_selector("#signin-submit")
    _tab_to(page, "a[href='/accessibility']")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Accessibility statement')")


def test_filter_a_dashboard_with_the_keyboard_only(browser_page: BrowserPage) -> None:
    _sign_in(browser_page, "collaborative")
    page = browser_page.page
    browser_page.goto("/pipeline")
    page.wait_for_selector("#pipeline-intake-table .ag-cell")
    before = page.locator("#pipeline-intake-table").text_content()
    _tab_to(page, "#pipeline-filter-hei")
    _choose(page, "pipeline-filter-hei", "Blythe Valley")  # UNI-B, offered by its name
    page.wait_for_url(re.compile(r"[?&]hei=UNI-B"))
    page.wait_for_function(
        "([id, old]) => { const el = document.getElementById(id);"
        " return el && el.querySelector('.ag-cell') && el.textContent !== old; }",
        arg=["pipeline-intake-table", before],
    )
    page.keyboard.press("Tab")  # on to the next control, and back the other way
    _tab_to(page, "#pipeline-filter-hei", limit=1, key="Shift+Tab")
    assert browser_page.console_errors == []


def test_edit_a_capacity_cell_with_the_keyboard_only(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    _sign_in(browser_page, "coordinator")
    page = browser_page.page
    browser_page.goto("/capacity")
    page.wait_for_selector("#capacity-grid .ag-row")
    _tab_to(page, "#capacity-search")
    _tab_to(page, "#capacity-grid .ag-header-cell")  # the grid is the next Tab stop
    page.keyboard.press("ArrowDown")  # into the first row
    cell = "#capacity-grid .ag-cell[col-id='practice_assessors']"
    _arrow_to(page, cell, "ArrowRight")
    row_id = page.evaluate("() => document.activeElement.closest('.ag-row').getAttribute('row-id')")
    block = page.evaluate(
        "() => document.activeElement.closest('.ag-row')"
        ".querySelector(\"[col-id='block']\").textContent"
    )
    before = int(page.evaluate("() => document.activeElement.textContent"))
    try:
        page.keyboard.press("Enter")  # edit the cell
        page.wait_for_selector("#capacity-grid .ag-cell-inline-editing input:focus")
        page.keyboard.press("Control+A")
        page.keyboard.type(str(before + 1))
        page.keyboard.press("Enter")  # keep the value; focus stays on the cell
        page.wait_for_selector("#capacity-grid .ag-cell-focus:not(.ag-cell-inline-editing)")
        _tab_to(page, "#capacity-save", limit=3)  # Tab leaves the grid for its Save button
        page.keyboard.press("Enter")
        message = page.locator("#capacity-message .alert-success")
        message.filter(has_text="Saved 1 capacity row").wait_for()
        page.keyboard.press("Enter")  # save again: the new message replaces the last one
        replaced = page.locator("#capacity-message .alert")
        replaced.filter(has_text="No changes to save").wait_for()
        assert replaced.count() == 1
    finally:
        _restore_assessors(live_app, int(row_id), str(block), before)
    assert browser_page.console_errors == []


def _restore_assessors(live_app: LiveApp, row_id: int, block: str, count: int) -> None:
    with Session(live_app.engine) as session:
        register = capacity_register(session, principal=STAFF, blocks=[block.split(" ")[0]])
    rows = register[register["id"] == row_id]
    if len(rows) and int(rows.iloc[0]["practice_assessors"]) != count:
        with session_scope(live_app.engine) as session:
            current = rows.iloc[0].to_dict()
            save_capacity_rows(
                session, principal=STAFF, rows=[{**current, "practice_assessors": count}]
            )


def test_run_and_approve_an_allocation_with_the_keyboard_only(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    _sign_in(browser_page, "coordinator")
    page = browser_page.page
    browser_page.goto("/allocation")
    page.wait_for_selector("#allocation-run")
    _tab_to(page, "#allocation-blocks")
    _choose(page, "allocation-blocks", BLOCK)
    _tab_to(page, "#allocation-programmes")
    _choose(page, "allocation-programmes", PROGRAMME)
    _tab_to(page, "#allocation-name")
    page.keyboard.type("keyboard run")
    _tab_to(page, "#allocation-run")
    page.keyboard.press("Enter")
    message = page.locator("#allocation-run-message")
    message.filter(has_text=re.compile(r"Run \d+ succeeded")).wait_for(timeout=60_000)
    run_id = int(re.search(r"Run (\d+)", message.inner_text()).group(1))  # type: ignore[union-attr]
    page.locator("#allocation-status").filter(has_text="succeeded").wait_for()

    _tab_to(page, "#allocation-approve", limit=80)
    page.keyboard.press("Enter")
    page.locator("#allocation-approve-preview").filter(has_text="confirms").wait_for()
    page.wait_for_function("() => !!document.activeElement?.closest('.modal')")
    # the dialog keeps the focus: Tab cycles through its controls only
    for _ in range(6):
        page.keyboard.press("Tab")
        assert page.evaluate("() => !!document.activeElement?.closest('.modal')")
    _tab_to(page, "#allocation-approve-confirm", limit=6)
    page.keyboard.press("Enter")
    page.locator("#allocation-action-message").filter(has_text="approved").wait_for()
    page.wait_for_selector("#allocation-approve-modal", state="detached")
    page.wait_for_function("() => document.activeElement?.id === 'allocation-approve'")
    with Session(live_app.engine) as session:
        run = session.get(AllocationRun, run_id)
        assert run is not None and run.status == "approved"
    assert browser_page.console_errors == []
