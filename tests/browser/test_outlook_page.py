"""The Outlook page in a real browser: a collaborative member sees the completions chart with
its band and the track record table, applies a +20% intake scenario and sees completions
change, then plans the placements of a year (heatmap and expansion plan)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import BrowserPage

pytestmark = pytest.mark.browser

COMPLETIONS = """() => {
    const graph = document.querySelector('#outlook-chart .js-plotly-plot');
    if (!graph || !graph.data) return null;
    return graph.data.filter((t) => (t.name || '').endsWith('completions'))
        .map((t) => t.y.reduce((a, b) => a + (b || 0), 0)).reduce((a, b) => a + b, 0);
}"""
BANDS = """() => {
    const graph = document.querySelector('#outlook-chart .js-plotly-plot');
    return graph && graph.data ? graph.data.filter((t) => t.fill === 'toself').length : 0;
}"""


def _settled(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=60_000
    )


def test_collaborative_applies_a_bigger_intake_and_plans_placements(
    browser_page: BrowserPage,
) -> None:
    browser_page.sign_in("collaborative")
    browser_page.goto("/outlook")
    page: Any = browser_page.page
    page.wait_for_selector("h1:has-text('Workforce outlook')")
    page.wait_for_function(f"() => ({BANDS})() > 0", timeout=60_000)
    before = page.evaluate(COMPLETIONS)
    assert before and before > 0
    page.wait_for_selector("#outlook-accuracy-table .ag-row", timeout=30_000)
    assert "Nursing" in page.inner_text("#outlook-accuracy-table")
    assert "predicted" in page.inner_text("#outlook-accuracy-text")

    page.fill("#outlook-intake_percent", "20")
    page.fill("#outlook-intake_by", "2029")
    page.click("#outlook-apply")
    page.wait_for_selector("#outlook-scenario-message :text('Scenario applied')")
    page.wait_for_function(f"() => ({COMPLETIONS})() > {before}", timeout=60_000)

    page.click("#outlook-plan")
    page.wait_for_selector("#outlook-plan-message :text('extra supervisors')", timeout=90_000)
    _settled(page)
    page.wait_for_selector("#outlook-plan-table .ag-row", timeout=30_000)
    assert page.locator("#outlook-heatmap .heatmaplayer").count() == 1
    with page.expect_download() as download:
        page.click("#outlook-plan-download-csv")
    assert download.value.suggested_filename == "expansion-plan.csv"
    assert not browser_page.console_errors, browser_page.console_errors


CUT_SHORT = """(selector) => [...document.querySelectorAll(selector)]
    .filter((e) => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
    .map((e) => e.innerText)"""


@pytest.mark.parametrize("width", [1440, 1024])
def test_the_track_record_reads_in_full(browser_page: BrowserPage, width: int) -> None:
    browser_page.sign_in("hei")
    page: Any = browser_page.page
    page.set_viewport_size({"width": width, "height": 1000})
    browser_page.goto("/outlook")
    page.wait_for_selector("#outlook-accuracy .ag-row", timeout=60_000)
    page.wait_for_timeout(500)  # the grid sizes its columns once drawn
    headings = page.locator("#outlook-accuracy .ag-header-cell-text").all_inner_texts()
    assert "Mean absolute percentage error" in [" ".join(h.split()) for h in headings]
    cut = page.evaluate(
        CUT_SHORT, "#outlook-accuracy .ag-header-cell-text, #outlook-accuracy .ag-cell"
    )
    assert cut == [], f"cut short at {width} px: {cut}"
    assert not browser_page.console_errors, browser_page.console_errors
