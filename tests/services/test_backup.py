"""Backup and restore give back every row, on SQLite and PostgreSQL, and refuse bad input."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

from tracker.db import make_engine
from tracker.models import (
    AllocationRun,
    Cohort,
    Learner,
    LearnerEvent,
    Organisation,
    Programme,
)
from tracker.services.backup import BackupError, backup_database, restore_database


def _fill(engine: Engine) -> None:
    with Session(engine) as session:
        hei = Organisation(code="UNI-A", name="Uni", kind="hei", place="Worcester")
        programme = Programme(
            code="ADN",
            name="Adult nursing",
            profession_group="nursing",
            field="adult nursing",
            route="degree",
            years=3,
        )
        session.add_all([hei, programme])
        session.flush()
        cohort = Cohort(
            hei_id=hei.id,
            programme_id=programme.id,
            intake_year=2024,
            intake_month=9,
            commissioned_places=30,
        )
        session.add(cohort)
        session.flush()
        learner = Learner(learner_ref="L1", cohort_id=cohort.id, start_date=date(2024, 9, 16))
        session.add(learner)
        session.flush()
        session.add(
            LearnerEvent(
                learner_id=learner.id,
                event_date=date(2025, 1, 10),
                event="withdrew",
                reason="financial",
            )
        )
        session.add(
            AllocationRun(
                created_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
                scope={"blocks": ["B1"]},
                figures={"placed": 3},
            )
        )
        session.commit()


def _dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in SQLModel.metadata.sorted_tables
        }


def test_restore_gives_back_every_row(engine: Engine, tmp_path: Path) -> None:
    _fill(engine)
    summary = backup_database(engine, tmp_path / "backup.zip")
    assert summary.rows["learner_event"] == 1
    target = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    restored = restore_database(target, tmp_path / "backup.zip")
    assert restored.rows == summary.rows
    original, copy = _dump(engine), _dump(target)
    for name in original:
        if name == "allocation_run":  # datetimes may differ in tz-awareness between dialects
            assert len(original[name]) == len(copy[name])
            continue
        assert original[name] == copy[name], name
    with Session(target) as session:  # new rows get fresh ids after a restore
        session.add(Organisation(code="UNI-B", name="B", kind="hei", place="Hereford"))
        session.commit()


def test_restore_refuses_a_database_that_holds_data(engine: Engine, tmp_path: Path) -> None:
    _fill(engine)
    backup_database(engine, tmp_path / "b.zip")
    with pytest.raises(BackupError, match="already holds data"):
        restore_database(engine, tmp_path / "b.zip")


def test_restore_refuses_files_that_are_not_backups(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.zip"
    bogus.write_text("not a zip")
    target = make_engine("sqlite://")
    with pytest.raises(BackupError, match="not a tracker backup"):
        restore_database(target, bogus)
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("x.txt", "x")
    with pytest.raises(BackupError, match="no manifest"):
        restore_database(target, empty)


def test_a_failed_restore_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    _fill(engine)
    path = tmp_path / "b.zip"
    backup_database(engine, path)
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.namelist():
            data = src.read(item)
            if item == "learner_event.jsonl":  # an event for a learner that does not exist
                data = data.replace(b'"learner_id": 1', b'"learner_id": 999')
            dst.writestr(item, data)
    target = make_engine(f"sqlite:///{tmp_path / 'target.db'}")
    with pytest.raises(BackupError, match="nothing was written"):
        restore_database(target, broken)
    with target.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM organisation")).scalar() == 0
