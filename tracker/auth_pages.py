"""The two plain-Flask pages of signing in and out, and the form tokens they carry.

Plain HTML rather than Dash pages, so that nothing of the Dash front end is served to anyone
who has not signed in. Every form posts a token kept in the session (CSRF): a sign-in token
that is used once, and a sign-out token issued at sign-in for the navigation's sign-out form.
"""

from __future__ import annotations

import secrets
from html import escape
from urllib.parse import quote, urlparse

from flask import Response, request, session

SIGNIN_TOKEN_KEY = "csrf_token"
FORM_TOKEN_KEY = "form_token"

_SHELL = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Placement &amp; Pipeline Tracker</title>
<link rel="stylesheet" href="/assets/00_bootstrap.min.css">
<link rel="stylesheet" href="/assets/50_tracker.css">
</head><body class="bg-light">
<main class="card shadow-sm signin-card"><div class="card-body p-4">
<h1 class="h4 page-title mb-1">Placement &amp; Pipeline Tracker</h1>
{body}
</div></main>
<footer class="tracker-footer text-center"><a href="/accessibility">Accessibility</a></footer>
</body></html>"""

_SIGNIN = """<p class="text-muted mb-4">Sign in to continue.</p>
{message}
{sso}
{passwords}
{demo}"""

# A link, not a form: the browser follows the redirect to the provider, which the
# Content-Security-Policy's form-action 'self' would refuse after a form post.
_SSO = """<a class="btn btn-primary w-100 mb-3" id="signin-sso" href="/login/sso?next={next}">
Sign in with your organisation's account</a>"""

_PASSWORDS = """<form method="post" action="/login" autocomplete="on">
<input type="hidden" name="csrf_token" value="{csrf}">
<input type="hidden" name="next" value="{next}">
<div class="mb-3"><label class="form-label" for="username">Username</label>
<input class="form-control" id="username" name="username" required autofocus
 autocomplete="username" value="{username}"></div>
<div class="mb-3"><label class="form-label" for="password">Password</label>
<input class="form-control" id="password" name="password" type="password" required
 autocomplete="current-password"></div>
<button class="btn {kind} w-100" id="signin-submit" type="submit">Sign in</button>
</form>"""

_SIGNOUT = """<p class="text-muted mb-4">Sign out of the tracker on every device?</p>
{message}
<form method="post" action="/logout">
<input type="hidden" name="csrf_token" value="{csrf}">
<button class="btn btn-primary w-100" id="signout-submit" type="submit">Sign out</button>
</form>
<p class="small mt-3 mb-0"><a href="/">Back to the tracker</a></p>"""


def safe_next(target: str | None) -> str:
    """Only same-site relative paths, so the sign-in page cannot be used as an open redirect."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return "/"
    return target


def _alert(message: str) -> str:
    if not message:
        return ""
    return f'<div class="alert alert-danger" role="alert">{escape(message)}</div>'


def _page(title: str, body: str, status: int) -> Response:
    return Response(_SHELL.format(title=title, body=body), status=status, mimetype="text/html")


def render_signin(
    message: str = "",
    username: str = "",
    status: int = 200,
    *,
    demo_mode: bool = False,
    passwords: bool = True,
    sso: bool = False,
) -> Response:
    """The sign-in page: the organisation's account button when single sign-on is set up,
    the password form (with a fresh one-use token in the session) unless switched off."""
    token = secrets.token_urlsafe(24)
    session[SIGNIN_TOKEN_KEY] = token
    demo = ""
    if demo_mode:
        demo = (
            '<p class="text-muted small mt-3 mb-0">Demo mode: the demo accounts were printed '
            "in the console when the app started (see the README).</p>"
        )
    target = safe_next(request.args.get("next") or request.form.get("next"))
    form = _PASSWORDS.format(
        csrf=token,
        next=escape(target),
        username=escape(username),
        kind="btn-outline-primary" if sso else "btn-primary",
    )
    body = _SIGNIN.format(
        message=_alert(message),
        sso=_SSO.format(next=escape(quote(target, safe="/"))) if sso else "",
        passwords=form if passwords else "",
        demo=demo,
    )
    return _page("Sign in", body, status)


def signin_token_matches() -> bool:
    """Whether the posted sign-in form carries the token issued with it (used once)."""
    expected = session.pop(SIGNIN_TOKEN_KEY, None)
    posted = request.form.get("csrf_token", "")
    return bool(expected) and secrets.compare_digest(str(expected), posted)


def form_token() -> str:
    """The signed-in session's token for its forms (sign-out), issued on first use."""
    token = session.get(FORM_TOKEN_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(24)
        session[FORM_TOKEN_KEY] = token
    return token


def form_token_matches() -> bool:
    """Whether a posted form carries this session's form token."""
    expected = session.get(FORM_TOKEN_KEY)
    posted = request.form.get("csrf_token", "")
    return isinstance(expected, str) and bool(expected) and secrets.compare_digest(expected, posted)


def render_signout(message: str = "", status: int = 200) -> Response:
    """A confirmation form for ``GET /logout``: signing out is a POST with the form token."""
    body = _SIGNOUT.format(message=_alert(message), csrf=form_token())
    return _page("Sign out", body, status)
