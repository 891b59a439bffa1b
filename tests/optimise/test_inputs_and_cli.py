"""Bad input, the policy file, the command line, the second stage and the layering rule."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from alloc_helpers import at, capacity, demand, settings
from typer.testing import CliRunner

import tracker.optimise
from tracker.commands.allocate import register
from tracker.optimise import InputError, Policy, allocate, assign_learners


def problems_of(exc: pytest.ExceptionInfo[InputError]) -> list[tuple[str, int | None, str | None]]:
    return [(p.table, p.row, p.column) for p in exc.value.problems]


def test_bad_input_names_every_row() -> None:
    s = pd.DataFrame(
        {
            "setting_id": ["A", "A", "B"],
            "sector": ["acute", "hospital", "acute"],
            "programmes": ["*", "*", "*"],
        }
    )
    c = pd.DataFrame({"setting_id": ["A", "Z", "B"], "block": [1, 1, 1], "places": [3, 2, -1]})
    d = pd.DataFrame(
        {
            "request_id": ["r1", "r1", "r3"],
            "hei": ["U", "U", "U"],
            "programme": ["n", "n", "n"],
            "block": [1, 1, 9],
            "learners": [2, "two", 1.5],
        }
    )
    with pytest.raises(InputError) as exc:
        allocate(s, c, d)
    found = problems_of(exc)
    assert ("settings", 3, "setting_id") in found  # duplicate id
    assert ("settings", 3, "sector") in found  # unknown sector
    assert ("capacity", 3, "setting_id") in found  # unknown setting
    assert ("capacity", 4, "places") in found  # negative
    assert ("demand", 3, "request_id") in found  # duplicate request
    assert ("demand", 3, "learners") in found  # not a number
    assert ("demand", 4, "learners") in found  # not whole
    assert ("demand", 4, "block") in found  # a block nobody offers
    assert "capacity row 4, column 'places': must not be below 0" in str(exc.value)


def test_missing_columns_and_over_subscription_is_not_an_error() -> None:
    with pytest.raises(InputError, match="required column is missing"):
        allocate(
            pd.DataFrame({"setting_id": ["A"]}),
            capacity(("A", 1, 1)),
            demand(("r1", "U", "n", 1, 1)),
        )
    result = allocate(
        settings(("A", "acute", "*", 0)), capacity(("A", 1, 1)), demand(("r1", "U", "n", 1, 100))
    )
    assert result.status == "optimal" and result.levels.placed == 1


def test_policy_from_json() -> None:
    p = Policy.from_json('{"max_distance_km": 40, "solver": "cbc", "minimise_travel": false}')
    assert p.max_distance_km == 40 and p.solver == "cbc" and not p.minimise_travel
    with pytest.raises(InputError, match="unknown key"):
        Policy.from_json('{"max_distance": 40}')
    with pytest.raises(InputError, match="must be 'highs' or 'cbc'"):
        Policy.from_json('{"solver": "gurobi"}')


def _write_inputs(folder: Path) -> None:
    settings(("A", "acute", "nursing", 0), ("B", "care_home", "*", 10)).to_csv(
        folder / "settings.csv", index=False
    )
    capacity(("A", 1, 2), ("B", 1, 1)).to_csv(folder / "capacity.csv", index=False)
    demand(("r1", "U1", "nursing", 1, 3), ("r2", "U2", "nursing", 1, 3)).to_csv(
        folder / "demand.csv", index=False
    )
    (folder / "policy.json").write_text(json.dumps({"max_distance_km": 40}))


@pytest.mark.parametrize("extra", [[], ["--solver", "cbc"]])
def test_command_writes_three_files(tmp_path: Path, extra: list[str]) -> None:
    _write_inputs(tmp_path)
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # keep typer in multi-command mode, as in tracker.cli
    out = tmp_path / "out"
    args = [
        "allocate",
        "--settings",
        str(tmp_path / "settings.csv"),
        "--capacity",
        str(tmp_path / "capacity.csv"),
        "--demand",
        str(tmp_path / "demand.csv"),
        "--policy",
        str(tmp_path / "policy.json"),
        "--out",
        str(out),
        *extra,
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(out / "placements.csv")
    assert list(plan.columns) == ["request_id", "setting_id", "block", "learners"]
    assert plan["learners"].sum() == 3
    unmet = pd.read_csv(out / "unmet.csv")
    assert list(unmet.columns) == ["request_id", "learners", "reason"]
    assert unmet["learners"].sum() == 3
    summary = json.loads((out / "summary.json").read_text())
    assert summary["learners_requested"] == 6 and summary["learners_placed"] == 3
    assert set(summary["fill_ratio_by_hei"]) == {"U1", "U2"}
    assert {"utilisation_by_sector", "learner_km", "bottlenecks", "solver", "seconds"} <= set(
        summary
    )


def test_command_rejects_bad_input_with_a_message(tmp_path: Path) -> None:
    _write_inputs(tmp_path)
    capacity(("A", 1, -2), ("Q", 1, 1)).to_csv(tmp_path / "capacity.csv", index=False)
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)
    result = CliRunner().invoke(
        app,
        [
            "allocate",
            "--settings",
            str(tmp_path / "settings.csv"),
            "--capacity",
            str(tmp_path / "capacity.csv"),
            "--demand",
            str(tmp_path / "demand.csv"),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 2
    assert "unknown setting" in result.output and "must not be below 0" in result.output
    assert not (tmp_path / "out").exists()


def test_assign_learners_respects_own_limit_and_prefers_a_new_sector() -> None:
    s = settings(("A", "acute", "*", 0), ("C", "care_home", "*", 30))
    c = capacity(("A", 1, 1), ("C", 1, 1))
    d = demand(("r1", "U1", "nursing", 1, 2, None, 0.0))
    result = allocate(s, c, d, Policy(fair_share_between_sectors=False))
    lat, lon = at(0)
    learners = pd.DataFrame(
        {
            "learner_id": ["near_only", "had_acute"],
            "request_id": ["r1", "r1"],
            "lat": [lat, lat],
            "lon": [lon, lon],
            "max_distance_km": [10, None],
            "sectors_had": ["", "acute"],
        }
    )
    out = assign_learners(result, learners, s).set_index("learner_id")
    assert out.loc["near_only", "setting_id"] == "A"
    assert out.loc["had_acute", "setting_id"] == "C" and out.loc["had_acute", "new_sector"]
    # with only the far place left, the learner with a 10 km limit is not assigned
    far_only = result.placements[result.placements["setting_id"] == "C"]
    out2 = assign_learners(far_only, learners.iloc[:1], s)
    assert out2["setting_id"].isna().all()
    assert out2["reason_code"].iloc[0] == "beyond_own_limit"
    assert "own 10 km limit" in out2["reason"].iloc[0]


def test_optimise_imports_neither_database_nor_dash() -> None:
    banned = (
        "dash",
        "sqlmodel",
        "sqlalchemy",
        "flask",
        "tracker.db",
        "tracker.models",
        "tracker.queries",
        "tracker.services",
        "psycopg",
    )
    root = Path(tracker.optimise.__file__).parent
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not any(name == b or name.startswith(b + ".") for b in banned), (
                    f"{path.name} imports {name}"
                )
