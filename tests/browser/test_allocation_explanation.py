"""The allocation review's Summary tab in a real browser: after a run, it says how far the
plan was proven, every HEI's fill and every sector's use (as the run stored them), and which
HEIs the fair share held at which fill, in words and without codes.

The run is scoped to one block and programme (2026-B2, social work degree) that no other
browser test runs or approves.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.browser.conftest import BrowserPage, LiveApp
from tests.browser.test_allocation_pages import run_allocation
from tracker.models import AllocationRun

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
