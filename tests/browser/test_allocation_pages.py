"""The allocation cycle in a real browser on the demo data: run with progress, pin, re-run
close, approve, and an HEI user who then sees only its own placements.

The demo database is shared with other browser tests, so the run is scoped to one block and
one small programme (2026-B4, physiotherapy) that no other test reads.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from tests.browser.conftest import BrowserPage, LiveApp
from tracker.models import AllocationRun, Organisation, Placement, User

pytestmark = pytest.mark.browser

BLOCK, PROGRAMME = "2026-B4", "PHY"


def _choose(page: object, dropdown_id: str, value: str) -> None:
    """Pick one option of a (Dash 4) dropdown by its value, then close the list."""
    page.click(f"#{dropdown_id}")  # type: ignore[attr-defined]
    # Type only once the list is open: on a busy machine keys sent earlier are lost.
    page.wait_for_selector("[role=option]")  # type: ignore[attr-defined]
    page.keyboard.type(value)  # type: ignore[attr-defined]
    page.click(f"[role=option]:has(input[value='{value}'])")  # type: ignore[attr-defined]
    page.keyboard.press("Escape")  # type: ignore[attr-defined]


def _record_progress(page: object) -> None:
    """Note the run message beside the bar's value every time either changes."""
    page.evaluate(  # type: ignore[attr-defined]
        """() => {
            window.progressSeen = [];
            const note = () => {
                const bar = document.querySelector('#allocation-progress .progress-bar');
                const text = document.getElementById('allocation-run-message').innerText;
                window.progressSeen.push([Number(bar?.getAttribute('aria-valuenow') || 0), text]);
            };
            const watched = document.getElementById('allocation-run');
            new MutationObserver(note).observe(watched.closest('.card'), {
                subtree: true, childList: true, characterData: true, attributes: true,
            });
        }"""
    )


def _wait_for_message(page: object, pattern: str) -> str:
    locator = page.locator("#allocation-run-message")  # type: ignore[attr-defined]
    locator.filter(has_text=re.compile(pattern)).wait_for(timeout=60_000)
    return str(locator.inner_text())


def run_allocation(browser_page: BrowserPage, block: str, programme: str, name: str) -> int:
    """Sign in as the coordinator, run an allocation on one block and programme and wait
    for it to succeed; the run's id."""
    page = browser_page.page
    browser_page.sign_in("coordinator")
    browser_page.goto("/allocation")
    page.wait_for_selector("#allocation-run")
    _choose(page, "allocation-blocks", block)
    _choose(page, "allocation-programmes", programme)
    page.fill("#allocation-name", name)
    _record_progress(page)
    page.click("#allocation-run")
    text = _wait_for_message(page, r"Run \d+ succeeded")
    return int(re.search(r"Run (\d+) succeeded", text).group(1))  # type: ignore[union-attr]


def test_run_pin_rerun_approve_and_hei_sees_its_own(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    page = browser_page.page
    first = run_allocation(browser_page, BLOCK, PROGRAMME, "browser test")
    bar = page.locator("#allocation-progress .progress-bar")
    assert int(bar.get_attribute("aria-valuenow") or 0) == 100
    # the words under the bar follow it: never "queued" once the job is working, a stage's
    # words while it works (a fast run may finish between two polls, showing no stage)
    seen = page.evaluate("() => window.progressSeen")
    assert not [s for s in seen if s[0] > 2 and "queued" in s[1]], seen
    assert all(f"Run {first}: " in words for value, words in seen if 0 < value < 100), seen
    page.locator("#allocation-status").filter(has_text="succeeded").wait_for()
    assert "learners placed" in page.locator("#allocation-figures").inner_text()

    # review tabs render charts and tables
    page.click("a.nav-link:has-text('By HEI')")
    page.wait_for_selector("#allocation-hei-chart .main-svg")
    page.click("a.nav-link:has-text('Plan')")

    # pin the first placement of the plan
    first_row = page.locator("#allocation-plan .ag-center-cols-container .ag-row").first
    first_row.wait_for()
    first_row.click()
    page.click("#allocation-pin")
    page.locator("#allocation-action-message").filter(has_text="pinned").wait_for()

    # re-run close to this plan: a new background job
    page.click("#allocation-rerun")
    text = _wait_for_message(page, rf"Run (?!{first}\b)\d+ succeeded")
    second = int(re.search(r"Run (\d+) succeeded", text).group(1))  # type: ignore[union-attr]
    assert second != first
    page.locator("#allocation-figures").filter(has_text="moved from the previous plan").wait_for()
    with Session(live_app.engine) as session:
        pinned = session.exec(
            select(Placement).where(Placement.run_id == first, Placement.pinned)
        ).all()
        assert len(pinned) == 1
        kept = session.exec(
            select(Placement).where(
                Placement.run_id == second,
                Placement.request_id == pinned[0].request_id,
                Placement.setting_id == pinned[0].setting_id,
            )
        ).first()
        assert kept is not None and kept.pinned

    page.click("#allocation-approve")
    preview = page.locator("#allocation-approve-preview")
    preview.filter(has_text="confirms").wait_for()  # what it would publish, before it does
    assert "placements at" in preview.inner_text()
    page.click("#allocation-approve-confirm")
    page.locator("#allocation-action-message").filter(has_text="approved").wait_for()
    with Session(live_app.engine) as session:
        run = session.get(AllocationRun, second)
        assert run is not None and run.status == "approved"
        hei_id = session.exec(select(User.hei_id).where(User.username == "hei")).one()
        hei_code = session.get(Organisation, hei_id).code  # type: ignore[union-attr]
    assert browser_page.console_errors == []

    # the HEI user sees only its own learners' placements
    browser_page.sign_out()
    browser_page.sign_in("hei")
    browser_page.goto("/placements")
    rows = page.locator("#placements-grid .ag-center-cols-container .ag-row")
    rows.first.wait_for()
    heis = page.locator("#placements-grid .ag-center-cols-container [col-id='hei']")
    shown = {heis.nth(i).inner_text() for i in range(heis.count())}
    assert shown == {hei_code}
    assert page.locator("#placements-complete").is_hidden()
    assert browser_page.console_errors == []
