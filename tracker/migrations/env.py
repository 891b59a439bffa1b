"""Alembic environment: runs migrations on the engine the tracker hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine
from sqlmodel import SQLModel

import tracker.models  # noqa: F401  (registers every table on SQLModel.metadata)
from tracker.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # see _check_references
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _check_references(connection)
            connection.commit()
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def _check_references(connection: Connection) -> None:
    """SQLite changes a table by copying it, dropping it and renaming the copy ("batch"
    mode). With foreign keys enforced, dropping a table that other tables' rows refer to is
    refused, so every such migration failed on a database with data (the tests' empty ones
    passed). Foreign keys are therefore off while migrating, as Alembic's documentation
    advises, and every reference is checked here before the migration commits: a migration
    that broke one rolls back whole."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left rows referring to missing rows: {broken[:5]}")


run_migrations()
