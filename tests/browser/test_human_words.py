"""What people read is words, not the codes the product stores: a scan of every page's
visible text for every role finds no snake_case code, no dotted audit action, no raw JSON
and no grid cell or chosen dropdown value that is a bare lower-case code (``acute``,
``confirmed``, ``vcse``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import BrowserPage, LiveApp
from tests.browser.test_accessibility import ROLES, _pages_for, _settle
from tracker import vocabulary

pytestmark = pytest.mark.browser

SNAKE = re.compile(r"(?<![\w./@-])[a-z]+(?:_[a-z0-9]+)+(?![\w@-]|\.(?:csv|xlsx|json)\b)")
DOTTED = re.compile(r"\b[a-z]+\.[a-z]+\.[a-z_]+\b")
#: single-word codes a grid must show by their label (a capitalised word or another word)
BARE_CODES = {
    code
    for table in (
        vocabulary.SECTORS,
        vocabulary.REQUEST_STATUSES,
        vocabulary.PLACEMENT_STATUSES,
        vocabulary.RUN_STATUSES,
        vocabulary.PROFESSION_GROUPS,
        vocabulary.WITHDRAWAL_REASONS,
    )
    for code in table
    if "_" not in code and table[code] != code
}


#: The page's visible text without what is code by design: ``<code>`` (a column name to type)
#: and the Imports page's file format table (the values a file's cells must hold).
VISIBLE_WORDS = """() => {
    const body = document.body.cloneNode(true);
    body.querySelectorAll('code, #imports-columns, script, style').forEach((e) => e.remove());
    document.body.appendChild(body);
    body.style.position = 'absolute';
    const text = body.innerText;
    body.remove();
    return text;
}"""


def codes_in(text: str, cells: list[str]) -> list[str]:
    """Every code-looking piece of the visible text and grid cells."""
    found = SNAKE.findall(text) + DOTTED.findall(text)
    if '{"' in text:
        found.append("raw JSON")
    found += [c for c in cells if c.strip() in BARE_CODES]
    return found


def test_the_scan_catches_codes_and_passes_words() -> None:
    assert codes_in("Sector: care_home; action allocation.run.approve", ["vcse"]) == [
        "care_home",
        "allocation.run.approve",
        "vcse",
    ]
    assert codes_in("Care home · Download capacity_template.csv · a@b_c.nhs.uk", ["Acute"]) == []


@pytest.fixture
def page(chromium: Any, live_app: LiveApp) -> Iterator[BrowserPage]:
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(30_000)
    yield BrowserPage(context.new_page(), live_app.url)
    context.close()


@pytest.mark.parametrize("username", list(ROLES))
def test_no_page_shows_a_code(page: BrowserPage, username: str) -> None:
    page.sign_in(username)
    problems: list[str] = []
    for path in _pages_for(ROLES[username]):
        page.goto(path)
        _settle(page.page)
        text = page.page.evaluate(VISIBLE_WORDS)
        cells = page.page.locator(
            ".ag-cell, .dash-dropdown-value, .dash-dropdown-value-item"
        ).all_inner_texts()
        found = codes_in(text, cells)
        if found:
            problems.append(f"{username} {path}: {sorted(set(found))}")
    assert not problems, "\n".join(problems)
