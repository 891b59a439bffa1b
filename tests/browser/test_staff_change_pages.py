"""A coordinator replaces a named learner's practice supervisor on the Placements grid (the
supervisor is off sick), in a real browser on the demo data.

The plan is made, named and approved through the services (the allocation pages' own browser
tests drive those steps), on a block and programme no other browser test reads: 2026-B2,
children's nursing (NMC learners, with a supervisor and an assessor in their field).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.browser.conftest import BrowserPage, LiveApp
from tracker.access import Principal
from tracker.db import session_scope
from tracker.models import Placement, PracticeStaff, Role
from tracker.queries.staff_choices import named_staff_choices
from tracker.refusals import Refused
from tracker.services.named_learners import assign_named_learners
from tracker.services.placements import approve_run
from tracker.services.run_jobs import execute_run
from tracker.services.runs import create_run
from tracker.services.staff_changes import SUPERVISOR, change_named_staff

pytestmark = pytest.mark.browser

BLOCK, PROGRAMME = "2026-B2", "CHN"
COORDINATOR = Principal("coordinator", Role.COORDINATOR)


def _approved_named_placement(live_app: LiveApp) -> tuple[int, str, int, str]:
    """A confirmed named placement, its supervisor's name, and someone else at its setting
    the change would accept, with their name."""
    engine = live_app.engine
    with session_scope(engine) as session:
        run_id = create_run(
            session, principal=COORDINATOR, blocks=[BLOCK], programmes=[PROGRAMME], policy={}
        )
    assert execute_run(engine, run_id) == "succeeded"
    with session_scope(engine) as session:
        assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
        approve_run(session, principal=COORDINATOR, run_id=run_id)
    return someone_to_take_over(engine, run_id)


def someone_to_take_over(engine: Engine, run_id: int) -> tuple[int, str, int, str]:
    """A named placement of the run, its supervisor's name, and someone else at its setting
    the change would accept (tried in a transaction that is rolled back) with their name."""
    with Session(engine) as session:
        rows = session.exec(
            select(Placement).where(
                Placement.run_id == run_id, col(Placement.practice_supervisor_id).is_not(None)
            )
        ).all()
        names = {p.id: p.display_name or p.staff_ref for p in session.exec(select(PracticeStaff))}
    for placement in rows:
        with Session(engine) as session:
            choices = named_staff_choices(
                session, principal=COORDINATOR, placement_id=placement.id or 0
            )
        for person in choices.itertuples(index=False):
            if int(person.staff_id) == placement.practice_supervisor_id:
                continue
            with Session(engine) as session:
                try:
                    change_named_staff(
                        session,
                        principal=COORDINATOR,
                        placement_id=placement.id or 0,
                        slot=SUPERVISOR,
                        staff_id=int(person.staff_id),
                    )
                except Refused:
                    continue
                finally:
                    session.rollback()
            current = names[placement.practice_supervisor_id or 0]
            return placement.id or 0, current, int(person.staff_id), str(person.name)
    raise AssertionError("no named placement of the plan has anyone to take over")


def test_a_coordinator_replaces_a_learners_supervisor_on_the_placements_grid(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    placement_id, before, staff_id, after = _approved_named_placement(live_app)
    browser_page.sign_in("coordinator")
    page = browser_page.page
    browser_page.goto("/placements")
    page.locator("#placements-grid .ag-center-cols-container .ag-row").first.wait_for()
    row = change_supervisor(page, "placements", "placements-grid", placement_id, staff_id, after)
    page.evaluate(
        """(id) => dash_ag_grid.getApi(id).ensureColumnVisible('practice_supervisor')""",
        "placements-grid",
    )
    cell = page.locator(f"{row} [col-id='practice_supervisor']").first
    cell.filter(has_text=after).wait_for()
    assert before != after
    with Session(live_app.engine) as session:
        stored = session.get(Placement, placement_id)
    assert stored is not None and stored.practice_supervisor_id == staff_id
    assert browser_page.console_errors == []


def change_supervisor(
    page: Page, prefix: str, grid: str, placement_id: int, staff_id: int, name: str
) -> str:
    """Pick the placement's row in `grid`, choose `staff_id` (listed by `name`) in the change
    card `<prefix>-...`, press Change staff and wait for the message; the row's selector."""
    row = f"#{grid} .ag-row[row-id='{placement_id}']"
    page.evaluate(
        """async ([id, row]) => {
            const api = await dash_ag_grid.getApiAsync(id);
            api.ensureNodeVisible(api.getRowNode(row), 'top');
        }""",
        [grid, str(placement_id)],
    )
    page.locator(f"{row} .ag-selection-checkbox").first.click()
    page.click(f"#{prefix}-person")
    option = page.locator(f"[role=option]:has(input[value='{staff_id}'])")
    option.wait_for()
    assert name in option.inner_text()
    option.click()
    page.keyboard.press("Escape")
    page.click(f"#{prefix}-change-staff")
    message = page.locator(f"#{prefix}-message")
    message.filter(has_text="is now the learner's practice supervisor").wait_for()
    assert name in message.inner_text()
    return row
