"""Screenshots of the app on the demo data: the README's set, or every page for every role.

    python scripts/screenshots.py                   # the README's set into docs/screenshots/
    python scripts/screenshots.py --every-page DIR  # every page x role at 1440 and 1024 px

The app runs in this process on a fresh demo database in a temporary directory (demo mode,
no Redis), with the 2026-B1 allocation run, approved and its learners named, so the plan,
placements and named staff have rows to show; headless Chromium (Debian's ``chromium``, or
``TRACKER_CHROMIUM``) signs in as each demo account. Nothing outside the temporary directory
and the output directory is written. Look at every image before committing it.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM_FLAGS, _chromium_path  # noqa: E402
from tests.browser.test_accessibility import _settle  # noqa: E402
from tests.conftest import DEMO_PASSWORDS  # noqa: E402

PLAN_BLOCK = "2026-B1"
WIDTHS = (1440, 1024)


@dataclass(frozen=True)
class Shot:
    """One README screenshot: file name, demo account, path, width, and what to do first."""

    name: str
    username: str
    path: str
    width: int = 1440
    then: Callable[[Any], None] | None = None


def _open_latest_run(page: Any) -> None:
    """Choose the newest run in the history, as a coordinator reviewing it would."""
    row = page.locator("#allocation-history .ag-center-cols-container .ag-row").first
    row.wait_for()
    row.click()
    page.locator("#allocation-status").wait_for()
    page.locator("#allocation-plan .ag-center-cols-container .ag-row").first.wait_for()


def _bottlenecks(page: Any) -> None:
    _open_latest_run(page)
    page.click("a.nav-link:has-text('Bottlenecks')")
    page.locator("#allocation-bottleneck-grid .ag-center-cols-container .ag-row").first.wait_for()


README_SET = (
    Shot("overview", "collaborative", "/pipeline"),
    Shot("concerns", "collaborative", "/concerns"),
    Shot("capacity-demand", "coordinator", "/capacity-demand"),
    Shot("outlook", "collaborative", "/outlook"),
    Shot("calendar", "coordinator", "/calendar"),
    Shot("practice-staff", "coordinator", "/practice-staff"),
    Shot("placements", "coordinator", "/placements"),
    Shot("placements-1024", "coordinator", "/placements", 1024),
    Shot("allocation", "coordinator", "/allocation", then=_open_latest_run),
    Shot("allocation-bottlenecks", "coordinator", "/allocation", then=_bottlenecks),
    Shot("capacity-1024", "coordinator", "/capacity", 1024),
    Shot("audit-log", "admin", "/audit"),
    Shot("cohorts-hei", "hei", "/cohorts"),
    Shot("readiness-hei", "hei", "/readiness"),
)


def _plan_on_demo(engine: Any) -> None:
    """The 2026-B1 allocation, approved, with named learners: rows for every workspace page."""
    from tracker.access import Principal
    from tracker.db import session_scope
    from tracker.models import Role
    from tracker.services.named_learners import assign_named_learners
    from tracker.services.placements import approve_run
    from tracker.services.run_jobs import execute_run
    from tracker.services.runs import create_run

    coordinator = Principal("coordinator", Role.COORDINATOR)
    with session_scope(engine) as session:
        run_id = create_run(
            session, principal=coordinator, blocks=[PLAN_BLOCK], name=f"{PLAN_BLOCK}, all"
        )
    if execute_run(engine, run_id) != "succeeded":
        raise SystemExit(f"the {PLAN_BLOCK} allocation did not succeed")
    with session_scope(engine) as session:
        approve_run(session, principal=coordinator, run_id=run_id)
    with session_scope(engine) as session:
        assign_named_learners(session, principal=coordinator, run_id=run_id)


@contextmanager
def demo_app() -> Iterator[tuple[str, Any]]:
    """The app on a fresh demo database, served on a free local port: (base URL, Dash app)."""
    from werkzeug.serving import make_server

    from tracker.config import Settings, default_database_url
    from tracker.webapp import create_app

    with tempfile.TemporaryDirectory(prefix="tracker-shots-") as tmp:
        data_dir = Path(tmp)
        settings = Settings(
            database_url=default_database_url(data_dir),
            data_dir=data_dir,
            secret_key=secrets.token_hex(16),
            redis_url=None,
            demo_mode=True,
            secure_cookies=False,
        )
        app = create_app(settings, seed_demo=True)
        _plan_on_demo(app.server.extensions["tracker_engine"])
        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}", app
        finally:
            server.shutdown()


class Camera:
    """One signed-in browser context per (account, width), reused across its pages."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser, self.base_url = browser, base_url
        self._pages: dict[tuple[str, int], Any] = {}

    def page(self, username: str, width: int) -> Any:
        key = (username, width)
        if key not in self._pages:
            context = self.browser.new_context(viewport={"width": width, "height": 900})
            context.set_default_timeout(45_000)
            page = context.new_page()
            page.goto(self.base_url + "/login")
            page.fill("#username", username)
            page.fill("#password", DEMO_PASSWORDS[username])
            page.click("#signin-submit")
            page.wait_for_selector(".tracker-nav")
            self._pages[key] = page
        return self._pages[key]

    def take(self, shot: Shot, out: Path) -> Path:
        page = self.page(shot.username, shot.width)
        page.goto(self.base_url + shot.path)
        _settle(page)
        if shot.then is not None:
            shot.then(page)
            _settle(page)
        target = out / f"{shot.name}.png"
        page.screenshot(path=str(target), full_page=True)
        return target


def every_page(app: Any) -> list[Shot]:
    """Every page each demo account may open, at both widths."""
    import dash

    from tracker.access import Principal, can_view_page
    from tracker.models import Role

    shots = []
    for username in DEMO_PASSWORDS:
        principal = Principal(username, Role(username))
        for entry in sorted(dash.page_registry.values(), key=lambda p: p.get("order") or 0):
            if not can_view_page(principal, entry.get("access", "")):
                continue
            path = entry["relative_path"]
            slug = path.strip("/") or "home"
            shots += [Shot(f"{username}-{slug}-{w}", username, path, w) for w in WIDTHS]
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every-page", type=Path, metavar="DIR", help="every page x role")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these README shots only")
    args = parser.parse_args()
    executable = _chromium_path()
    if executable is None:
        raise SystemExit("no Chromium found (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    out = args.every_page or ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with demo_app() as (base_url, app), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        camera = Camera(browser, base_url)
        chosen = [s for s in README_SET if not args.only or s.name in args.only]
        for shot in every_page(app) if args.every_page else chosen:
            print(camera.take(shot, out), flush=True)
        browser.close()


if __name__ == "__main__":
    main()
