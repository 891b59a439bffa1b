"""Who may see a page or call its callbacks, and the deployment settings pages need.

Pages receive their ``Principal`` from here (``page_guard`` for layouts, ``callback_principal``
for callbacks) and never read the signed-in user, the engine or the settings themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html
from dash.exceptions import PreventUpdate

from tracker.access import Principal, can_view_page
from tracker.auth import app_settings, current_principal
from tracker.config import disclosure_policy
from tracker.data.importers import ImportLimits
from tracker.measures import DisclosurePolicy
from tracker.services.sso_rules import parse_claim_rules

Layout = Any


def forbidden() -> Layout:
    return dbc.Alert(
        [
            html.H4("Not available to your role", className="alert-heading"),
            html.P("Ask an administrator if you need access to this page."),
        ],
        color="warning",
        id="page-forbidden",
    )


def page_guard(page_key: str) -> Callable[[Callable[..., Layout]], Callable[..., Layout]]:
    """Wrap a page's ``layout(principal, **query)`` so that only permitted roles reach it."""

    def decorate(build: Callable[..., Layout]) -> Callable[..., Layout]:
        @functools.wraps(build)
        def layout(**query: Any) -> Layout:
            principal = current_principal()
            if not can_view_page(principal, page_key):
                return forbidden()
            return build(principal, **query)

        return layout

    return decorate


def callback_principal(page_key: str) -> Principal:
    """The caller of a callback, refused (silently: no update) if its role lacks the page."""
    principal = current_principal()
    if not can_view_page(principal, page_key):
        raise PreventUpdate
    return principal


def page_header(title: str, subtitle: str | None = None, *actions: Layout) -> Layout:
    return html.Div(
        [
            html.Div(
                [
                    html.H1(title, className="h3 page-title mb-1"),
                    html.P(subtitle, className="text-muted mb-0") if subtitle else None,
                ],
            ),
            html.Div(list(actions), className="d-flex gap-2 align-items-start"),
        ],
        className="d-flex justify-content-between align-items-start mb-3 flex-wrap gap-2",
    )


def app_disclosure_policy() -> DisclosurePolicy:
    """The deployment's disclosure convention (TRACKER_DISCLOSURE and its overrides)."""
    return disclosure_policy(app_settings())


def app_import_limits() -> ImportLimits:
    """The deployment's upload limits (bytes and rows), which the imports page states."""
    return ImportLimits.from_settings(app_settings())


def app_audit_interval() -> int:
    """Months an educational audit lasts when its form gives no expiry date
    (TRACKER_AUDIT_INTERVAL_MONTHS)."""
    return app_settings().audit_interval_months


def app_quality_min_responses() -> int:
    """Fewest responses a setting's evaluation scores and a term's comments need
    (TRACKER_QUALITY_MIN_RESPONSES)."""
    return app_settings().quality_min_responses


def app_single_sign_on() -> tuple[bool, list[str]]:
    """Whether people sign in with the organisation's OpenID provider, and the configured
    claims rules in words, in the order they are tried (shown to administrators)."""
    settings = app_settings()
    rules = parse_claim_rules(settings.oidc_claim_rules)
    return settings.sso_enabled, [rule.describe() for rule in rules]


def app_mail_server() -> str | None:
    """Where e-mail goes (``host:port, TLS``), or None when TRACKER_SMTP_HOST is unset and
    messages stay queued (the outbox page says so)."""
    settings = app_settings()
    if not settings.smtp_host:
        return None
    port = f":{settings.smtp_port}" if settings.smtp_port else ""
    return f"{settings.smtp_host}{port} ({settings.smtp_tls})"


def app_secret() -> str:
    """The app's secret key, for values a page signs (queued allocation runs)."""
    return str(dash.get_app().server.config["SECRET_KEY"])
