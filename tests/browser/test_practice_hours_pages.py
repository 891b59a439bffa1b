"""Practice hours in a real browser on the demo data: an HEI user finds their learners behind,
reads one learner's years of study and downloads the list; a collaborative member reads how
many learners are behind by programme and HEI, controlled, and downloads that table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import BrowserPage
from tests.browser.test_tariff_pages import _downloaded

pytestmark = pytest.mark.browser


def test_an_hei_user_finds_learners_behind_and_reads_one_by_year_of_study(
    browser_page: BrowserPage, tmp_path: Path
) -> None:
    page = browser_page.page
    browser_page.sign_in("hei")
    browser_page.goto("/practice-hours")
    page.wait_for_selector("#practice-hours-grid .ag-row")
    behind = int(page.inner_text("#practice-hours-behind-value").replace(",", ""))
    learners = int(page.inner_text("#practice-hours-learners-value").replace(",", ""))
    assert 0 < behind < learners / 5  # a few of the HEI's learners, not most
    first = page.locator('#practice-hours-grid .ag-row[row-index="0"]')
    assert first.locator('[col-id="hours_status"]').inner_text().strip() == "Behind"
    ref = first.locator('[col-id="learner_ref"]').inner_text().strip()
    first.locator('[col-id="learner_ref"]').click()
    page.locator("#practice-hours-year-title").filter(has_text=ref).wait_for()
    page.wait_for_selector("#practice-hours-years .ag-row")
    years = page.locator('#practice-hours-years .ag-row [col-id="year_of_study"]')
    assert years.count() >= 2  # behind learners have a year of practice behind them
    rows = _downloaded(page, "#practice-hours-table-csv", tmp_path)
    assert {r["HEI"] for r in rows} == {"UNI-A"}  # their own learners only
    assert {"Expected by now", "Shortfall", "Hours"} <= set(rows[0])
    assert sum(r["Hours"] == "behind" for r in rows) >= behind
    assert browser_page.console_errors == []


def test_the_collaborative_reads_learners_behind_by_programme_and_hei(
    browser_page: BrowserPage, tmp_path: Path
) -> None:
    page = browser_page.page
    browser_page.sign_in("collaborative")
    browser_page.goto("/hours-behind")
    page.wait_for_selector("#hours-behind-grid .ag-row")
    assert "rounded" in page.inner_text("#hours-behind-disclosure").lower()
    cells = page.locator('#hours-behind-grid .ag-row [col-id="behind"]').all_inner_texts()
    assert cells and all(re.fullmatch(r"\d+|[*.]+", c.strip()) for c in cells)
    assert all(int(c) % 5 == 0 for c in cells if c.strip().isdigit())
    rows = _downloaded(page, "#hours-behind-table-csv", tmp_path)
    assert {"Programme", "HEI", "Learners", "Behind", "Share behind"} <= set(rows[0])
    total = [r for r in rows if r["Programme"] == "All" and r["HEI"] == "All"]
    assert len(total) == 1 and int(total[0]["Behind"]) % 5 == 0 and int(total[0]["Behind"]) > 0
    assert browser_page.console_errors == []
