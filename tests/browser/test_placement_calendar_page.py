"""Calendar files in a real browser: an HEI user downloads its learners' published placements
as an .ics file, all of them or the one chosen, and the file parses back to the events the
page lists (and only its own HEI's).

The plan is scoped to a block and programme no other browser test runs (occupational therapy
in 2026-B1), published through the services so the test starts where the HEI user does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from icalendar import Calendar
from sqlmodel import Session, select

from tests.browser.conftest import BrowserPage, LiveApp
from tracker.access import Principal
from tracker.db import session_scope
from tracker.models import Organisation, Role, User
from tracker.services.named_learners import assign_named_learners
from tracker.services.placements import approve_run
from tracker.services.run_jobs import execute_run
from tracker.services.runs import create_run

pytestmark = pytest.mark.browser

BLOCK, PROGRAMME = "2026-B1", "OCT"
COORDINATOR = Principal("coordinator", Role.COORDINATOR)


def _publish(live_app: LiveApp) -> None:
    with session_scope(live_app.engine) as session:
        run_id = create_run(
            session, principal=COORDINATOR, blocks=[BLOCK], programmes=[PROGRAMME], policy={}
        )
    assert execute_run(live_app.engine, run_id) == "succeeded"
    with session_scope(live_app.engine) as session:
        assign_named_learners(session, principal=COORDINATOR, run_id=run_id)
        approve_run(session, principal=COORDINATOR, run_id=run_id)


def _events(page: object, tmp_path: Path) -> tuple[str, list[object]]:
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click("#placements-ics")  # type: ignore[attr-defined]
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    calendar = Calendar.from_ical(saved.read_bytes())
    return saved.name, list(calendar.walk("VEVENT"))


def test_an_hei_user_downloads_its_placements_as_calendar_events(
    browser_page: BrowserPage, live_app: LiveApp, tmp_path: Path
) -> None:
    _publish(live_app)
    with Session(live_app.engine) as session:
        hei_id = session.exec(select(User.hei_id).where(User.username == "hei")).one()
        hei = session.get(Organisation, hei_id)
    assert hei is not None
    browser_page.sign_in("hei")
    page = browser_page.page
    browser_page.goto("/placements")
    rows = page.locator("#placements-grid .ag-center-cols-container .ag-row")
    rows.first.wait_for()
    listed = page.evaluate(
        "(id) => { const n = []; dash_ag_grid.getApi(id).forEachNode((r) => n.push(r.id));"
        " return n; }",
        "placements-grid",
    )
    name, events = _events(page, tmp_path)
    assert name == "placements.ics"
    assert len(events) == len(listed) > 0
    assert all(f"HEI: {hei.code}" in str(e["description"]) for e in events)  # type: ignore[index]

    page.locator(
        f"#placements-grid .ag-row[row-id='{listed[0]}'] .ag-selection-checkbox"
    ).first.click()
    chosen = page.evaluate(
        "(id) => dash_ag_grid.getApi(id).getSelectedRows()[0].placement_id", "placements-grid"
    )
    name, events = _events(page, tmp_path)
    assert name == f"placement-{chosen}.ics" and len(events) == 1
    assert str(events[0]["uid"]).startswith(f"placement-{chosen}@")  # type: ignore[index]
    assert browser_page.console_errors == []
