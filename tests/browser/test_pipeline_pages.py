"""Pipeline dashboards in a real browser, on the demo data: render, filter, flag, download."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from tests.browser.conftest import BrowserPage, LiveApp
from tracker.access import Principal
from tracker.models import Role, User
from tracker.queries.pipeline import filter_options

pytestmark = pytest.mark.browser


def _sign_in(browser_page: BrowserPage, username: str) -> None:
    # Chromium asks for /favicon.ico while the sign-in form is open; the guard answers with
    # the sign-in page, which issues a new CSRF token and expires the form being filled in.
    browser_page.page.context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    browser_page.sign_in(username)


def _table_text(page: object, grid_id: str) -> str:
    page.wait_for_selector(f"#{grid_id} .ag-cell")  # type: ignore[attr-defined]
    return page.locator(f"#{grid_id}").text_content() or ""  # type: ignore[attr-defined]


def _pick_first(page: object, dropdown_id: str) -> None:
    page.click(f"#{dropdown_id}")  # type: ignore[attr-defined]
    page.get_by_role("option").first.click()  # type: ignore[attr-defined]
    page.keyboard.press("Escape")  # type: ignore[attr-defined]


def _changes_after_filter(page: object, grid_id: str, dropdown_id: str, key: str) -> None:
    before = _table_text(page, grid_id)
    _pick_first(page, dropdown_id)
    page.wait_for_url(re.compile(rf"[?&]{key}="))  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "([id, old]) => { const el = document.getElementById(id);"
        " return el && el.querySelector('.ag-cell') && el.textContent !== old; }",
        arg=[grid_id, before],
    )


def test_overview_renders_and_a_filter_changes_figures_and_url(
    browser_page: BrowserPage,
) -> None:
    _sign_in(browser_page, "collaborative")
    page = browser_page.page
    browser_page.goto("/pipeline")
    page.wait_for_selector("#pipeline-flow .main-svg")
    assert "HESA" in page.locator("#pipeline-disclosure").inner_text()
    assert page.locator("#pipeline-headline-attrition-rate").count() == 1
    _changes_after_filter(page, "pipeline-intake-table", "pipeline-filter-hei", "hei")
    assert browser_page.console_errors == []


def test_concerns_lists_an_outlier_and_downloads_the_table(
    browser_page: BrowserPage, tmp_path: Path
) -> None:
    _sign_in(browser_page, "collaborative")
    page = browser_page.page
    browser_page.goto("/concerns")
    page.wait_for_selector("#concerns-funnel .main-svg")
    count = page.locator("#concerns-flagged-count").inner_text()
    flagged = int(re.search(r"\((\d+)\)", count).group(1))  # type: ignore[union-attr]
    assert flagged >= 1
    assert page.locator("#concerns-flagged-table").count() == 1
    with page.expect_download() as download:
        page.click("#concerns-units-csv")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert saved.suffix == ".csv"
    assert "Funnel position" in text.splitlines()[0]
    assert "above" in text
    assert browser_page.console_errors == []


def test_cohorts_for_collaborative_filter_by_hei(browser_page: BrowserPage) -> None:
    _sign_in(browser_page, "collaborative")
    page = browser_page.page
    browser_page.goto("/cohorts")
    _changes_after_filter(page, "cohorts-intake-table", "cohorts-filter-hei", "hei")
    # Outside the owning HEI: controlled figures and no learner-level rows.
    assert page.locator("#cohorts-learners-table").count() == 0
    assert "HESA" in page.locator("#cohorts-disclosure").inner_text()
    assert browser_page.console_errors == []


def test_cohorts_for_hei_restore_filters_from_the_url(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    with Session(live_app.engine) as session:
        user = session.exec(select(User).where(User.username == "hei")).one()
        principal = Principal("hei", Role.HEI, hei_id=user.hei_id)
        year = filter_options(session, principal=principal).intake_year[-1][0]
    _sign_in(browser_page, "hei")
    page = browser_page.page
    browser_page.goto(f"/cohorts?intake_year={year}")
    _table_text(page, "cohorts-learners-table")
    assert year in page.locator("#cohorts-filter-intake_year").inner_text()
    # The learner grid loads rows from the server as it scrolls; filtering under the
    # Learner heading asks the server again and leaves only matching learners.
    grid = page.locator("#cohorts-learners-table")
    first = grid.locator(".ag-center-cols-container [col-id='learner_ref']").first.inner_text()
    grid.locator(".ag-floating-filter input").first.fill(first)
    page.wait_for_function(
        "ref => { const cells = [...document.querySelectorAll("
        "'#cohorts-learners-table .ag-center-cols-container [col-id=\"learner_ref\"]')];"
        " return cells.length > 0 && cells.every(c => c.textContent.includes(ref)); }",
        arg=first,
    )
    assert "Exact figures" in page.locator("#cohorts-disclosure").inner_text()
    assert "HESA" in page.locator("#cohorts-system-disclosure").inner_text()
    assert browser_page.console_errors == []


AXIS_TITLES_INSIDE = """(graph) => {
    const box = graph.querySelector('.main-svg').getBoundingClientRect();
    return [...graph.querySelectorAll('.xtitle, .ytitle')].map((t) => {
        const r = t.getBoundingClientRect();
        return {title: t.textContent, inside: r.top >= box.top && r.bottom <= box.bottom
            && r.left >= box.left && r.right <= box.right};
    });
}"""


@pytest.mark.parametrize("width", [1440, 1024])
def test_cohort_chart_axis_titles_are_not_cut(browser_page: BrowserPage, width: int) -> None:
    page: Any = browser_page.page
    page.set_viewport_size({"width": width, "height": 1000})
    browser_page.sign_in("hei")
    browser_page.goto("/cohorts")
    for chart in ("cohorts-trend", "cohorts-retention"):
        graph = page.locator(f"#{chart} .js-plotly-plot")
        graph.locator(".ytitle").wait_for(timeout=30_000)
        titles = graph.evaluate(AXIS_TITLES_INSIDE)
        assert titles and all(t["inside"] for t in titles), (chart, width, titles)
    assert browser_page.console_errors == []
