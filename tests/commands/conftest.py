"""The demo database the command tests read, and a way to run one command on a database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from tracker.db import make_engine, upgrade
from tracker.services.demo import generate_demo


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One demo database per test process (writing it takes seconds; the tests only read)."""
    path = tmp_path_factory.mktemp("demo") / "tracker.db"
    url = f"sqlite:///{path.as_posix()}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        generate_demo(session)
        session.commit()
    engine.dispose()
    yield url


def file_database(folder: Path) -> tuple[str, Engine]:
    """A migrated, empty SQLite file in ``folder``: its URL (for a command) and an engine."""
    url = f"sqlite:///{(folder / 'tracker.db').as_posix()}"
    engine = make_engine(url)
    upgrade(engine)
    return url, engine


def command_on(
    command: str, url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Any]:
    """``invoke(*args)`` runs ``python -m tracker COMMAND *args`` on the database at ``url``."""
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    monkeypatch.setenv("TRACKER_DATA_DIR", str(data_dir))
    from tracker.cli import app

    def invoke(*args: str) -> Any:
        return CliRunner().invoke(app, [command, *args])

    return invoke


def assert_usage_error(result: Any, message: str, out: Path) -> None:
    """Exit 2 with one line on stderr naming the problem, and nothing written."""
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def scenario_file(folder: Path, content: str | None) -> Path:
    """A scenario file holding ``content`` (None: a path with no file)."""
    path = folder / "scenario.json"
    if content is not None:
        path.write_text(content)
    return path
