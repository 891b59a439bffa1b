"""Backup and restore as one portable file, independent of the database engine.

A backup is a zip holding a manifest (schema revision, row counts) and one JSON-lines file
per table. Because it does not depend on the dialect, the same file restores into SQLite or
PostgreSQL, which is also how an embedded installation moves to PostgreSQL when it scales up.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import SQLModel

import tracker.models  # noqa: F401  (registers every table)
from tracker.clock import utcnow
from tracker.db import upgrade
from tracker.refusals import Refused

FORMAT = "tracker-backup/1"
_BATCH = 5000


class BackupError(Refused):
    """The backup cannot be written or restored; the message says why."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    revision: str | None
    rows: dict[str, int]

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _tables() -> list[sa.Table]:
    return list(SQLModel.metadata.sorted_tables)


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        except sa.exc.DBAPIError:
            return None


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _base_type(column: sa.Column[Any]) -> sa.types.TypeEngine[Any]:
    column_type = column.type
    while isinstance(column_type, sa.types.TypeDecorator):
        column_type = (
            column_type.impl
            if isinstance(column_type.impl, sa.types.TypeEngine)
            else column_type.impl()
        )
    return column_type


def _decoder(column: sa.Column[Any]) -> Any:
    base = _base_type(column)
    if isinstance(base, sa.DateTime):

        def to_datetime(value: Any) -> Any:
            if value is None:
                return None
            moment = datetime.fromisoformat(value)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

        return to_datetime
    if isinstance(base, sa.Date):
        return lambda value: None if value is None else date.fromisoformat(value)
    return lambda value: value


def backup_database(engine: Engine, path: Path) -> BackupSummary:
    """Write every row of every table to ``path`` in one consistent read."""
    rows: dict[str, int] = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        engine.connect() as conn,
        conn.begin(),
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for table in _tables():
            count = 0
            with archive.open(f"{table.name}.jsonl", "w") as handle:
                order = [c for c in table.primary_key.columns]
                for row in conn.execute(sa.select(table).order_by(*order)).mappings():
                    line = json.dumps({k: _encode(v) for k, v in row.items()}, default=str)
                    handle.write(line.encode("utf-8") + b"\n")
                    count += 1
            rows[table.name] = count
        revision = _revision(engine)
        manifest = {
            "format": FORMAT,
            "revision": revision,
            "created_at": utcnow().isoformat(),
            "rows": rows,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return BackupSummary(path, revision, rows)


def _read_rows(archive: zipfile.ZipFile, name: str) -> Iterator[dict[str, Any]]:
    with archive.open(f"{name}.jsonl") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def restore_database(engine: Engine, path: Path) -> BackupSummary:
    """Restore a backup into an empty database, all or nothing."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupError(f"{path} is not a tracker backup: {exc}") from exc
    with archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except KeyError as exc:
            raise BackupError(f"{path} has no manifest: not a tracker backup.") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Unsupported backup format {manifest.get('format')!r}.")
        upgrade(engine)
        current = _revision(engine)
        if manifest.get("revision") != current:
            raise BackupError(
                f"The backup is at schema revision {manifest.get('revision')}, this database at "
                f"{current}: restore with the version of the tracker that wrote it."
            )
        try:
            _load(engine, archive, manifest)
        except sa.exc.DBAPIError as exc:
            raise BackupError(
                f"The backup could not be restored and nothing was written: {exc.orig}"
            ) from exc
    return BackupSummary(path, manifest.get("revision"), dict(manifest["rows"]))


def _load(engine: Engine, archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    """Insert every table's rows in dependency order, in one transaction."""
    with engine.begin() as conn:
        for table in _tables():
            if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar():
                raise BackupError(
                    f"Table {table.name} already holds data: restore into an empty database."
                )
        for table in _tables():
            if table.name not in manifest["rows"]:
                continue
            decoders = {c.name: _decoder(c) for c in table.columns}
            batch: list[dict[str, Any]] = []
            for record in _read_rows(archive, table.name):
                batch.append({k: decoders[k](v) for k, v in record.items() if k in decoders})
                if len(batch) >= _BATCH:
                    conn.execute(table.insert(), batch)
                    batch = []
            if batch:
                conn.execute(table.insert(), batch)
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn)


def _reset_sequences(conn: sa.Connection) -> None:
    # Rows came in with their ids; move each id sequence past them so new rows do not clash.
    for table in _tables():
        if "id" in table.columns and table.columns["id"].autoincrement in (True, "auto"):
            conn.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                ),
                {"table": table.name},
            )
