"""Tables that can be read at 1440 px and at 1024 px (issue 13, item 2): on every page a
coordinator or an administrator opens, every grid shown has a heading over each column, no
heading cut short or broken inside a word, and no cell cut to "…"."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import BrowserPage
from tests.browser.test_accessibility import _pages_for, _settle
from tracker.models import Role

pytestmark = pytest.mark.browser

#: Per shown grid: headings that are empty or cut, and cells cut short (text wider than the
#: cell, which AG Grid draws with an ellipsis). A cell's own padding is allowed for.
UNREADABLE = """() => [...document.querySelectorAll('.ag-root-wrapper')]
    .filter((grid) => grid.offsetParent !== null)
    .flatMap((grid) => {
        const id = grid.closest('[id]')?.id || '?';
        const cut = (e) => e.innerText.trim() && e.scrollWidth > e.clientWidth + 1;
        const headers = [...grid.querySelectorAll('.ag-header-row-column [role=columnheader]')];
        const found = headers.flatMap((h) => {
            const text = h.querySelector('.ag-header-cell-text');
            if (h.classList.contains('ag-column-select') || h.querySelector('.ag-checkbox'))
                return [];
            if (!text || !text.textContent.trim()) return [`${id}: a column has no heading`];
            return cut(text) ? [`${id}: heading cut: ${text.innerText}`] : [];
        });
        const cells = [...grid.querySelectorAll('.ag-cell-value')].slice(0, 200);
        return found.concat(cells.filter(cut).slice(0, 3)
            .map((c) => `${id}: cell cut: ${c.innerText}`));
    })"""


def _unreadable(browser_page: BrowserPage, role: Role, width: int) -> list[str]:
    page: Any = browser_page.page
    page.set_viewport_size({"width": width, "height": 1000})
    browser_page.sign_in(role.value)
    problems: list[str] = []
    for path in _pages_for(role):
        browser_page.goto(path)
        _settle(page)
        page.wait_for_timeout(500)  # grids size their columns once their rows arrive
        problems += [f"{width} px {path} {p}" for p in page.evaluate(UNREADABLE)]
    return problems


@pytest.mark.parametrize("width", [1440, 1024])
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.HEI])
def test_every_grid_reads_in_full(browser_page: BrowserPage, role: Role, width: int) -> None:
    problems = _unreadable(browser_page, role, width)
    assert not problems, "\n".join(problems)
