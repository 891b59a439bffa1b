"""Capacity pages in a real browser: they render cleanly, a grid edit reaches the heatmap, and
an HEI user sees only its own requests."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from tests.browser.conftest import BrowserPage, LiveApp
from tracker.access import Principal
from tracker.db import session_scope
from tracker.models import Organisation, Role, User
from tracker.queries.capacity import capacity_register
from tracker.queries.options import block_options
from tracker.queries.requests import requests_register
from tracker.services.capacity import save_capacity_rows

pytestmark = pytest.mark.browser

STAFF = Principal("coordinator", Role.COORDINATOR)
HEATMAP = "#capacity-demand-sector-heatmap"


def _rows(page: Any, grid_id: str) -> list[dict[str, Any]]:
    """Every row the grid shows (after filters), read through AG Grid's API."""
    return page.evaluate(  # type: ignore[no-any-return]
        """async (id) => {
            const api = await dash_ag_grid.getApiAsync(id);
            const rows = [];
            api.forEachNodeAfterFilter((node) => rows.push(node.data));
            return rows;
        }""",
        grid_id,
    )


def _heatmap_places(page: Any, row_label: str, block: str, item: int = 0) -> float:
    """A heatmap cell's places (``item`` 3: the part from named staff)."""
    page.wait_for_selector(f"{HEATMAP} .heatmaplayer")
    return page.evaluate(  # type: ignore[no-any-return]
        """([sel, row, block, item]) => {
            const trace = document.querySelector(sel + ' .js-plotly-plot').data[0];
            const y = trace.y.indexOf(row), x = trace.x.indexOf(block);
            return trace.customdata[y][x][item];
        }""",
        [HEATMAP, row_label, block, item],
    )


def _last_block_row(live_app: LiveApp) -> tuple[str, Any]:
    """The last block and its first active capacity row whose places are the typed counts
    (an unnamed setting's: what the edit tests change)."""
    with Session(live_app.engine) as session:
        block = block_options(session)["block"].iloc[-1]
        register = capacity_register(session, principal=STAFF, blocks=[block], active_only=True)
    return str(block), register[register["capacity_kind"] == "unnamed"].iloc[0]


