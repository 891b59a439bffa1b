"""``python -m tracker export attrition`` on a temporary SQLite database."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from tests.services.pipeline_fixtures import build_pipeline
from tracker.db import make_engine, upgrade


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{(tmp_path / 'tracker.db').as_posix()}"
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        build_pipeline(session)
    engine.dispose()
    from tracker.cli import app

    return app


def test_export_writes_exact_figures_per_group(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "attrition.csv"
    result = CliRunner().invoke(
        cli, ["export", "attrition", "--by", "hei,programme", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.BytesIO(out.read_bytes()), encoding="utf-8-sig")
    assert list(frame.columns) == [
        "hei",
        "programme",
        "starters",
        "withdrawn",
        "transferred_out",
        "interrupted",
        "completed",
        "attrition_rate",
    ]
    row = frame.set_index(["hei", "programme"]).loc[("H2", "NUR")]
    assert (row["starters"], row["withdrawn"], row["attrition_rate"]) == (30, 12, 0.4)


def test_export_with_disclosure_control_to_excel(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "attrition.xlsx"
    result = CliRunner().invoke(
        cli,
        ["export", "attrition", "--by", "intake_year", "--out", str(out), "--disclosure-control"],
    )
    assert result.exit_code == 0, result.output
    assert "disclosure-controlled" in result.output
    frame = pd.read_excel(out, sheet_name="attrition").set_index("intake_year")
    assert frame.loc["2021/22", "starters"] == 5  # 4 learners, rounded to 5
    assert frame.loc["2021/22", "attrition_rate"] == ".."
    assert "HESA" in pd.read_excel(out, sheet_name="about")["note"][0]


def test_unknown_by_column_fails_clearly(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(
        cli, ["export", "attrition", "--by", "hei,colour", "--out", str(tmp_path / "x.csv")]
    )
    assert result.exit_code != 0
    assert "unknown --by column colour" in result.output
    assert not (tmp_path / "x.csv").exists()
