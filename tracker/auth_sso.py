"""Sign-in with the organisation's OpenID Connect provider (Microsoft Entra ID or any other).

The authorisation code flow with PKCE (S256), through Authlib: ``/login/sso`` sends the
browser to the provider with a fresh state and nonce (kept server-side, ``LoginStates``), and
``/login/sso/callback`` takes the provider's answer once, exchanges the code at the token
endpoint and verifies the ID token: its signature against the provider's published keys
(JWKS), its issuer against the configured one, its audience against our client id, its
expiry and its nonce. Whatever fails is refused with a sentence saying what, an audit row,
and no session; what passes goes to ``services.sso`` to decide whether the person has access.
"""

from __future__ import annotations

from collections.abc import Callable

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import Flask, Response, abort, current_app, redirect, request, session, url_for
from flask_login import login_user
from joserfc.errors import BadSignatureError, ClaimError, ExpiredTokenError, JoseError
from sqlmodel import Session

from tracker.auth_pages import form_token, render_signin, safe_next
from tracker.config import Settings
from tracker.services.sso import ProviderClaims, refuse_sso_answer, sso_sign_in
from tracker.services.sso_rules import parse_claim_rules
from tracker.services.sso_states import LoginStates

START_PATH = "/login/sso"
CALLBACK_PATH = "/login/sso/callback"
CLIENT_KEY = "tracker_sso_client"
NEXT_KEY = "sso_next"
UNREACHABLE = (
    "Your organisation's sign-in service cannot be reached just now: try again in a few "
    "minutes, or ask your administrator."
)


class SsoRefused(Exception):
    """The provider's answer cannot be trusted; the message says why, for the person."""


def discovery_url(settings: Settings) -> str:
    issuer = (settings.oidc_issuer or "").rstrip("/")
    return settings.oidc_discovery_url or f"{issuer}/.well-known/openid-configuration"


def check_sso_settings(settings: Settings) -> None:
    """Refuse to start with single sign-on half configured or a bad claims mapping."""
    parse_claim_rules(settings.oidc_claim_rules)
    if not settings.sso_enabled:
        if not settings.local_passwords:
            raise ValueError("Local passwords are switched off but no OpenID provider is set.")
        return
    if not settings.oidc_client_id or not settings.oidc_client_secret:
        raise ValueError("TRACKER_OIDC_ISSUER needs TRACKER_OIDC_CLIENT_ID and _CLIENT_SECRET.")
    if "openid" not in settings.oidc_scopes.split():
        raise ValueError("TRACKER_OIDC_SCOPES must include openid.")


def _settings() -> Settings:
    from tracker.auth import app_settings

    return app_settings()


def sso_client() -> FlaskOAuth2App | None:
    """The app's OpenID client for the current settings, or None when SSO is off.

    Kept on the Flask app (one per process) only for the provider's metadata and keys, which
    are the same for every user; each sign-in's own data lives in ``LoginStates``.
    """
    from tracker.auth import app_engine

    settings = _settings()
    if not settings.sso_enabled:
        return None
    cached = current_app.extensions.get(CLIENT_KEY)
    if cached is not None and cached[0] is settings:
        client: FlaskOAuth2App = cached[1]
        return client
    client = FlaskOAuth2App(
        FlaskIntegration("tracker_sso", cache=LoginStates(app_engine())),
        name="tracker_sso",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=discovery_url(settings),
        client_kwargs={
            "scope": settings.oidc_scopes,
            "code_challenge_method": "S256",
            "timeout": 10,
        },
    )
    current_app.extensions[CLIENT_KEY] = (settings, client)
    return client


def _checked_metadata(client: FlaskOAuth2App) -> None:
    """The discovery document must name the configured issuer (OpenID Discovery, 4.3)."""
    metadata = client.load_server_metadata()
    if metadata.get("issuer") != _settings().oidc_issuer:
        raise SsoRefused(
            "The sign-in service's configuration names another issuer than the one the "
            "tracker is set up for: ask your administrator."
        )


