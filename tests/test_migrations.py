"""Migrations and models agree, and every migration can be undone and replayed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

import tracker.models  # noqa: F401  (registers every table)
from tracker.db import alembic_config, make_engine, session_scope, upgrade
from tracker.services.demo import generate_demo


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    assert _differences(engine) == []


def test_migrations_downgrade_and_upgrade_again(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "base")
    upgrade(engine)
    assert _differences(engine) == []


def test_numpy_numbers_are_stored_as_numbers(engine: Engine) -> None:
    """pandas hands out numpy scalars; they must reach CHECK constraints as numbers."""
    insert = text(
        "INSERT INTO programme (code, name, profession_group, field, route, years) "
        "VALUES (:code, 'P', 'nursing', 'adult nursing', 'degree', :years)"
    )
    with engine.begin() as conn:
        conn.execute(insert, {"code": "OK", "years": np.int64(3)})
        stored = conn.execute(text("SELECT years FROM programme WHERE code = 'OK'")).scalar()
    assert stored == 3
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert, {"code": "BAD", "years": np.int64(9)})


def test_user_table_keeps_its_checks_through_the_migrations(engine: Engine) -> None:
    """Dropping the lock-out columns rebuilds app_user on SQLite: its other checks must stay."""
    checks = {check["name"] for check in inspect(engine).get_check_constraints("app_user")}
    assert checks == {
        "ck_app_user_hei_binding",
        "ck_app_user_provider_binding",
        "ck_app_user_role_code",
        "ck_app_user_session_generation_nonneg",
    }
    insert = text(
        "INSERT INTO app_user (username, password_hash, role, active, is_demo, session_generation)"
        " VALUES ('x', 'h', 'hei', true, false, 0)"
    )
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert)  # an HEI user bound to no HEI


def test_migrations_that_rebuild_tables_keep_a_database_with_data(tmp_path: Path) -> None:
    """SQLite rebuilds a table to change it: on a file with the demo's data (placements that
    requests, learners and staff refer to), undoing and replaying the latest migrations keeps
    every row and every reference, and the schema matches the models again."""
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        generate_demo(session, scale=1)
        # below 0018 there is no placement provider role, so its accounts cannot go down
        session.execute(text("DELETE FROM app_user WHERE role = 'provider'"))
    before = _counts(engine)
    command.downgrade(alembic_config(engine), "0016")
    upgrade(engine)
    assert _differences(engine) == []
    assert _counts(engine) == before
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        leftovers = [t for t in inspect(conn).get_table_names() if t.startswith("_alembic")]
    assert leftovers == []
    engine.dispose()


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: int(conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())
            for table in inspect(conn).get_table_names()
            if table != "alembic_version"
        }
