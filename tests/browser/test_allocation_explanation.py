"""The allocation review's Summary tab in a real browser: after a run, it says how far the
plan was proven, every HEI's fill and every sector's use (as the run stored them), and which
HEIs the fair share held at which fill, in words and without codes.

The runs are scoped to one block and programme (2026-B2, social work degree) that no other
browser test runs or approves; the second plans them on the programme calendars.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from tests.browser.conftest import BrowserPage, LiveApp
from tests.browser.test_allocation_pages import _choose, _wait_for_message, run_allocation
from tracker.models import AllocationRun, PlacementBlock

pytestmark = pytest.mark.browser

BLOCK, PROGRAMME = "2026-B2", "SWD"


def test_summary_tab_explains_fills_uses_and_who_was_held(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    page = browser_page.page
    run_id = run_allocation(browser_page, BLOCK, PROGRAMME, "explanation browser test")
    with Session(live_app.engine) as session:
        run = session.get(AllocationRun, run_id)
        assert run is not None
        figures = dict(run.figures)
    page.click("a.nav-link:has-text('Summary')")
    status = page.locator("#allocation-explanation-status")
    status.wait_for()
    assert "Proven best on every level" in status.inner_text()
    assert "next lowest" in status.inner_text()  # leximin, said in words
    assert page.locator("#allocation-window").count() == 0  # a block run has no window
    gaps = page.locator("#allocation-gaps").inner_text()
    assert "Most learners placed: proven best" in gaps
    assert "Fair share between HEIs: proven best" in gaps
    fills = page.locator("#allocation-fills li").all_inner_texts()
    assert len(fills) == len(figures["hei_fill"]) >= 2
    for row in figures["hei_fill"]:
        assert any(
            line.startswith(f"{row['hei']}: {row['placed']:,} of {row['requested']:,}")
            for line in fills
        ), (row, fills)
    uses = page.locator("#allocation-sector-use li").all_inner_texts()
    assert len(uses) == len(figures["sector_utilisation"])
    assert all("_" not in line for line in uses), uses  # sector labels, not codes
    held = page.locator("#allocation-held li").all_inner_texts()
    assert len(held) == len(figures["held"]) >= 1
    first = figures["held"][0]
    assert held[0].startswith("Fair share between HEIs, round 1: ")
    for hei, fill in first["members"]:
        assert f"{hei} at {fill:.0%}" in held[0]
    assert "by_total" not in " ".join(held) and "fair_share" not in " ".join(held)


def test_run_on_programme_calendars_over_a_window_and_see_why(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    """The main path of a run on real calendars: choose the mode and the window (one block's
    weeks), run, and read the dated plan and its explanation."""
    page = browser_page.page
    with Session(live_app.engine) as session:
        block = session.exec(select(PlacementBlock).where(PlacementBlock.code == BLOCK)).one()
        window = (block.start_date.isoformat(), block.end_date.isoformat())
    browser_page.sign_in("coordinator")
    browser_page.goto("/allocation")
    page.wait_for_selector("#allocation-run")
    _choose(page, "allocation-blocks", BLOCK)
    _choose(page, "allocation-programmes", PROGRAMME)
    page.select_option("#allocation-mode", "calendars")
    # the window starts as the academic year of the chosen block, then is narrowed to it
    year = block.start_date.year - (block.start_date.month < 9)
    start_box = page.locator("#allocation-window-start")
    page.wait_for_function(
        "(v) => document.getElementById('allocation-window-start').value === v",
        arg=f"{year}-09-01",
    )
    assert page.locator("#allocation-window-end").input_value() == f"{year + 1}-08-31"
    start_box.fill(window[0])
    page.fill("#allocation-window-end", window[1])
    page.fill("#allocation-name", "calendar browser test")
    page.click("#allocation-run")
    text = _wait_for_message(page, r"Run \d+ succeeded")
    run_id = int(re.search(r"Run (\d+) succeeded", text).group(1))  # type: ignore[union-attr]
    with Session(live_app.engine) as session:
        run = session.get(AllocationRun, run_id)
        assert run is not None and run.scope["window"] == list(window)
        assert "calendar" in (run.solver or "")
        starts = {r["start_date"] for r in run.inputs["demand"]}
        figures = dict(run.figures)
    assert len(starts) >= 2  # the HEIs' own weeks, not one block's
    # the plan lists each placement's own dates
    page.locator("#allocation-plan .ag-center-cols-container .ag-row").first.wait_for()
    shown = set(
        page.evaluate(
            """() => { const out = [];
                const api = dash_ag_grid.getApi('allocation-plan');
                api.forEachNode(n => out.push(n.data.start_date));
                return out; }"""
        )
    )
    assert len(shown) >= 2, shown
    assert "Planned on the programme calendars" in page.locator("#allocation-window").inner_text()
    page.click("a.nav-link:has-text('Summary')")
    status = page.locator("#allocation-explanation-status")
    status.wait_for()
    assert "Proven best on every level" in status.inner_text()
    fills = page.locator("#allocation-fills li").all_inner_texts()
    assert len(fills) == len(figures["hei_fill"]) >= 2
    held = page.locator("#allocation-held li").all_inner_texts()
    assert len(held) == len(figures["held"]) >= 1
    assert held[0].startswith("Fair share between HEIs, round 1: ")
