"""The tariff in a real browser on the demo data: a collaborative member opens the system view
and downloads it; a coordinator runs a plan across 31 March and reads its Tariff tab.

The plan is scoped to a block and programme no other browser test runs (2026-B3 starts on
22 March 2027, so its placements fall in two financial years; nursing associates).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from tests.browser.conftest import BrowserPage
from tests.browser.test_allocation_pages import run_allocation

pytestmark = pytest.mark.browser


def _downloaded(page: object, button: str, tmp_path: Path) -> list[dict[str, str]]:
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click(button)  # type: ignore[attr-defined]
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    return list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))


def test_the_collaborative_sees_expected_tariff_per_organisation_and_downloads_it(
    browser_page: BrowserPage, tmp_path: Path
) -> None:
    page = browser_page.page
    browser_page.sign_in("collaborative")
    browser_page.goto("/tariff")
    page.wait_for_selector("#tariff-grid .ag-row")
    total = page.inner_text("#tariff-total-value")
    assert re.fullmatch(r"£[\d,]+", total) and total != "£0"
    assert "hidden too" in page.inner_text("#tariff-disclosure")
    cell = page.locator('#tariff-grid .ag-row [col-id="tariff"]').first
    assert re.fullmatch(r"£[\d,]+|\*", cell.inner_text().strip())
    rows = _downloaded(page, "#tariff-table-csv", tmp_path)
    assert rows and {"Organisation", "Financial year", "Expected tariff"} <= set(rows[0])
    years = {r["Financial year"] for r in rows}
    assert years and all(re.fullmatch(r"\d{4}/\d{2}", y) for y in years)
    care_homes = [r for r in rows if r["Sector"] == "care_home"]
    assert care_homes, "care homes host learners in the demo"
    assert browser_page.console_errors == []


def test_a_plans_tariff_tab_splits_a_block_across_31_march(
    browser_page: BrowserPage, tmp_path: Path
) -> None:
    page = browser_page.page
    run_id = run_allocation(browser_page, "2026-B3", "NAA", "tariff across March")
    page.click('#allocation-tabs a:text-is("Tariff")')
    summary = page.locator("#allocation-tariff-summary")
    summary.filter(has_text=f"Run {run_id}:").wait_for(timeout=60_000)
    assert re.search(r"expected tariff £[\d,]+", summary.inner_text())
    page.wait_for_selector("#allocation-tariff-grid .ag-row")
    rows = _downloaded(page, "#allocation-tariff-csv", tmp_path)
    assert {r["Financial year"] for r in rows} == {"2026/27", "2027/28"}
    assert browser_page.console_errors == []
