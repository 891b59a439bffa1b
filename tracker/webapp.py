"""Build the Dash app: settings -> engine -> auth -> pages -> navigation.

``create_app`` is the one way to make the app (``app.py``, gunicorn, Celery workers and the
browser tests all use it), so what runs in tests is what runs in production.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, dcc, html
from flask import Flask, has_request_context
from flask_login import current_user
from sqlalchemy import Engine

from tracker.access import Principal, can_view_page
from tracker.api import install_api
from tracker.auth import init_auth, install_content_policy
from tracker.auth_pages import form_token
from tracker.cache import REPORT_CACHE_KEY, open_report_cache
from tracker.callback_inputs import install_callback_guard
from tracker.config import Settings, disclosure_policy, load_settings
from tracker.db import make_engine, upgrade
from tracker.jobs import make_background_manager
from tracker.uploads import limit_request_size

PACKAGE_DIR = Path(__file__).parent


# Sections of the navigation by page order: a section with one permitted page is a link, with
# several a menu, so every role gets a short bar however many pages the product grows.
NAV_SECTIONS: tuple[tuple[int, int, str], ...] = (
    (0, 9, ""),
    (10, 19, "Pipeline"),
    (20, 29, "Capacity"),
    (30, 39, "Allocation"),
    (40, 89, "Data"),
    (90, 99, "Admin"),
)


def _nav_section(label: str, pages: list[dict[str, Any]]) -> list[Any]:
    if not label or len(pages) == 1:
        return [
            dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="exact"))
            for page in pages
        ]
    items = [dbc.DropdownMenuItem(page["name"], href=page["relative_path"]) for page in pages]
    return [
        dbc.DropdownMenu(items, label=label, nav=True, in_navbar=True, id=f"nav-{label.lower()}")
    ]


def navbar(principal: Principal) -> Any:
    """Only the pages this role may use, grouped into sections, in registry order."""
    pages = [
        page
        for page in sorted(dash.page_registry.values(), key=lambda p: p.get("order") or 0)
        if page.get("nav", True) and can_view_page(principal, page.get("access", ""))
    ]
    links: list[Any] = []
    for low, high, label in NAV_SECTIONS:
        section = [p for p in pages if low <= (p.get("order") or 0) <= high]
        if section:
            links.extend(_nav_section(label, section))
    who = principal.username + (f" · {principal.hei_code}" if principal.hei_code else "")
    user_menu = dbc.DropdownMenu(
        [
            dbc.DropdownMenuItem(f"Role: {principal.role.value}", header=True),
            dbc.DropdownMenuItem("Notifications", href="/notifications", id="nav-notifications"),
            # Signing out is a POST carrying the session's form token (the button's value).
            html.Form(
                html.Button(
                    "Sign out",
                    type="submit",
                    name="csrf_token",
                    value=form_token(),
                    className="dropdown-item",
                    id="nav-signout",
                ),
                method="post",
                action="/logout",
                className="m-0",
            ),
        ],
        label=who,
        nav=True,
        align_end=True,
        id="nav-user",
    )
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("Placement & Pipeline Tracker", href="/"),
                dbc.NavbarToggler(id="nav-toggler"),
                dbc.Collapse(
                    dbc.Nav([*links, user_menu], navbar=True, className="ms-auto"),
                    id="nav-collapse",
                    navbar=True,
                    is_open=False,
                ),
            ],
            fluid=True,
        ),
        className="tracker-nav mb-3",
        dark=True,
    )


def footer() -> Any:
    """Every page's footer: the accessibility statement, a full page load away (plain Flask)."""
    return html.Footer(
        html.A("Accessibility", href="/accessibility", id="footer-accessibility"),
        className="tracker-footer container-fluid",
    )


def serve_layout() -> Any:
    body = html.Main(
        dbc.Container(dash.page_container, fluid=True, className="pb-5"), id="main-content"
    )
    if not has_request_context() or not current_user.is_authenticated:
        return html.Div([dcc.Location(id="app-url"), body, footer()])
    return html.Div([dcc.Location(id="app-url"), navbar(current_user.principal), body, footer()])


def prepare_database(settings: Settings, engine: Engine, *, seed_demo: bool) -> list[str]:
    """Upgrade the schema and, on an empty demo database, fill it; returns console lines."""
    upgrade(engine)
    if not seed_demo:
        return []
    from tracker.services.demo import ensure_demo_data

    summary = ensure_demo_data(engine)
    if summary is None:
        return []
    from sqlmodel import Session

    from tracker.services.users import demo_account_lines, first_hei_code

    with Session(engine) as session:
        hei_code = first_hei_code(session)
    return [
        "Demo data created. Demo sign-in accounts (demo mode only):",
        *demo_account_lines(hei_code),
    ]


def create_app(
    settings: Settings | None = None, *, engine: Engine | None = None, seed_demo: bool | None = None
) -> Dash:
    settings = settings or load_settings()
    engine = engine or make_engine(settings.database_url)
    for line in prepare_database(
        settings, engine, seed_demo=settings.demo_mode if seed_demo is None else seed_demo
    ):
        print(line, flush=True)
    disclosure_policy(settings)  # refuse to start on a misconfigured disclosure convention
    server = Flask("tracker")
    init_auth(server, engine, settings)
    limit_request_size(server, settings)
    install_api(server)  # /api/v1: HEI systems, by bearer token (tracker/api)
    server.extensions[REPORT_CACHE_KEY] = (
        open_report_cache(settings) if settings.report_cache else None
    )
    app = Dash(
        "tracker",
        server=server,  # type: ignore[arg-type]  # Dash accepts a Flask app; its stub says bool
        use_pages=True,
        pages_folder=str(PACKAGE_DIR / "pages"),
        assets_folder=str(PACKAGE_DIR / "assets"),
        title="Placement & Pipeline Tracker",
        update_title=None,  # type: ignore[arg-type]  # None turns the "Updating..." title off
        suppress_callback_exceptions=True,
        background_callback_manager=make_background_manager(settings),
        serve_locally=True,
    )
    install_callback_guard(app)  # crafted callback inputs get 400, never reach a callback
    app.layout = serve_layout
    # The page's language, so screen readers speak it as English (WCAG 3.1.1).
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)

    @app.callback(
        dash.Output("nav-collapse", "is_open"),
        dash.Input("nav-toggler", "n_clicks"),
        dash.State("nav-collapse", "is_open"),
        prevent_initial_call=True,
    )
    def toggle_nav(clicks: int | None, is_open: bool) -> bool:
        return not is_open

    install_content_policy(app)
    return app
