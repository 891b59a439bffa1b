"""Sign-in and the route guard, through Flask's test client against the real app."""

from __future__ import annotations

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
