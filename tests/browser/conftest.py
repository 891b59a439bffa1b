"""Real-browser tests: the app served on a free local port, driven by headless Chromium.

One app per test process (Dash keeps its page registry per process), on a temporary SQLite
database filled with the demo data. Tests skip with a clear reason when no Chromium is
installed; CI installs Debian's chromium so they run there.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import DEMO_PASSWORDS

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _chromium_path() -> str | None:
    for candidate in (os.environ.get("TRACKER_CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


@dataclass
class LiveApp:
    url: str
    app: Any
    engine: Any


@pytest.fixture(scope="session")
def live_app(web_app: Any, web_engine: Any) -> Iterator[LiveApp]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = make_server("127.0.0.1", port, web_app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveApp(f"http://127.0.0.1:{port}", web_app, web_engine)
    server.shutdown()


@pytest.fixture(autouse=True)
def _live_app_is_the_process_app(request: pytest.FixtureRequest) -> None:
    """Background callbacks (the allocation job) and run tokens ask Dash for "the app of this
    process" (``dash.get_app()``), which is the last one built. In production a process builds
    one; in this test process tests/web builds many, so a browser test that runs after them
    would hand its job another app's database. Point Dash back at the live app."""
    if "live_app" in request.fixturenames:
        from dash import _get_app

        _get_app.APP = request.getfixturevalue("live_app").app


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    executable = _chromium_path()
    if executable is None:
        pytest.skip("no Chromium installed (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@dataclass
class BrowserPage:
    """A fresh browser context with a record of console errors, for one test."""

    page: object
    base_url: str
    console_errors: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)  # type: ignore[attr-defined]

    def sign_in(self, username: str, password: str | None = None) -> None:
        page = self.page
        page.goto(self.base_url + "/login")  # type: ignore[attr-defined]
        page.fill("#username", username)  # type: ignore[attr-defined]
        page.fill("#password", password or DEMO_PASSWORDS[username])  # type: ignore[attr-defined]
        page.click("#signin-submit")  # type: ignore[attr-defined]
        page.wait_for_selector(".tracker-nav")  # type: ignore[attr-defined]

    def sign_out(self) -> None:
        """Sign out as a user does: the user menu, then its Sign out button (a form post)."""
        page = self.page
        page.click("#nav-user")  # type: ignore[attr-defined]
        page.click("#nav-signout")  # type: ignore[attr-defined]
        page.wait_for_selector("#signin-submit")  # type: ignore[attr-defined]


@pytest.fixture
def browser_page(chromium: object, live_app: LiveApp) -> Iterator[BrowserPage]:
    context = chromium.new_context(accept_downloads=True)  # type: ignore[attr-defined]
    context.set_default_timeout(20_000)
    page = context.new_page()
    result = BrowserPage(page, live_app.url)

    def on_console(message: object) -> None:
        if message.type == "error":  # type: ignore[attr-defined]
            result.console_errors.append(message.text)  # type: ignore[attr-defined]

    page.on("console", on_console)
    page.on("pageerror", lambda exc: result.console_errors.append(str(exc)))
    yield result
    context.close()
