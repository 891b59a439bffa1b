"""A shared link opened signed out lands, after sign-in, where it pointed, query and all."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import BrowserPage
from tests.conftest import DEMO_PASSWORDS

pytestmark = pytest.mark.browser

SHARED_LINK = "/concerns?profession_group=nursing&hei=UNI-A&intake_year=2022/23"


def test_a_shared_link_keeps_its_whole_query_through_sign_in(browser_page: BrowserPage) -> None:
    page = browser_page.page
    browser_page.goto(SHARED_LINK)
    page.wait_for_selector("#signin-submit")
    page.fill("#username", "admin")
    page.fill("#password", DEMO_PASSWORDS["admin"])
    page.click("#signin-submit")
    page.wait_for_selector(".tracker-nav")
    landed = urlsplit(page.url)
    assert landed.path + "?" + landed.query == SHARED_LINK
