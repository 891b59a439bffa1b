"""Sign-in for the web app: sessions, the sign-in page, and one guard in front of every route.

The sign-in page is plain Flask (not a Dash page) so that nothing of the Dash front end, its
callbacks or its component bundles is served to anyone who has not signed in.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from flask import Flask, Response, current_app, redirect, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.access import Principal, may_call
from tracker.config import Settings
from tracker.models import User
from tracker.services.audit import record_audit
from tracker.services.users import authenticate, principal_for

if TYPE_CHECKING:
    from dash import Dash

# Public paths are matched exactly (``/loginX`` is not ``/login``); only the static assets are
# a prefix. Browsers fetch /favicon.ico on their own; redirecting it to /login would issue a
# new form token and expire the sign-in form the user is filling in.
PUBLIC_PATHS = frozenset({"/login", "/healthz", "/favicon.ico", "/_favicon.ico"})
PUBLIC_PREFIX = "/assets/"
ENGINE_KEY = "tracker_engine"
SETTINGS_KEY = "tracker_settings"
DASH_APP_KEY = "tracker_dash_app"


class SessionUser(UserMixin):
    """The Flask-Login view of a signed-in user: just the principal."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    def get_id(self) -> str:
        return str(self.principal.user_id)


def app_engine() -> Engine:
    """The database engine of the running web app (one per process, built at start-up)."""
    engine: Engine = current_app.extensions[ENGINE_KEY]
    return engine


def app_settings() -> Settings:
    settings: Settings = current_app.extensions[SETTINGS_KEY]
    return settings


def current_principal() -> Principal:
    """The signed-in user as a Principal; the guard guarantees there is one inside the app."""
    if not current_user.is_authenticated:
        raise PermissionError("Not signed in.")
    principal: Principal = current_user.principal
    return principal


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths, so the sign-in page cannot be used as an open redirect.
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Placement &amp; Pipeline Tracker</title>
<link rel="stylesheet" href="/assets/00_bootstrap.min.css">
<link rel="stylesheet" href="/assets/50_tracker.css">
</head><body class="bg-light">
<main class="card shadow-sm signin-card"><div class="card-body p-4">
<h1 class="h4 page-title mb-1">Placement &amp; Pipeline Tracker</h1>
<p class="text-muted mb-4">Sign in to continue.</p>
{message}
<form method="post" action="/login" autocomplete="on">
<input type="hidden" name="csrf_token" value="{csrf}">
<input type="hidden" name="next" value="{next}">
<div class="mb-3"><label class="form-label" for="username">Username</label>
<input class="form-control" id="username" name="username" required autofocus
 autocomplete="username" value="{username}"></div>
<div class="mb-3"><label class="form-label" for="password">Password</label>
<input class="form-control" id="password" name="password" type="password" required
 autocomplete="current-password"></div>
