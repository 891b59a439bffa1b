"""A wide grid's column chooser in a real browser, by keyboard: hide a column, see it gone,
reload and find it still hidden, download every column anyway, show it again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.accessibility_check import axe_violations, blocking_report
from tests.browser.conftest import BrowserPage, LiveApp

pytestmark = pytest.mark.browser

GRID = "#settings-grid"
CHOOSER = ".grid-columns"


@pytest.fixture
def chooser_page(chromium: Any, live_app: LiveApp) -> Iterator[BrowserPage]:
    # bypass_csp only so axe's script can be injected to check the open chooser
    context = chromium.new_context(bypass_csp=True, accept_downloads=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    result = BrowserPage(page, live_app.url)
    page.on("pageerror", lambda exc: result.console_errors.append(str(exc)))
    yield result
    context.close()


def _headings(page: Any) -> list[str]:
    page.wait_for_selector(f"{GRID} .ag-row")
    texts: list[str] = page.locator(f"{GRID} .ag-header-cell-text").all_inner_texts()
    return texts


def test_a_hidden_column_stays_hidden_across_a_reload_and_comes_back(
    chooser_page: BrowserPage, tmp_path: Path
) -> None:
    chooser_page.sign_in("coordinator")
    chooser_page.goto("/settings")
    page = chooser_page.page
    assert "Postcode district" in _headings(page)
    summary = page.locator(f"{CHOOSER} summary")
    assert summary.inner_text().startswith("Columns: all 11 shown")

    summary.focus()  # keyboard only: Enter opens the chooser, Space ticks a box
    page.keyboard.press("Enter")
    box = page.get_by_role("checkbox", name="Postcode district", exact=True)
    box.focus()
    page.keyboard.press("Space")
    page.wait_for_function(
        f"""() => ![...document.querySelectorAll('{GRID} .ag-header-cell-text')]
            .some((h) => h.innerText === 'Postcode district')"""
    )
    assert "Columns: 10 of 11 shown" in summary.inner_text()
    assert page.get_by_role(
        "checkbox", name="Setting code (always shown)"
    ).is_disabled()  # the pinned one
    problems = blocking_report("open column chooser", axe_violations(page))
    assert not problems, "\n".join(problems)

    page.reload()
    page.wait_for_selector(f"{GRID} .ag-header-cell-text")
    page.wait_for_function(
        f"""() => document.querySelector('{CHOOSER} summary').innerText
            .startsWith('Columns: 10 of 11')"""
    )
    headings = _headings(page)
    assert "Postcode district" not in headings and "Name" in headings

    with page.expect_download() as download:  # the download keeps every column
        page.click("#settings-table-csv")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert "Postcode district" in saved.read_text(encoding="utf-8-sig").splitlines()[0]

    page.locator(f"{CHOOSER} summary").click()
    page.get_by_role("checkbox", name="Postcode district", exact=True).check()
    page.wait_for_function(
        f"""() => [...document.querySelectorAll('{GRID} .ag-header-cell-text')]
            .some((h) => h.innerText === 'Postcode district')"""
    )
    assert page.locator(f"{CHOOSER} summary").inner_text().startswith("Columns: all 11 shown")
    assert chooser_page.console_errors == []
