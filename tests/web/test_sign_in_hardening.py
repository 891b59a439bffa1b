"""Session cookies under TRACKER_SECURE_COOKIES, and sign-in throttling through the form."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session

from tests.conftest import sign_in_client
from tracker.access import Principal
from tracker.auth import init_auth
from tracker.config import Settings, load_settings
from tracker.models import Role
from tracker.services.users import SIGN_IN_REFUSED, create_user, set_active


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


def _bare_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a bare Flask app with the real ``init_auth`` (a second Dash app would
    share this process's page registry)."""
    fields: dict[str, Any] = {
        "database_url": "sqlite://",
        "data_dir": tmp_path,
        "secret_key": "k" * 32,
        "redis_url": None,
        "demo_mode": False,
        "secure_cookies": False,
    }
    return Settings(**(fields | overrides))


def test_secure_cookies_setting_marks_the_session_cookie_secure(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind HTTPS the session cookie must never travel over plain HTTP."""
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRACKER_SECURE_COOKIES", "1")
    assert load_settings().secure_cookies
    settings = _bare_settings(tmp_path, secure_cookies=True)
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


def _answer(response: Any) -> tuple[int, str]:
    """Status and page of a sign-in answer, without the fresh form token and the typed name."""
    page = re.sub(r'name="csrf_token" value="[^"]+"', "", response.text)
    return response.status_code, re.sub(r'autocomplete="username" value="[^"]*"', "", page)


def test_a_stranger_cannot_lock_out_an_account(web_app: Any, web_engine: Engine) -> None:
    """Ten wrong passwords from one address slow down only that address: the owner signs in
    from another at once, and the stranger's address waits even with the right password."""
    with Session(web_engine) as session:
        create_user(
            session,
            username="lockout-walk",
            password="the right passphrase",
            role=Role.COLLABORATIVE,
        )
        session.commit()
    stranger = web_app.server.test_client()
    away = {"environ_base": {"REMOTE_ADDR": "203.0.113.66"}}
    for _ in range(10):
        response = _sign_in(stranger, "lockout-walk", "a wrong passphrase", **away)
        assert response.status_code == 401
        assert SIGN_IN_REFUSED in response.text
    refused = _sign_in(stranger, "lockout-walk", "the right passphrase", **away)
    assert refused.status_code == 401 and SIGN_IN_REFUSED in refused.text
    assert stranger.get("/_dash-layout", **away).status_code == 401
    owner = web_app.server.test_client()
    home = {"environ_base": {"REMOTE_ADDR": "192.0.2.10"}}
    assert _sign_in(owner, "lockout-walk", "the right passphrase", **home).status_code == 302
    assert owner.get("/_dash-layout", **home).status_code == 200
    # the demo users other tests need are untouched
    assert sign_in_client(web_app.server.test_client(), "collaborative").status_code == 302


def test_every_refused_sign_in_gets_the_same_page(web_app: Any, web_engine: Engine) -> None:
    """Unknown user, wrong password, deactivated and throttled accounts: same status, same
    page, word for word (the form token and the echoed username aside)."""
    admin = Principal("admin", Role.ADMIN)
    with Session(web_engine) as session:
        for name in ("same-answer-off", "same-answer-slow"):
            create_user(session, username=name, password="right passphrase", role=Role.COORDINATOR)
        set_active(session, username="same-answer-off", active=False, actor=admin)
        session.commit()
    client = web_app.server.test_client()
    here = {"environ_base": {"REMOTE_ADDR": "198.51.100.23"}}
    for _ in range(9):  # waits 2, 4, ... 128 s: still waiting however slow the machine
        _sign_in(client, "same-answer-slow", "wrong passphrase", **here)
    answers = {
        "unknown": _answer(_sign_in(client, "same-answer-nobody", "right passphrase", **here)),
        "wrong": _answer(_sign_in(client, "same-answer-off", "wrong passphrase", **here)),
        "deactivated": _answer(_sign_in(client, "same-answer-off", "right passphrase", **here)),
        "throttled": _answer(_sign_in(client, "same-answer-slow", "right passphrase", **here)),
    }
    assert len(set(answers.values())) == 1, answers
    status, page = answers["unknown"]
    assert status == 401
    assert f'<div class="alert alert-danger" role="alert">{SIGN_IN_REFUSED}</div>' in page


def test_behind_a_proxy_the_forwarded_address_is_throttled(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind a reverse proxy every request comes from the proxy: throttling must key on the
    address it forwards, or one stranger would slow down everyone (TRACKER_TRUSTED_PROXIES)."""
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRACKER_TRUSTED_PROXIES", "1")
    assert load_settings().trusted_proxies == 1
    settings = _bare_settings(tmp_path, trusted_proxies=1)
    with Session(engine) as session:
        create_user(session, username="proxied", password="the right passphrase", role="admin")
        session.commit()
    server = Flask("proxy-test")
    init_auth(server, engine, settings)
    stranger = server.test_client()
    via_proxy = {"environ_base": {"REMOTE_ADDR": "10.0.0.1"}}
    for _ in range(6):
        _sign_in(
            stranger, "proxied", "wrong", headers={"X-Forwarded-For": "203.0.113.5"}, **via_proxy
        )
    owner = server.test_client()
    signed_in = _sign_in(
        owner,
        "proxied",
        "the right passphrase",
        headers={"X-Forwarded-For": "192.0.2.44"},
        **via_proxy,
    )
    assert signed_in.status_code == 302
