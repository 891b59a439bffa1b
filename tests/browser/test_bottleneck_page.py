"""The allocation review's Bottlenecks tab on the demo: its grid reads in full, every row
says how many supervisors to add, the figures differ by setting, and each "+1 supervisor"
figure is what a re-run of the allocator with one more supervisor at that setting and block
really places.

The run is scoped to one block and programme (2026-B1, mental health nursing) that no other
browser test approves, so the registers it reads are the demo's.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from tests.browser.conftest import BrowserPage, LiveApp
from tests.browser.test_allocation_pages import run_allocation
from tests.browser.test_capacity_pages import _rows
from tests.browser.test_readable_grids import UNREADABLE
from tracker.access import Principal
from tracker.db import session_scope
from tracker.models import AllocationRun, Role
from tracker.services.run_jobs import execute_run
from tracker.services.runs import create_scenario
from tracker.snapshots import CapacityChange

pytestmark = pytest.mark.browser

BLOCK, PROGRAMME = "2026-B1", "MHN"
COORDINATOR = Principal("coordinator", Role.COORDINATOR)
GRID = "allocation-bottleneck-grid"


def _placed(engine: Any, run_id: int) -> int:
    with Session(engine) as session:
        run = session.get(AllocationRun, run_id)
        assert run is not None and run.status == "succeeded", run and run.error
        return int(run.figures["levels"]["placed"])


def _placed_with_one_more(engine: Any, run_id: int, setting: str) -> int:
    """Learners placed by a what-if re-run of ``run_id`` with one more supervisor at
    ``setting`` in the block (the allocator itself, not the bottleneck arithmetic)."""
    change = CapacityChange(setting_id=setting, block=BLOCK, add_supervisors=1)
    with session_scope(engine) as session:
        scenario = create_scenario(
            session, principal=COORDINATOR, run_id=run_id, capacity_changes=[change]
        )
    assert execute_run(engine, scenario) == "succeeded"
    return _placed(engine, scenario)


def test_bottlenecks_differ_by_setting_and_equal_a_rerun(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    page = browser_page.page
    run_id = run_allocation(browser_page, BLOCK, PROGRAMME, "bottleneck browser test")
    page.click("a.nav-link:has-text('Bottlenecks')")
    page.locator(f"#{GRID} .ag-center-cols-container .ag-row").first.wait_for()
    # filled while its tab was hidden, the grid measures its columns once shown: none cut
    page.wait_for_timeout(500)
    assert page.evaluate(UNREADABLE) == []
    rows = _rows(page, GRID)  # in the order shown: the run figures' own ranking
    assert rows
    # every row says how many supervisors would place everyone who could go there, on screen
    assert all(r["supervisors_to_add"] and r["supervisors_to_add"] >= 1 for r in rows), rows
    page.evaluate("(id) => dash_ag_grid.getApi(id).ensureColumnVisible('supervisors_to_add')", GRID)
    shown = page.locator(f"#{GRID} .ag-center-cols-container [col-id='supervisors_to_add']")
    assert shown.first.inner_text().strip() == str(int(rows[0]["supervisors_to_add"]))
    # figures from each place's own flow, not one shared count
    assert len({r["extra_with_1"] for r in rows}) > 1, rows
    assert len({r["supervisors_to_add"] for r in rows}) > 1, rows
    for r in rows:
        per = r["learners_per_supervisor"]
        assert r["extra_with_1"] <= r["extra_with_2"] <= r["extra_with_5"] <= r["unmet_in_reach"]
        assert r["supervisors_to_add"] == -(-r["unmet_in_reach"] // per)
    # the top row and the first row with a different +1 figure: each equals a re-run
    first = rows[0]
    other = next(r for r in rows if r["extra_with_1"] != first["extra_with_1"])
    before = _placed(live_app.engine, run_id)
    for row in (first, other):
        gained = _placed_with_one_more(live_app.engine, run_id, row["setting_id"]) - before
        assert gained == row["extra_with_1"], row
    assert browser_page.console_errors == []