<button class="btn btn-primary w-100" id="signin-submit" type="submit">Sign in</button>
</form>
{demo}
</div></main></body></html>"""


def _render_signin(message: str = "", username: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    session["csrf_token"] = token
    alert = (
        f'<div class="alert alert-danger" role="alert">{escape(message)}</div>' if message else ""
    )
    demo = ""
    if app_settings().demo_mode:
        demo = (
            '<p class="text-muted small mt-3 mb-0">Demo mode: the demo accounts were printed '
            "in the console when the app started (see the README).</p>"
        )
    html = _PAGE.format(
        message=alert,
        csrf=token,
        next=escape(_safe_next(request.args.get("next") or request.form.get("next"))),
        username=escape(username),
        demo=demo,
    )
    return Response(html, status=status, mimetype="text/html")


def is_public(path: str) -> bool:
    """Whether a path is served without sign-in: the exact public paths and the assets."""
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIX)


def content_security_policy(script_hashes: Sequence[str] = ()) -> str:
    """The Content-Security-Policy header: only this app's own scripts, styles and requests.

    Dash starts its front end with one inline script (``new DashRenderer``), allowed by its
    hash rather than by ``'unsafe-inline'``. Plotly sets element styles from script, so styles
    need ``'unsafe-inline'`` (styles cannot run code); Bootstrap's icons are ``data:`` images.
    """
    scripts = " ".join(("'self'", *script_hashes))
    return (
        "default-src 'self'; "
        f"script-src {scripts}; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; "
        "font-src 'self' data:; "
        "connect-src 'self'; "
        "object-src 'none'; "
        "base-uri 'self'; "
        "form-action 'self'; "
        "frame-ancestors 'none'"
    )


def install_content_policy(app: Dash) -> None:
    """Allow the Dash app's inline scripts by hash in every response's policy.

    The hashes are read per response, not once: Dash adds the pages router's clientside
    callback (an inline script) on the first request. Hashing those few short scripts costs
    microseconds.
    """
    app.server.extensions[DASH_APP_KEY] = app


def _response_policy() -> str:
    app: Dash | None = current_app.extensions.get(DASH_APP_KEY)
    return content_security_policy(app.csp_hashes() if app is not None else ())


def _callback_outputs(body: object) -> list[str]:
    """Component ids a ``/_dash-update-component`` request asks to update."""
    output = body.get("output") if isinstance(body, dict) else None
    if not isinstance(output, str):
        return []
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [part.rpartition(".")[0] for part in parts]


def _refuse_other_pages_callbacks(principal: Principal) -> Response | None:
    """Refuse, before Dash runs it, a callback of a page this user's role may not open.

    Each callback also asks ``callback_principal`` itself; this guard is what stops callbacks
    that cannot ask (background callbacks run in another process) and keeps a crafted post
    from starting work at all.
    """
    if request.path != "/_dash-update-component" or request.method != "POST":
        return None
    if may_call(principal, _callback_outputs(request.get_json(silent=True))):
        return None
    return Response("Not available to your role.", status=403, mimetype="text/plain")


def init_auth(server: Flask, engine: Engine, settings: Settings) -> None:
    """Wire sessions, the sign-in and sign-out routes and the guard onto the Flask server."""
    server.extensions[ENGINE_KEY] = engine
    server.extensions[SETTINGS_KEY] = settings
    server.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=12 * 3600,
    )
    manager = LoginManager()
    manager.init_app(server)
    manager.session_protection = "strong"

    @manager.user_loader
    def load_user(user_id: str) -> SessionUser | None:
        if not user_id.isdigit():
            return None
        with Session(engine) as db:
            user = db.get(User, int(user_id))
            if user is None or not user.active:
                return None
            if user.is_demo and not settings.demo_mode:
                return None
            return SessionUser(principal_for(db, user))

    @server.before_request
    def require_sign_in() -> Response | None:
        path = request.path
        if is_public(path):
            return None
        if current_user.is_authenticated:
            return _refuse_other_pages_callbacks(current_user.principal)
        if path.startswith("/_dash") or path.startswith("/_reload"):
            # The Dash front end cannot follow a redirect to an HTML page: answer plainly.
            return Response("Sign-in required.", status=401, mimetype="text/plain")
        target = request.full_path.rstrip("?")
        return redirect(f"/login?next={target}")  # type: ignore[return-value]

    @server.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", _response_policy())
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @server.route("/login", methods=["GET", "POST"])
    def login() -> Response:
        if request.method == "GET":
            if current_user.is_authenticated:
                return redirect(_safe_next(request.args.get("next")))  # type: ignore[return-value]
            return _render_signin()
        expected = session.pop("csrf_token", None)
        if not expected or not secrets.compare_digest(expected, request.form.get("csrf_token", "")):
            return _render_signin("Your sign-in form expired: please try again.", status=400)
        username = request.form.get("username", "")[:64]
        password = request.form.get("password", "")
        with Session(engine) as db:
            result = authenticate(
                db,
                username,
                password,
                demo_mode=settings.demo_mode,
                max_failed=settings.max_failed_logins,
                lockout_minutes=settings.lockout_minutes,
            )
            db.commit()
        if result.principal is None:
            return _render_signin(result.message, username=username, status=401)
        session.clear()
        login_user(SessionUser(result.principal))
        return redirect(_safe_next(request.form.get("next")))  # type: ignore[return-value]

    @server.route("/logout", methods=["GET", "POST"])
    def logout() -> Response:
        if current_user.is_authenticated:
            with Session(engine) as db:
                record_audit(db, current_user.principal, "signout", entity="user")
                db.commit()
        logout_user()
        session.clear()
        return redirect("/login")  # type: ignore[return-value]

    @server.route("/healthz")
    def healthz() -> Response:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return Response("ok", mimetype="text/plain")
