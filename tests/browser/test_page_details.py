"""Smaller things seen in use (issue 13, item 7), on the demo in a real browser: the Imports
kind list starts on a kind, the allocation progress bar and the run's badges stay inside their
box at 1440 and 1024 px, and the note on exact figures says why in the words of the role
(an administrator is never told "you are seeing your own HEI's data (or are an
administrator)")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import BrowserPage
from tests.browser.test_accessibility import _settle
from tests.browser.test_allocation_pages import run_allocation

pytestmark = pytest.mark.browser

#: Elements drawn wider than their own box or outside the card that holds them.
OVERFLOWING = """(selector) => [...document.querySelectorAll(selector)]
    .filter((e) => e.offsetParent !== null)
    .flatMap((e) => {
        const box = e.getBoundingClientRect();
        const card = (e.closest('.card') || document.body).getBoundingClientRect();
        const out = box.left < card.left - 1 || box.right > card.right + 1;
        const over = e.scrollWidth > e.clientWidth + 1;
        return out || over ? [`${e.id || e.className}: ${e.innerText} (${box.left}-${box.right}`
            + ` in ${card.left}-${card.right}, scroll ${e.scrollWidth} > ${e.clientWidth})`] : [];
    })"""


@pytest.mark.parametrize("username", ["admin", "coordinator", "hei"])
def test_the_imports_kind_list_starts_on_a_kind(browser_page: BrowserPage, username: str) -> None:
    browser_page.sign_in(username)
    browser_page.goto("/imports")
    page = browser_page.page
    page.wait_for_selector("#imports-kind option", state="attached")
    value, shown = page.eval_on_selector(
        "#imports-kind",
        "(s) => [s.value, s.selectedIndex < 0 ? '' : s.options[s.selectedIndex].text]",
    )
    assert value and shown.strip(), (value, shown)
    # the columns of the chosen kind are listed at once, before anyone touches the list
    page.wait_for_selector("#imports-columns tbody tr")
    assert page.locator("#imports-columns th").all_inner_texts() == ["Column", "Needed", "Meaning"]
    assert browser_page.console_errors == []


def test_the_allocation_progress_stays_in_its_box(browser_page: BrowserPage) -> None:
    page: Any = browser_page.page
    page.set_viewport_size({"width": 1024, "height": 900})
    run_allocation(browser_page, "2026-B2", "OCT", "progress box browser test")
    page.locator("#allocation-status").wait_for()
    for width in (1024, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)  # the layout settles to the new width
        done = page.locator("#allocation-progress .progress-bar").get_attribute("aria-valuenow")
        assert int(done or 0) == 100
        assert page.evaluate(OVERFLOWING, "#allocation-progress, #allocation-progress *") == []
        assert page.evaluate(OVERFLOWING, ".card .badge") == []
    assert browser_page.console_errors == []


def _note(browser_page: BrowserPage, username: str, path: str) -> str:
    browser_page.sign_in(username)
    browser_page.goto(path)
    _settle(browser_page.page)
    text: str = browser_page.page.inner_text("body")
    browser_page.sign_out()
    return text


def test_the_exact_figures_note_fits_the_role(browser_page: BrowserPage) -> None:
    admin = _note(browser_page, "admin", "/cohorts")
    assert "you are an administrator, who sees every HEI's figures unrounded" in admin
    hei = _note(browser_page, "hei", "/cohorts")
    assert "these are your own HEI's learners, which you see unrounded" in hei
    for text in (admin, hei):
        assert "or are an administrator" not in text
        assert "you are seeing your own HEI's data" not in text
    assert "you are an administrator" not in hei
    assert "your own HEI's learners" not in admin
