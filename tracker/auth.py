"""Sign-in for the web app: sessions that end at sign-out, and one guard in front of every route.

The sign-in and sign-out pages are plain Flask (``tracker.auth_pages``), so that nothing of
the Dash front end, its callbacks or its component bundles is served to anyone who has not
signed in. The guard also sets the security headers on every response.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from flask import Flask, Response, current_app, redirect, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy import Engine
from sqlmodel import Session
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import accessibility_statement as statement
from tracker.access import Principal, may_call
from tracker.auth_pages import (
    form_token,
    form_token_matches,
    render_signout,
    safe_next,
    signin_token_matches,
)
from tracker.auth_sso import (
    CALLBACK_PATH,
    START_PATH,
    check_sso_settings,
    init_sso,
    render_signin_page,
)
from tracker.config import Settings
from tracker.models import User
from tracker.services.sign_in_throttle import ThrottlePolicy
from tracker.services.users import authenticate, principal_for, sign_out

if TYPE_CHECKING:
    from dash import Dash

# Public paths are matched exactly (``/loginX`` is not ``/login``); only the static assets are
# a prefix. Browsers fetch /favicon.ico on their own; redirecting it to /login would issue a
# new form token and expire the sign-in form the user is filling in.
PUBLIC_PATHS = frozenset(
    {
        "/login",
        START_PATH,
        CALLBACK_PATH,
        "/healthz",
        "/favicon.ico",
        "/_favicon.ico",
        statement.PATH,
    }
)
PUBLIC_PREFIX = "/assets/"
#: The JSON API for HEI systems (``tracker.api``) authenticates every request by its bearer
#: token, never by the session cookie, so the sign-in guard leaves it to the API.
API_PREFIX = "/api/"
ENGINE_KEY = "tracker_engine"
SETTINGS_KEY = "tracker_settings"
DASH_APP_KEY = "tracker_dash_app"
GENERATION_KEY = "session_generation"


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


def is_public(path: str) -> bool:
    """Whether a path is served without sign-in: the exact public paths and the assets."""
    return path in PUBLIC_PATHS or path.startswith((PUBLIC_PREFIX, API_PREFIX))


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


def _load_user(user_id: str) -> SessionUser | None:
    """The signed-in user, if this session is still current (checked on every request).

    A session is current while the generation it was given at sign-in is the user's: sign-out,
    deactivation and a password change raise it, so a copied cookie stops working at once.
    """
    settings = app_settings()
    if not user_id.isdigit():
        return None
    with Session(app_engine()) as db:
        user = db.get(User, int(user_id))
        if user is None or not user.active:
            return None
        if user.is_demo and not settings.demo_mode:
            return None
        if session.get(GENERATION_KEY) != user.session_generation:
            return None
        return SessionUser(principal_for(db, user))


def _require_sign_in() -> Response | None:
    path = request.path
    if is_public(path):
        return None
    if current_user.is_authenticated:
        return _refuse_other_pages_callbacks(current_user.principal)
    if path.startswith("/_dash") or path.startswith("/_reload"):
        # The Dash front end cannot follow a redirect to an HTML page: answer plainly.
        return Response("Sign-in required.", status=401, mimetype="text/plain")
    # Encoded, so a shared link's whole query (``a=1&b=2``) survives sign-in.
    target = request.full_path.rstrip("?")
    return redirect("/login?" + urlencode({"next": target}, safe="/"))  # type: ignore[return-value]


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", _response_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _login() -> Response:
    settings = app_settings()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(safe_next(request.args.get("next")))  # type: ignore[return-value]
        return render_signin_page()
    if not settings.local_passwords:
        return render_signin_page(
            "Passwords are switched off here: sign in with your organisation's account.",
            status=403,
        )
    if not signin_token_matches():
        return render_signin_page("Your sign-in form expired: please try again.", status=400)
    username = request.form.get("username", "")[:64]
    with Session(app_engine()) as db:
        result = authenticate(
            db,
            username,
            request.form.get("password", ""),
            demo_mode=settings.demo_mode,
            client=request.remote_addr or "",
            throttle=ThrottlePolicy(
                free_attempts=settings.signin_free_attempts,
                max_wait_seconds=settings.signin_max_wait_seconds,
            ),
        )
        db.commit()
    if result.principal is None:
        return render_signin_page(result.message, status=401, username=username)
    session.clear()
    login_user(SessionUser(result.principal))
    session[GENERATION_KEY] = result.generation
    form_token()
    return redirect(safe_next(request.form.get("next")))  # type: ignore[return-value]


def _logout() -> Response:
    """Sign out on POST with the form token; ``GET /logout`` only offers the form."""
    if request.method == "GET":
        return render_signout()
    if not form_token_matches():
        return render_signout("Your sign-out form expired: please sign out again.", status=400)
    with Session(app_engine()) as db:
        sign_out(db, current_principal())
        db.commit()
    logout_user()
    session.clear()
    return redirect("/login")  # type: ignore[return-value]


def _healthz() -> Response:
    with app_engine().connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    return Response("ok", mimetype="text/plain")


def init_auth(server: Flask, engine: Engine, settings: Settings) -> None:
    """Wire sessions, the sign-in and sign-out routes, the guard and the headers onto Flask."""
    check_sso_settings(settings)
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
    if settings.trusted_proxies:
        # The client address (for sign-in throttling) from X-Forwarded-For, set by that many
        # proxies; without this every user would share the proxy's address.
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=settings.trusted_proxies
        )
    manager = LoginManager()
    manager.init_app(server)
    manager.session_protection = "strong"
    manager.user_loader(_load_user)
    server.before_request(_require_sign_in)
    server.after_request(_security_headers)
    server.add_url_rule("/login", "login", _login, methods=["GET", "POST"])
    server.add_url_rule(statement.PATH, "accessibility", statement.accessibility_statement)
    server.add_url_rule("/logout", "logout", _logout, methods=["GET", "POST"])
    server.add_url_rule("/healthz", "healthz", _healthz)
    init_sso(server)
