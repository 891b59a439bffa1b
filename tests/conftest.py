"""Shared fixtures: a fresh database per test on SQLite and, when configured, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.db import make_engine, upgrade

POSTGRES_URL = os.environ.get("TRACKER_TEST_POSTGRES_URL")

_BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


def _fresh_postgres_engine(base_url: str) -> tuple[Engine, Engine, str]:
    """Create a throwaway database next to the configured one; returns (admin, engine, name)."""
    admin = make_engine(base_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(make_engine(base_url).url).set(database=name)
    return admin, make_engine(url.render_as_string(hide_password=False)), name


@pytest.fixture(params=_BACKENDS)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated, empty database: in-memory SQLite, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        eng = make_engine("sqlite://")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    assert POSTGRES_URL
    admin, eng, name = _fresh_postgres_engine(POSTGRES_URL)
    upgrade(eng)
    yield eng
    eng.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


# --- the web app, once per test process -----------------------------------------------------
# Dash keeps its page registry and callbacks per process, so every test that needs the app
# (Flask test client or real browser) shares this one, on a temporary demo database.


@pytest.fixture(scope="session")
def web_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tracker.config import Settings, default_database_url
    from tracker.webapp import create_app

    data_dir = tmp_path_factory.mktemp("web-data")
    settings = Settings(
        database_url=default_database_url(data_dir),
        data_dir=data_dir,
        secret_key="tests-secret-key",
        redis_url=None,
        demo_mode=True,
        secure_cookies=False,
    )
    return create_app(settings, seed_demo=True)


@pytest.fixture(scope="session")
def web_engine(web_app: Any) -> Engine:
    engine: Engine = web_app.server.extensions["tracker_engine"]
    return engine


DEMO_PASSWORDS = {
    "admin": "demo-admin-pass",
    "coordinator": "demo-coordinator-pass",
    "collaborative": "demo-collaborative-pass",
    "hei": "demo-hei-pass",
    "provider": "demo-provider-pass",
}


def sign_in_client(
    client: Any, username: str, password: str | None = None, *, next_path: str = "/"
) -> Any:
    """Sign a Flask test client in through the real sign-in form (CSRF token included)."""
    import re

    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "sign-in form has no CSRF token"
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password or DEMO_PASSWORDS[username],
            "csrf_token": token.group(1),
            "next": next_path,
        },
    )
