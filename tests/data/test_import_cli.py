"""``python -m tracker template`` and ``import`` on a temporary SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from tracker.cli import app
from tracker.data.importers import KINDS
from tracker.db import make_engine
from tracker.models import Cohort, Organisation

FILES = Path(__file__).parent / "files"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{(tmp_path / 'tracker.db').as_posix()}"
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    return url


def count(url: str, model: type[Organisation] | type[Cohort]) -> int:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.exec(select(func.count()).select_from(model)).one()
    finally:
        engine.dispose()


def test_template_prints_or_writes_the_header_and_descriptions(tmp_path: Path) -> None:
    runner = CliRunner()
    printed = runner.invoke(app, ["template", "learners"])
    assert printed.exit_code == 0
    assert printed.stdout.splitlines()[0].startswith("learner_ref,hei,programme,intake")
    out = tmp_path / "requests.csv"
    written = runner.invoke(app, ["template", "requests", "--out", str(out)])
    assert written.exit_code == 0 and "sector:" in written.stdout
    assert out.read_text().startswith(
        "request_id,hei,programme,block,learners,makeup_learners,sector"
    )
    unknown = runner.invoke(app, ["template", "students"])
    assert unknown.exit_code != 0 and "Unknown kind 'students'" in unknown.stderr


def test_import_every_example_then_reimport_unchanged(database: str) -> None:
    runner = CliRunner()
    for kind in KINDS:
        result = runner.invoke(app, ["import", kind, str(FILES / f"{kind}.csv")])
        assert result.exit_code == 0, result.output
        assert "added" in result.stdout
    again = runner.invoke(app, ["import", "learners", str(FILES / "learners.csv")])
    assert "learners: 6 rows: 0 added, 0 changed, 6 unchanged." in again.stdout


def test_rejected_import_prints_every_problem_and_writes_nothing(
    database: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    runner.invoke(app, ["import", "organisations", str(FILES / "organisations.csv")])
    runner.invoke(app, ["import", "programmes", str(FILES / "programmes.csv")])
    bad = tmp_path / "cohorts.csv"
    bad.write_text(
        "hei,programme,intake,commissioned_places\n"
        "UNI-A,BSC-ADULT,2023-09,60\n"
        "UNI-X,BSC-ADULT,2023-13,-1\n"
    )
    result = runner.invoke(app, ["import", "cohorts", str(bad)])
    assert result.exit_code == 1
    assert "rejected, 3 problems in 2 rows; nothing was written." in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["row", "column", "value", "problem"]
    assert [line.split()[:3] for line in lines[1:]] == [
        ["3", "hei", "UNI-X"],
        ["3", "intake", "2023-13"],
        ["3", "commissioned_places", "-1"],
    ]
    assert count(database, Cohort) == 0


def test_dry_run_writes_nothing(database: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["import", "organisations", str(FILES / "organisations.csv"), "--dry-run"]
    )
    assert result.exit_code == 0
    assert "Dry run (nothing written): organisations: 5 rows: 5 added" in result.stdout
    assert count(database, Organisation) == 0


def test_missing_file_and_unknown_kind_fail_clearly(database: str, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["import", "learners", str(tmp_path / "nope.csv")])
    assert missing.exit_code != 0 and "No such file" in missing.stderr
    unknown = runner.invoke(app, ["import", "students", str(FILES / "learners.csv")])
    assert unknown.exit_code != 0 and "choose one of: organisations" in unknown.stderr
    garbled = tmp_path / "x.xlsx"
    garbled.write_bytes(b"not excel")
    unreadable = runner.invoke(app, ["import", "learners", str(garbled)])
    assert unreadable.exit_code == 1 and "cannot be read" in unreadable.stderr
