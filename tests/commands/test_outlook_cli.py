"""``python -m tracker outlook`` on the demo data: the file contract, errors and backtest."""

from __future__ import annotations

import csv
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from tests.commands.conftest import assert_usage_error, command_on, scenario_file
from tracker.access import SYSTEM
from tracker.data.demo import DEMO_AS_OF
from tracker.db import make_engine
from tracker.measures.outlook_backtest import backtest, mape
from tracker.queries.outlook import outlook_frames

#: The contract, as the header row spells it.
COLUMNS = "profession_group,field,year,completions,completions_low,completions_high,local_posts"


@pytest.fixture
def run(demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    return command_on("outlook", demo_url, tmp_path, monkeypatch)


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_writes_the_contract_columns_one_row_per_group_field_and_year(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "outlook.csv"
    result = run("--as-of", DEMO_AS_OF.isoformat(), "--years", "5", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = _rows(out)
    assert rows[0] == COLUMNS.split(",")
    body = rows[1:]
    keys = {(r[0], r[1]) for r in body}
    assert len(body) == len(keys) * 5
    assert {r[2] for r in body} == {str(DEMO_AS_OF.year + k) for k in range(1, 6)}
    assert ("nursing", "adult nursing") in keys
    for r in body:
        completions, low, high = float(r[3]), int(r[4]), int(r[5])
        assert 0 <= low <= high
        assert completions >= 0
        assert 0 <= float(r[6]) <= completions


def test_zero_change_scenario_file_gives_the_same_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    zero = tmp_path / "zero.json"
    zero.write_text(
        json.dumps(
            {
                "intake_change": {"adult nursing": {"percent": 0, "by_year": 2031}},
                "withdrawal_change_points": {"nursing": {"points": 0, "from_year": 2027}},
                "local_employment_change_points": {"*": {"points": 0, "from_year": 2027}},
            }
        )
    )
    base, same = tmp_path / "base.csv", tmp_path / "same.csv"
    as_of = DEMO_AS_OF.isoformat()
    assert run("--as-of", as_of, "--years", "3", "--out", str(base)).exit_code == 0
    result = run("--as-of", as_of, "--years", "3", "--scenario", str(zero), "--out", str(same))
    assert result.exit_code == 0, result.output
    assert same.read_bytes() == base.read_bytes()


def test_growth_scenario_raises_later_completions_only(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    grow = tmp_path / "grow.json"
    grow.write_text(
        json.dumps({"intake_change": {"adult nursing": {"percent": 92, "by_year": 2031}}})
    )
    base, grown = tmp_path / "base.csv", tmp_path / "grown.csv"
    as_of = DEMO_AS_OF.isoformat()
    assert run("--as-of", as_of, "--years", "6", "--out", str(base)).exit_code == 0
    assert (
        run(
            "--as-of", as_of, "--years", "6", "--scenario", str(grow), "--out", str(grown)
        ).exit_code
        == 0
    )

    def adult(path: Path) -> dict[str, float]:
        return {r[2]: float(r[3]) for r in _rows(path)[1:] if r[1] == "adult nursing"}

    before, after = adult(base), adult(grown)
    assert after["2027"] == before["2027"]  # nobody starting after as_of finishes by then
    assert after["2032"] > before["2032"] * 1.2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-13-01", "--years", "3"], "--as-of must be a date as YYYY-MM-DD"),
        (["--as-of", "yesterday", "--years", "3"], "--as-of must be a date as YYYY-MM-DD"),
        (["--as-of", "2026-10-31", "--years", "0"], "--years must be from 1 to 30"),
        (["--as-of", "2026-10-31", "--years", "-2"], "--years must be from 1 to 30"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    run, tmp_path: Path, args: list[str], message: str
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "x.csv"
    result = run(*args, "--out", str(out))
    assert result.exit_code == 2
    assert message in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read scenario file"),
        ("{not json", "is not valid JSON"),
        ('{"intake_change": {"adult nursing": {"percent": 92}}}', "missing 'by_year'"),
        (
            '{"intake_change": {"adult nursin": {"percent": 9, "by_year": 2030}}}',
            "'adult nursin' is no",
        ),
        ('{"growth": {}}', "unknown scenario key 'growth'"),
    ],
)
def test_bad_scenario_files_exit_2_with_one_line(
    run, tmp_path: Path, content: str | None, message: str
) -> None:  # type: ignore[no-untyped-def]
    scenario = scenario_file(tmp_path, content)
    out = tmp_path / "x.csv"
    result = run(
        "--as-of", "2026-10-31", "--years", "3", "--scenario", str(scenario), "--out", str(out)
    )
    assert_usage_error(result, message, out)


def test_backtest_flag_prints_the_track_record(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "outlook.csv"
    result = run("--as-of", DEMO_AS_OF.isoformat(), "--years", "2", "--out", str(out), "--backtest")
    assert result.exit_code == 0, result.output
    assert "Backtest: outlook made as of 2024-10-31" in result.output
    assert "nursing" in result.output


def test_backtest_on_the_demo_data_is_accurate(demo_url: str) -> None:
    # Two years back (as of 31 Oct 2024), when no 3-year cohort had yet reached its final
    # year: those completions rest on the borrowed average year. Chance alone among the
    # smallest group's ~90 completers a year gives a relative error of about 1/sqrt(90),
    # about 10%, per year; 15% is the bound a sound method stays under, while an error of
    # alignment (completions a year early or late) gives 30-100%.
    engine = make_engine(demo_url)
    with Session(engine) as session:
        frames = outlook_frames(session, principal=SYSTEM)
    engine.dispose()
    table = backtest(frames.learners, frames.events, as_of=date(2026, 10, 31), years=2)
    errors = mape(table).set_index("profession_group")["mape"]
    assert set(errors.index) == {"ahp", "midwifery", "nursing", "nursing_associate", "social_work"}
    assert all(math.isfinite(v) for v in errors)
    assert (errors < 0.15).all(), errors.to_dict()
    inside = ((table["low"] <= table["actual"]) & (table["actual"] <= table["high"])).mean()
    assert inside >= 0.5  # an 80% interval that missed most years would be too narrow


def test_before_any_learner_writes_the_header_only(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "early.csv"
    result = run("--as-of", "2010-01-01", "--years", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert _rows(out) == [COLUMNS.split(",")]


def test_after_the_latest_event_it_warns(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "late.csv"
    result = run("--as-of", "2030-01-01", "--years", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Warning: --as-of 2030-01-01 is after the latest event recorded (2026-10-31)" in (
        result.output
    )


def test_the_pages_exported_scenario_reproduces_its_figures_exactly(
    run, demo_url: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The Outlook page's export, read back by the command line: the file holds exactly the
    figures the page computes for that scenario (the administrator's exact view)."""
    from tracker.commands.outlook import _contract
    from tracker.services.outlook_scenarios import edits_from, scenario_document, scenario_outlook
    from tracker.services.pipeline_reports.common import figures_as_of

    edits = edits_from(
        {
            "intake_for": "nursing",
            "intake_percent": 35,
            "intake_by": 2030,
            "withdrawal_points": -2,
            "local_points": 4,
            "change_from": 2028,
            "sector": "care_home",
            "supervisors": 2,
            "capacity_from": 2028,
        }
    )
    engine = make_engine(demo_url)
    with Session(engine) as session:
        as_of = figures_as_of(session)
        page = scenario_outlook(session, principal=SYSTEM, edits=edits, years=10)
    engine.dispose()
    assert as_of is not None and page.exact
    exported = tmp_path / "scenario.json"
    exported.write_text(json.dumps(scenario_document(edits), indent=2))
    out = tmp_path / "outlook.csv"
    result = run(
        "--as-of",
        as_of.isoformat(),
        "--years",
        "10",
        "--scenario",
        str(exported),
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    expected = _contract(page.outlook.numbers).astype(str).values.tolist()
    got = _rows(out)[1:]
    assert len(got) == len(expected) > 0
    assert [[str(float(v)) if i in (3, 6) else v for i, v in enumerate(r)] for r in got] == [
        [str(float(v)) if i in (3, 6) else str(v) for i, v in enumerate(r)] for r in expected
    ]
