"""Stage 2 with named staff in a real browser on the demo data: a coordinator runs a plan,
names its learners (the demo names staff at every active setting), approves it, and the
placements grid shows each named learner's practice supervisor and practice assessor.

Scoped to one block and programme no other browser test reads (2026-B4, midwifery: NMC
learners, who need both a supervisor and an assessor).
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from tests.browser.conftest import BrowserPage, LiveApp
from tests.browser.test_allocation_pages import run_allocation
from tracker.models import Placement, PracticeStaff

pytestmark = pytest.mark.browser

BLOCK, PROGRAMME = "2026-B4", "MID"

# the first of this run's named rows (other browser tests publish named placements too)
_SHOW_NAMED = """([id, mine]) => {
  const api = dash_ag_grid.getApi(id);
  let found = null;
  api.forEachNode((n) => {
    if (!found && mine.includes(n.id) && n.data.practice_supervisor && n.data.practice_assessor) {
      found = n;
    }
  });
  if (!found) return null;
  api.ensureNodeVisible(found, 'top');
  api.ensureColumnVisible('practice_assessor');
  return found.id;
}"""


def _cell(page: object, row_id: str, column: str) -> str:
    cell = page.locator(  # type: ignore[attr-defined]
        f"#placements-grid .ag-row[row-id='{row_id}'] [col-id='{column}']"
    ).first
    cell.wait_for()
    return str(cell.inner_text()).strip()


def test_named_learners_get_a_supervisor_and_an_assessor_on_the_placements_grid(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    page = browser_page.page
    run_id = run_allocation(browser_page, BLOCK, PROGRAMME, "named staff browser test")
    page.locator("#allocation-status").filter(has_text="succeeded").wait_for()

    page.click("#allocation-assign")
    message = page.locator("#allocation-action-message")
    message.filter(has_text="with a named supervisor and assessor").wait_for(timeout=120_000)
    page.click("a.nav-link:has-text('Named learners')")
    page.locator("#allocation-named-grid .ag-center-cols-container .ag-row").first.wait_for()
    page.wait_for_selector("#allocation-unassigned-grid")

    page.click("#allocation-approve")
    page.locator("#allocation-approve-preview").filter(has_text="confirms").wait_for()
    page.click("#allocation-approve-confirm")
    message.filter(has_text="approved").wait_for(timeout=60_000)
    with Session(live_app.engine) as session:
        staffed = session.exec(
            select(Placement).where(
                Placement.run_id == run_id,
                col(Placement.practice_supervisor_id).is_not(None),
                col(Placement.practice_assessor_id).is_not(None),
            )
        ).all()
        assert staffed
        assert all(p.practice_supervisor_id != p.practice_assessor_id for p in staffed)
        names = {
            p.id: (p.display_name or p.staff_ref) for p in session.exec(select(PracticeStaff)).all()
        }
        expected = {
            str(p.id): (names[p.practice_supervisor_id], names[p.practice_assessor_id])
            for p in staffed
        }

    browser_page.goto("/placements")
    page.locator("#placements-grid .ag-center-cols-container .ag-row").first.wait_for()
    header = page.locator("#placements-grid .ag-header-cell[col-id='practice_supervisor']")
    row_id = page.evaluate(_SHOW_NAMED, ["placements-grid", list(expected)])
    assert row_id is not None
    supervisor = _cell(page, row_id, "practice_supervisor")
    assessor = _cell(page, row_id, "practice_assessor")
    assert "Practice supervisor" in header.inner_text()
    assert supervisor and assessor and supervisor != assessor
    assert (supervisor, assessor) == expected[row_id]
    assert browser_page.console_errors == []
