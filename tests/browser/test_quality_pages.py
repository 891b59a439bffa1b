"""The quality page in a real browser on the demo data: a coordinator reads settings' scores
(small ones hidden), one setting's trend and comments, downloads the table, and puts a setting
under quality review and ends it; an HEI user may not open the page."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from tests.browser.conftest import BrowserPage, LiveApp
from tests.browser.test_allocation_pages import _choose
from tracker.models import PlacementSetting, QualityReview

pytestmark = pytest.mark.browser


def _reviewed(live_app: LiveApp) -> str:
    """The demo's setting under quality review."""
    with Session(live_app.engine) as session:
        return session.exec(
            select(PlacementSetting.code)
            .join(QualityReview, col(QualityReview.setting_id) == PlacementSetting.id)
            .where(col(QualityReview.ended_on).is_(None))
        ).one()


def test_a_coordinator_reads_quality_and_reviews_a_setting(
    browser_page: BrowserPage, live_app: LiveApp, tmp_path: Path
) -> None:
    page = browser_page.page
    reviewed = _reviewed(live_app)
    browser_page.sign_in("coordinator")
    browser_page.goto("/quality")
    page.wait_for_selector("#quality-grid .ag-center-cols-container .ag-row")
    cells = page.locator('#quality-grid .ag-row [col-id="supervision"]').all_inner_texts()
    assert any(re.fullmatch(r"\d\.\d\d \(\d\.\d\d-\d\.\d\d\)", c.strip()) for c in cells)
    assert "at least 5 learners" in page.inner_text("#quality-note")
    page.locator("#quality-reviews .ag-row").filter(has_text=reviewed).wait_for()

    _choose(page, "quality-unit", reviewed)
    page.locator("#quality-trend .scatterlayer .trace").first.wait_for()
    page.locator("#quality-comments li").first.wait_for()
    assert reviewed in page.inner_text("#quality-comments")

    with page.expect_download() as download:
        page.click("#quality-table-csv")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows and {"Setting", "Responses", "Supervision", "Supervision (low)"} <= set(rows[0])
    assert not {"Learner", "learner_ref", "Comment"} & set(rows[0])

    other = page.locator('#quality-grid .ag-row [col-id="setting"]').first.inner_text().strip()
    assert other != reviewed
    page.fill("#quality-setting", other)
    page.fill("#quality-reason", "Two serious concerns raised by learners")
    page.click("#quality-start")
    page.locator("#quality-message").filter(has_text=f"{other} is under quality review").wait_for()
    row = page.locator("#quality-reviews .ag-center-cols-container .ag-row").filter(has_text=other)
    row.first.click()
    page.fill("#quality-outcome", "Concerns resolved with the provider")
    page.click("#quality-end")
    page.locator("#quality-message").filter(has_text="The review has ended").wait_for()
    assert browser_page.console_errors == []

    browser_page.sign_out()
    browser_page.sign_in("hei")
    browser_page.goto("/quality")
    page.wait_for_selector("#page-forbidden")