def test_capacity_says_which_places_come_from_named_staff(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    """The grid shows each row's kind in words and a named row's places are its staff's; the
    heatmap's data carries the places from named staff beside all places."""
    block, _ = _last_block_row(live_app)
    with Session(live_app.engine) as session:
        register = capacity_register(session, principal=STAFF, blocks=[block], active_only=True)
    named = register[register["capacity_kind"] == "named"].iloc[0]
    assert named["places"] != named["practice_supervisors"] * named["learners_per_supervisor"]
    browser_page.sign_in("coordinator")
    page = browser_page.page
    browser_page.goto(f"/capacity?block={block}")
    row = f'#capacity-grid .ag-row[row-id="{named["id"]}"]'
    page.wait_for_selector(row)
    page.evaluate(
        """async () => (await dash_ag_grid.getApiAsync('capacity-grid'))
            .ensureColumnVisible('capacity_kind')"""
    )
    kind = page.locator(f'{row} .ag-cell[col-id="capacity_kind"]')
    kind.wait_for()
    assert kind.inner_text().strip() == "Named staff"
    places = page.locator(f'{row} .ag-cell[col-id="places"]').inner_text()
    assert places.strip() == str(int(named["places"]))
    kinds = {r["capacity_kind"] for r in _rows(page, "capacity-grid")}
    assert kinds == {"named", "unnamed"}
    browser_page.goto("/capacity-demand")
    active = register[register["active"].astype(bool)]
    from_staff = int(active.loc[active["capacity_kind"] == "named", "places"].sum())
    assert _heatmap_places(page, "All sectors", block, item=3) == from_staff
    assert browser_page.console_errors == []


def _supervisors_cell(row: Any) -> str:
    return f'#capacity-grid .ag-row[row-id="{row["id"]}"] .ag-cell[col-id="practice_supervisors"]'


def test_capacity_pages_render_with_a_clean_console(browser_page: BrowserPage) -> None:
    browser_page.sign_in("coordinator")
    page = browser_page.page
    for path, selector in (
        ("/settings", "#settings-grid .ag-row"),
        ("/capacity", "#capacity-grid .ag-row"),
        ("/calendar", "#calendar-timeline .main-svg"),
        ("/requests", "#requests-grid .ag-row"),
        ("/capacity-demand", f"{HEATMAP} .heatmaplayer"),
    ):
        browser_page.goto(path)
        page.wait_for_selector(selector)
    page.wait_for_selector("#capacity-demand-map .scatterlayer")
    page.wait_for_selector("#capacity-demand-coverage .barlayer")
    assert browser_page.console_errors == []


def test_capacity_edit_in_the_grid_reaches_the_heatmap(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    block, row = _last_block_row(live_app)
    browser_page.sign_in("coordinator")
    page = browser_page.page
    browser_page.goto("/capacity-demand")
    before_all = _heatmap_places(page, "All sectors", block)
    try:
        browser_page.goto(f"/capacity?block={block}")
        cell = page.locator(_supervisors_cell(row))
        cell.wait_for()
        cell.dblclick()
        page.keyboard.press("Control+A")
        page.keyboard.type(str(int(row["practice_supervisors"]) + 5))
        page.keyboard.press("Enter")
        page.click("#capacity-save")
        page.wait_for_selector("#capacity-message .alert-success")
        assert "Saved 1 capacity row" in page.locator("#capacity-message").inner_text()
        browser_page.goto("/capacity-demand")
        added = 5 * int(row["learners_per_supervisor"])
        assert _heatmap_places(page, "All sectors", block) == before_all + added
    finally:
        with Session(live_app.engine) as session:
            now = capacity_register(session, principal=STAFF, blocks=[block])
        current = now[now["id"] == row["id"]].iloc[0].to_dict()
        with session_scope(live_app.engine) as session:
            save_capacity_rows(
                session,
                principal=STAFF,
                rows=[{**current, "practice_supervisors": int(row["practice_supervisors"])}],
            )
    assert browser_page.console_errors == []


def test_hei_user_sees_only_its_own_requests(browser_page: BrowserPage, live_app: LiveApp) -> None:
    with Session(live_app.engine) as session:
        user = session.exec(select(User).where(User.username == "hei")).one()
        hei = session.get(Organisation, user.hei_id)
        assert hei is not None
        own = requests_register(
            session,
            principal=Principal("hei", Role.HEI, hei_id=hei.id, hei_code=hei.code),
            status=["submitted"],
        )
        every = requests_register(session, principal=STAFF, status=["submitted"])
    assert len(own) and len(every) > len(own)
    browser_page.sign_in("hei")
    page = browser_page.page
    browser_page.goto("/requests")
    page.wait_for_selector("#requests-grid .ag-row")
    shown = _rows(page, "requests-grid")
    assert {r["hei"] for r in shown} == {hei.code}
    assert sorted(r["request_id"] for r in shown) == sorted(own["request_id"])
    assert browser_page.console_errors == []


def _care_home_places(engine: Any) -> int:
    """Care homes' typed places (supervisors x learners each): what a bulk change changes
    (where a home names its staff, its places are theirs whatever is typed)."""
    with Session(engine) as session:
        register = capacity_register(session, principal=STAFF)
    homes = register[register["sector"] == "care_home"]
    return int((homes["practice_supervisors"] * homes["learners_per_supervisor"]).sum())


def test_bulk_change_shows_what_it_would_do_and_asks_first(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    before = _care_home_places(live_app.engine)
    browser_page.sign_in("coordinator")
    page = browser_page.page
    browser_page.goto("/capacity")
    page.wait_for_selector("#capacity-grid .ag-row")
    page.click("#capacity-bulk-sector")
    page.get_by_role("option", name="Care home").click()
    page.fill("#capacity-bulk-supervisors", "1")
    page.click("#capacity-bulk-apply")
    preview = page.locator("#capacity-bulk-preview")
    preview.wait_for()
    assert "capacity rows would change: places" in preview.inner_text()
    page.click("#capacity-bulk-cancel")
    page.wait_for_selector("#capacity-bulk-modal", state="detached")
    assert _care_home_places(live_app.engine) == before  # nothing changed without confirming
    try:
        page.click("#capacity-bulk-apply")
        preview.wait_for()
        said = preview.inner_text()
        page.click("#capacity-bulk-confirm")
        page.wait_for_selector("#capacity-message .alert-success")
        message = page.locator("#capacity-message").inner_text()
        assert "capacity rows changed" in message
        after = _care_home_places(live_app.engine)
        assert after > before and "→ " in said
    finally:
        from tracker.services.capacity import bulk_adjust_capacity

        with session_scope(live_app.engine) as session:
            bulk_adjust_capacity(session, principal=STAFF, sector="care_home", delta_supervisors=-1)
    assert _care_home_places(live_app.engine) == before
    assert browser_page.console_errors == []


def test_a_count_out_of_range_stays_in_the_cell_and_says_why(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    block, row = _last_block_row(live_app)
    browser_page.sign_in("coordinator")
    page = browser_page.page
    browser_page.goto(f"/capacity?block={block}")
    cell = page.locator(_supervisors_cell(row))
    cell.wait_for()
    cell.dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type("-3")
    page.keyboard.press("Enter")
    page.wait_for_function(
        """(sel) => document.querySelector(sel)?.innerText.trim().startsWith('-3')""",
        arg=_supervisors_cell(row),
    )
    # kept in the cell, drawn in red, and the cell says why
    assert "bg-danger-subtle" in (cell.get_attribute("class") or "")
    assert "-3 · only 0 to" in cell.inner_text()
    page.click("#capacity-save")
    page.wait_for_selector("#capacity-message .alert")
    assert "Saved" not in page.locator("#capacity-message").inner_text()
    with Session(live_app.engine) as session:
        again = capacity_register(session, principal=STAFF, blocks=[block])
    assert int(again.loc[again["id"] == row["id"], "practice_supervisors"].iloc[0]) == int(
        row["practice_supervisors"]
    )
    assert browser_page.console_errors == []


def test_the_calendar_has_a_date_axis_one_row_per_programme_and_a_bounded_height(
    browser_page: BrowserPage,
) -> None:
    browser_page.sign_in("coordinator")
    page = browser_page.page
    browser_page.goto("/calendar")
    page.wait_for_selector("#calendar-timeline .barlayer")
    drawn = page.evaluate(
        """() => {
            const plot = document.querySelector('#calendar-timeline .js-plotly-plot');
            const box = document.querySelector('.scrolling-box');
            const rows = plot._fullLayout.yaxis._categories;
            return {axis: plot._fullLayout.xaxis.type, rows: rows,
                    box: box.getBoundingClientRect().height, chart: plot._fullLayout.height};
        }"""
    )
    assert drawn["axis"] == "date"
    assert len(drawn["rows"]) == len(set(drawn["rows"]))  # one row per HEI programme
    assert all(" · " in row and "year" not in row for row in drawn["rows"])
    heis = [row.split(" · ")[0] for row in drawn["rows"]]
    assert heis == sorted(heis) or heis == sorted(heis, reverse=True)  # grouped by HEI
    assert drawn["box"] <= 640 < drawn["chart"]  # a long calendar scrolls in its box
    assert browser_page.console_errors == []
