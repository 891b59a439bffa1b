"""The placement provider role in a real browser: the demo ``provider`` account (an acute
trust) sees who is coming to its own settings, its settings' audits, quality and tariff,
and none of the learner pipeline, requests or allocation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, col, select

from tests.browser.conftest import BrowserPage, LiveApp
from tests.browser.test_capacity_pages import _rows
from tests.placement_rows import confirm_at, remove_placements
from tracker.models import (
    Learner,
    Organisation,
    PlacementRequest,
    PlacementSetting,
    User,
)

pytestmark = pytest.mark.browser


def _publish_at(engine: Any, setting_code: str) -> list[int]:
    """Confirmed placements at one setting for the first request (a request-level row and
    one named learner of its cohort): what the provider sees after an approval."""
    with Session(engine) as session:
        setting = session.exec(
            select(PlacementSetting).where(PlacementSetting.code == setting_code)
        ).one()
        request = session.exec(select(PlacementRequest).order_by(col(PlacementRequest.id))).first()
        assert request is not None
        learner = session.exec(
            select(Learner).where(Learner.cohort_id == request.cohort_id).order_by(col(Learner.id))
        ).first()
        assert learner is not None
        made = confirm_at(session, request, learner, setting)
        session.commit()
    return made


def test_a_provider_sees_its_own_settings_only(
    browser_page: BrowserPage, live_app: LiveApp
) -> None:
    with Session(live_app.engine) as session:
        user = session.exec(select(User).where(User.username == "provider")).one()
        org = session.get(Organisation, user.organisation_id)
        assert org is not None
        own = set(
            session.exec(
                select(PlacementSetting.code).where(PlacementSetting.organisation_id == org.id)
            ).all()
        )
        active = session.exec(
            select(PlacementSetting.code).where(
                PlacementSetting.organisation_id == org.id, col(PlacementSetting.active)
            )
        ).all()
    published = _publish_at(live_app.engine, sorted(own)[0])
    try:
        _walk_the_pages(browser_page, org, own, len(active))
    finally:
        remove_placements(live_app.engine, published)


def _walk_the_pages(
    browser_page: BrowserPage, org: Organisation, own: set[str], active: int
) -> None:
    page = browser_page.page
    browser_page.sign_in("provider")
    # the menus of the sections it may open: no pipeline, data or admin section
    menus = {t.strip() for t in page.locator(".tracker-nav .nav-link").all_inner_texts()}
    assert {"Home", "Capacity", "Allocation"} <= menus
    assert not menus & {"Pipeline", "Data", "Admin"}
    # home counts the organisation's own settings, not the system's
    settings = page.locator("#home-settings").inner_text()
    assert "Your active placement settings" in settings
    assert settings.split()[0] == f"{active:,}"
    assert "requested" not in page.locator("#home-places").inner_text()
    browser_page.goto("/placements")
    page.wait_for_selector("#placements-grid .ag-row")
    placed = _rows(page, "placements-grid")
    # its own settings only (other tests on this app may have published at others of them)
    assert sorted(own)[0] in {r["setting"] for r in placed}
    assert {r["setting"] for r in placed} <= own
    assert any(r["learner"] for r in placed)  # who is coming
    browser_page.goto("/audits")
    page.wait_for_selector("#audits-grid .ag-row")
    assert {r["organisation"] for r in _rows(page, "audits-grid")} == {org.code}
    browser_page.goto("/quality")
    page.wait_for_selector("#quality-grid")
    assert {r["setting"] for r in _rows(page, "quality-grid")} <= own
    assert not page.locator("#quality-start").is_visible()  # reviews are kept by staff
    browser_page.goto("/tariff")
    page.wait_for_selector("#tariff-grid .ag-row")
    assert {r["organisation"] for r in _rows(page, "tariff-grid")} == {org.name}
    assert browser_page.console_errors == []
    browser_page.goto("/cohorts")
    page.wait_for_selector("#page-forbidden")
