"""Session cookies under TRACKER_SECURE_COOKIES, and the sign-in lock-out through the form."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session

from tests.conftest import sign_in_client
from tracker.auth import init_auth
from tracker.config import Settings, load_settings
from tracker.models import Role
from tracker.services.users import create_user


def _sign_in(client: Any, username: str, password: str, **kwargs: Any) -> Any:
    page = client.get("/login", **kwargs)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": token.group(1),
            "next": "/",
        },
        **kwargs,
    )


def test_secure_cookies_setting_marks_the_session_cookie_secure(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind HTTPS the session cookie must never travel over plain HTTP. A bare Flask app
    with the real ``init_auth`` (a second Dash app would share this process's page registry)."""
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRACKER_SECURE_COOKIES", "1")
    assert load_settings().secure_cookies
    settings = Settings(
        database_url="sqlite://",
        data_dir=tmp_path,
        secret_key="k" * 32,
        redis_url=None,
        demo_mode=False,
        secure_cookies=True,
    )
    with Session(engine) as session:
        create_user(
            session,
            username="secure-user",
            password="a long enough passphrase",
            role=Role.COORDINATOR,
        )
        session.commit()
    server = Flask("secure-cookie-test")
    init_auth(server, engine, settings)
    client = server.test_client()
    https = {"base_url": "https://localhost"}
    response = _sign_in(client, "secure-user", "a long enough passphrase", **https)
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/healthz", **https).status_code == 200


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    web_app: Any, web_engine: Engine
) -> None:
    with Session(web_engine) as session:
        create_user(
            session,
            username="lockout-walk",
            password="the right passphrase",
            role=Role.COLLABORATIVE,
        )
        session.commit()
    client = web_app.server.test_client()
    for _ in range(5):
        response = _sign_in(client, "lockout-walk", "a wrong passphrase")
        assert response.status_code == 401
        assert "Unknown username or wrong password." in response.text
    response = _sign_in(client, "lockout-walk", "the right passphrase")
    assert response.status_code == 401
    assert "Too many failed attempts" in response.text
    assert client.get("/_dash-layout").status_code == 401
    # the demo users other tests need are untouched
    assert sign_in_client(web_app.server.test_client(), "collaborative").status_code == 302