def _start() -> Response:
    client = sso_client()
    if client is None:
        abort(404)
    settings = _settings()
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    redirect_uri = settings.oidc_redirect_uri or url_for("sso_callback", _external=True)
    try:
        _checked_metadata(client)
        response: Response = client.authorize_redirect(redirect_uri)
    except SsoRefused as exc:
        return _refused(str(exc), status=502)
    except (requests.RequestException, ValueError):
        return _refused(UNREACHABLE, status=502)
    return response


def _why(exc: Exception) -> str:
    """The refusal in words: what was wrong with the provider's answer."""
    if isinstance(exc, MismatchingStateError):
        return (
            "This sign-in answer was already used, has expired or was not started here: "
            "please sign in again."
        )
    if isinstance(exc, BadSignatureError):
        return "The sign-in answer's signature is not valid: it was not issued by your provider."
    if isinstance(exc, ExpiredTokenError):
        return "The sign-in answer has expired (check this server's clock): please try again."
    if isinstance(exc, ClaimError) and exc.claim == "aud":
        return "The sign-in answer was issued for another application, not this tracker."
    if isinstance(exc, ClaimError):
        return f"The sign-in answer's {exc.claim!r} claim is not valid: please try again."
    if isinstance(exc, OAuthError):
        return f"Your organisation did not complete the sign-in ({exc.error}): please try again."
    return "The sign-in answer could not be read: please try again."


def _verified_claims(client: FlaskOAuth2App) -> ProviderClaims:
    """The ID token's claims once Authlib has checked state, signature, times and nonce.

    The issuer and audience are required explicitly: Authlib's own defaults check the issuer
    but accept a token whose audience is another application as long as ``azp`` names us.
    """
    settings = _settings()
    claims_options = {
        "iss": {"essential": True, "value": settings.oidc_issuer},
        "aud": {"essential": True, "value": settings.oidc_client_id},
    }
    token = client.authorize_access_token(
        leeway=settings.oidc_leeway_seconds, claims_options=claims_options
    )
    claims = token.get("userinfo")
    if not claims:
        raise SsoRefused("Your organisation's answer held no ID token: ask your administrator.")
    return ProviderClaims.from_token(claims)


def _refused(message: str, *, status: int = 401) -> Response:
    from tracker.auth import app_engine

    with Session(app_engine()) as db:
        refuse_sso_answer(db, message)
        db.commit()
    return render_signin_page(message, status=status)


def render_signin_page(message: str = "", status: int = 200, username: str = "") -> Response:
    """The sign-in page as this deployment offers it (passwords, the provider, demo note)."""
    settings = _settings()
    return render_signin(
        message,
        username=username,
        status=status,
        demo_mode=settings.demo_mode,
        passwords=settings.local_passwords,
        sso=settings.sso_enabled,
    )


def _callback() -> Response:
    from tracker.auth import GENERATION_KEY, SessionUser, app_engine

    client = sso_client()
    if client is None:
        abort(404)
    try:
        claims = _verified_claims(client)
    except SsoRefused as exc:
        return _refused(str(exc))
    except (OAuthError, JoseError, KeyError, ValueError) as exc:
        return _refused(_why(exc))
    except requests.RequestException:
        return _refused(UNREACHABLE, status=502)
    rules = parse_claim_rules(_settings().oidc_claim_rules)
    with Session(app_engine()) as db:
        result = sso_sign_in(db, claims, rules=rules)
        db.commit()
    target = session.get(NEXT_KEY)
    session.clear()
    if result.principal is None:
        return render_signin_page(result.message, status=403)
    login_user(SessionUser(result.principal))
    session[GENERATION_KEY] = result.generation
    form_token()
    return redirect(safe_next(target if isinstance(target, str) else None))  # type: ignore[return-value]


def init_sso(server: Flask) -> None:
    """The two routes of signing in with the provider (404 while it is not configured)."""
    routes: tuple[tuple[str, str, Callable[[], Response]], ...] = (
        (START_PATH, "sso_start", _start),
        (CALLBACK_PATH, "sso_callback", _callback),
    )
    for path, name, view in routes:
        server.add_url_rule(path, name, view, methods=["GET"])
