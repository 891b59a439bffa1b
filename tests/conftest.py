"""Shared fixtures: a fresh database per test on SQLite and, when configured, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

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
