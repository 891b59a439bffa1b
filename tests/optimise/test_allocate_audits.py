"""Stage 1 with educational audits: places only in blocks an approved, in-date audit covers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner, Result

from tracker.commands.allocate import register
from tracker.optimise import allocate
from tracker.optimise.audit_filter import allocate_with_audits, read_block_dates
from tracker.optimise.model import InputError

SETTINGS = pd.DataFrame(
    {
        "setting_id": ["S1", "S2"],
        "sector": ["acute", "acute"],
        "programmes": ["*", "ADN;MID"],
        "lat": [52.45, 52.46],
        "lon": [-1.93, -1.92],
        "active": [True, True],
    }
)
CAPACITY = pd.DataFrame(
    {"setting_id": ["S1", "S1", "S2", "S2"], "block": ["1", "2", "1", "2"], "places": [2] * 4}
)
DEMAND = pd.DataFrame(
    {
        "request_id": ["r1", "r2", "r3"],
        "hei": ["H1", "H1", "H2"],
        "programme": ["ADN", "ADN", "MID"],
        "block": ["1", "2", "1"],
        "learners": [2, 2, 2],
        "sector": [None, None, None],
        "lat": [52.48, 52.48, 52.48],
        "lon": [-1.90, -1.90, -1.90],
    }
)
BLOCKS = {"1": (date(2027, 1, 4), date(2027, 2, 26)), "2": (date(2027, 3, 8), date(2027, 4, 30))}
AUDITS = pd.DataFrame(
    {
        "setting_id": ["S1", "S2"],
        "audited_on": ["2025-06-01", "2025-06-01"],
        "expires_on": ["2027-03-01", "2028-06-01"],
        "outcome": ["approved", "approved"],
        "programmes": ["*", "MID"],
    }
)


def _placed(result: object) -> dict[tuple[str, str], int]:
    p = result.placements  # type: ignore[attr-defined]
    return {(r.request_id, r.setting_id): int(r.learners) for r in p.itertuples() if r.learners}


def test_places_only_where_an_audit_covers_the_programme_and_block() -> None:
    result = allocate_with_audits(SETTINGS, CAPACITY, DEMAND, AUDITS, BLOCKS)
    # S1's audit covers block 1 only; S2's audit approves midwifery only
    assert _placed(result) == {("r1", "S1"): 2, ("r3", "S2"): 2}
    assert set(result.placements["programme"]) == {"ADN", "MID"}
    unmet = result.unmet.set_index("request_id")
    assert unmet.loc["r2", "reason_code"] == "audit"
    assert unmet.loc["r2", "programme"] == "ADN"
    assert unmet.loc["r2", "reason"].startswith(
        "educational audit expired / not approved for ADN at S1, S2"
    )


def test_without_the_audits_the_same_instance_places_everyone() -> None:
    assert allocate(SETTINGS, CAPACITY, DEMAND).levels.placed == 6
    covered = AUDITS.assign(expires_on="2028-06-01", programmes="*")
    assert allocate_with_audits(SETTINGS, CAPACITY, DEMAND, covered, BLOCKS).levels.placed == 6


def test_blocks_need_dates() -> None:
    with pytest.raises(InputError, match="block"):
        allocate_with_audits(SETTINGS, CAPACITY, DEMAND, AUDITS, {"1": BLOCKS["1"]})


def test_block_dates_file_names_every_bad_row() -> None:
    good = pd.DataFrame(
        {
            "block": ["1", "2"],
            "start_date": ["2027-01-04", "08/03/2027"],
            "end_date": ["2027-02-26", "2027-04-30"],
        }
    )
    assert read_block_dates(good) == BLOCKS
    bad = pd.DataFrame(
        {
            "block": ["1", "1", "3", None],
            "start_date": ["2027-01-04", "2027-01-04", "2027-05-01", "2027-01-04"],
            "end_date": ["2027-02-26", "2027-02-26", "2027-04-01", "x"],
        }
    )
    with pytest.raises(InputError) as caught:
        read_block_dates(bad)
    text = str(caught.value)
    assert "listed twice" in text and "is before start_date" in text
    assert "must not be empty" in text and "must be a date" in text


def _allocate_cli(tmp_path: Path, *extra: str) -> Result:
    SETTINGS.to_csv(tmp_path / "settings.csv", index=False)
    CAPACITY.to_csv(tmp_path / "capacity.csv", index=False)
    DEMAND.to_csv(tmp_path / "demand.csv", index=False)
    AUDITS.to_csv(tmp_path / "audits.csv", index=False)
    pd.DataFrame(
        [(b, s.isoformat(), e.isoformat()) for b, (s, e) in BLOCKS.items()],
        columns=["block", "start_date", "end_date"],
    ).to_csv(tmp_path / "blocks.csv", index=False)
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # keep typer in multi-command mode, as in tracker.cli
    args = ["allocate", "--out", str(tmp_path / "out")]
    for name in ("settings", "capacity", "demand"):
        args += [f"--{name}", str(tmp_path / f"{name}.csv")]
    return CliRunner().invoke(app, [*args, *extra])


def test_allocate_command_obeys_audits(tmp_path: Path) -> None:
    audits, blocks = str(tmp_path / "audits.csv"), str(tmp_path / "blocks.csv")
    result = _allocate_cli(tmp_path, "--audits", audits, "--blocks", blocks)
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(tmp_path / "out" / "placements.csv", dtype=str)
    assert set(zip(plan["request_id"], plan["setting_id"], strict=True)) == {
        ("r1", "S1"),
        ("r3", "S2"),
    }
    unmet = pd.read_csv(tmp_path / "out" / "unmet.csv").set_index("request_id")
    assert unmet.loc["r2", "reason"].startswith(
        "educational audit expired / not approved for ADN at S1, S2"
    )


def test_allocate_command_without_audits_places_everyone(tmp_path: Path) -> None:
    result = _allocate_cli(tmp_path)
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(tmp_path / "out" / "placements.csv")
    assert plan["learners"].sum() == 6


def test_allocate_command_audits_need_block_dates(tmp_path: Path) -> None:
    result = _allocate_cli(tmp_path, "--audits", str(tmp_path / "audits.csv"))
    assert result.exit_code == 2
    assert "the block's dates are needed to check audits (--blocks)" in result.output
    assert not (tmp_path / "out").exists()
    bad = AUDITS.assign(outcome=["approved", "maybe"])
    bad.to_csv(tmp_path / "bad.csv", index=False)
    result = _allocate_cli(
        tmp_path, "--audits", str(tmp_path / "bad.csv"), "--blocks", str(tmp_path / "blocks.csv")
    )
    assert result.exit_code == 2
    assert "must be approved, approved with actions or not approved" in result.output
