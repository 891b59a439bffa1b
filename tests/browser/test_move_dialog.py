"""Moving learners by hand in the allocation review, on the demo: the list of target settings
names each setting with its spare places in the block, and a move the rules refuse says why
in a sentence that names the setting as the register does, never an internal key such as
``CHP02-003#nursing``.

The run covers every programme of block 2026-B2, so settings that offer places to several
profession groups appear once per group in the run (the ``#group`` keys); it is not approved.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import BrowserPage
from tests.browser.test_allocation_pages import _choose, _wait_for_message

pytestmark = pytest.mark.browser

BLOCK = "2026-B2"
TARGET = re.compile(r"^.+ \([A-Z0-9-]+\) · (full|1 spare place|\d+ spare places)$")


def _targets(page: Any) -> list[str]:
    """Every option of the move-to list, as its label reads."""
    page.click("#allocation-move-to")
    page.wait_for_selector("[role=option]")
    labels: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('[role=option]')].map((o) => o.innerText.trim())"""
    )
    page.keyboard.press("Escape")
    return labels


def _move_to(page: Any, label: str) -> str:
    """Choose ``label`` as the target, move one learner and return the message."""
    code = re.search(r"\(([A-Z0-9-]+)\) · ", label).group(1)  # type: ignore[union-attr]
    page.click("#allocation-move-to")
    page.wait_for_selector("[role=option]")
    page.keyboard.type(code)  # the list narrows to that setting, as a user would search
    page.locator("[role=option]").filter(has_text=label).first.click()
    page.keyboard.press("Escape")
    page.fill("#allocation-move-n", "1")
    message = page.locator("#allocation-action-message")
    before = message.inner_text()
    page.click("#allocation-move")
    page.wait_for_function(
        "(old) => document.getElementById('allocation-action-message').innerText !== old",
        arg=before,
    )
    return str(message.inner_text())


def test_move_lists_spare_places_and_refuses_in_a_sentence(browser_page: BrowserPage) -> None:
    page = browser_page.page
    browser_page.sign_in("coordinator")
    browser_page.goto("/allocation")
    page.wait_for_selector("#allocation-run")
    _choose(page, "allocation-blocks", BLOCK)
    page.fill("#allocation-name", "move dialog browser test")
    page.click("#allocation-run")
    _wait_for_message(page, r"Run \d+ succeeded")

    first_row = page.locator("#allocation-plan .ag-center-cols-container .ag-row").first
    first_row.wait_for()
    first_row.click()
    page.wait_for_function("() => document.querySelector('#allocation-move-to') !== null")
    labels = _targets(page)
    assert labels, "no settings to move to"
    assert all(TARGET.match(text) for text in labels), labels
    assert not [t for t in labels if "#" in t or "_" in t], labels
    assert any("spare place" in t for t in labels), labels

    full = [t for t in labels if t.endswith("· full")]
    assert full, labels
    refused = _move_to(page, full[-1])
    assert refused.startswith("Move refused: "), refused
    name = full[-1].rsplit(" · ", 1)[0]
    assert name in refused, refused  # "Name (CODE)", as the list and the registers say it
    assert "supervisor capacity" in refused, refused
    assert "#" not in refused and "pins" not in refused and "_" not in refused, refused
    assert browser_page.console_errors == []
