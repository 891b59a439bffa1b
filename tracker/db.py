"""Engines, sessions and schema upgrades: the only module that knows database dialects."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


# sqlite3 stores numpy scalars as opaque blobs without complaint, which CHECK constraints then
# cannot compare; teach it to store them as the numbers they are (pandas hands these out).
def _as_int(value: object) -> int:
    return int(value)  # type: ignore[call-overload]


def _as_float(value: object) -> float:
    return float(value)  # type: ignore[arg-type]


for _np_type in (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32):
    sqlite3.register_adapter(_np_type, _as_int)
for _np_float in (np.float32, np.float64):
    sqlite3.register_adapter(_np_float, _as_float)
sqlite3.register_adapter(np.bool_, _as_int)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the web app read while an import writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for SQLite (embedded) or PostgreSQL (psycopg 3) with the same code."""
    if url.startswith("sqlite"):
        connect_args = {"check_same_thread": False}
        if url in {"sqlite://", "sqlite:///:memory:"}:
            kwargs.setdefault("poolclass", StaticPool)
        else:
            path = url.split("///", 1)[-1]
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` through Alembic; safe to call on every start."""
    command.upgrade(alembic_config(engine), revision)


def is_empty(engine: Engine) -> bool:
    """True when the database has no tracker tables yet (first start)."""
    return "organisation" not in inspect(engine).get_table_names()
