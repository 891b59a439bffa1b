"""Sign-in and the route guard, through Flask's test client against the real app."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from sqlmodel import Session, select

from tests.conftest import sign_in_client
from tracker.models import AuditLog


@pytest.fixture
def client(web_app: Any) -> Any:
    return web_app.server.test_client()


def test_pages_redirect_and_dash_endpoints_refuse_when_signed_out(client: Any) -> None:
    page = client.get("/pipeline?hei=UNI-A")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/login?next=/pipeline")
    for path in ("/_dash-layout", "/_dash-dependencies"):
        assert client.get(path).status_code == 401
    assert client.post("/_dash-update-component", json={}).status_code == 401


def test_sign_in_sets_a_hardened_session_cookie(client: Any) -> None:
    response = sign_in_client(client, "coordinator")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert client.get("/_dash-layout").status_code == 200


def test_sign_in_without_the_form_token_is_refused(client: Any) -> None:
    response = client.post("/login", data={"username": "admin", "password": "demo-admin-pass"})
    assert response.status_code == 400
    assert client.get("/_dash-layout").status_code == 401


def test_next_parameter_cannot_redirect_off_site(client: Any) -> None:
    response = sign_in_client(client, "admin")
    assert response.headers["Location"] == "/"
    page = client.get("/login?next=https://evil.example/")
    assert page.status_code == 302
    assert page.headers["Location"] == "/"


def test_sign_out_ends_the_session_and_is_audited(client: Any, web_engine: Any) -> None:
    sign_in_client(client, "collaborative")
    assert client.get("/_dash-layout").status_code == 200
    client.get("/logout")
    assert client.get("/_dash-layout").status_code == 401
    with Session(web_engine) as session:
        actions = [
            row.action
            for row in session.exec(select(AuditLog).where(AuditLog.username == "collaborative"))
        ]
    assert "signin" in actions
    assert "signout" in actions


@pytest.mark.parametrize("path", ["/loginX", "/login/x", "/healthzX", "/favicon.icoX", "/assets"])
def test_public_paths_are_matched_exactly(client: Any, path: str) -> None:
    """Only the exact public paths (and the assets folder) are served without sign-in."""
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert client.get("/healthz").status_code == 200
    assert client.get("/login").status_code == 200


def _inline_scripts(html: str) -> list[str]:
    """Bodies of the page's inline scripts that a browser runs (not JSON data blocks, nor the
    Internet Explorer warning inside a conditional comment)."""
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", html, flags=re.S)
    return [body for attrs, body in scripts if "src=" not in attrs and "json" not in attrs]


def test_security_headers_allow_only_the_apps_own_scripts(client: Any) -> None:
    signin = client.get("/login")
    assert signin.headers["X-Content-Type-Options"] == "nosniff"
    assert signin.headers["Referrer-Policy"] == "same-origin"
    assert signin.headers["X-Frame-Options"] == "DENY"
    sign_in_client(client, "coordinator")
    page = client.get("/")
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in page.headers["Content-Security-Policy"].split(";")
    )
    assert policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    script_src = policy["script-src"].split()
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert not [source for source in script_src if source.startswith(("http", "*", "data:"))]
    inline = _inline_scripts(page.text)
    assert inline, "Dash starts its renderer with an inline script"
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src
    assert signin.headers["Content-Security-Policy"] == page.headers["Content-Security-Policy"]
