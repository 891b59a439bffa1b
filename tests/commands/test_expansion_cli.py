"""``python -m tracker expansion`` on the demo data: the files it writes, the plan the
allocator confirms (and no smaller one would do), the page's scenario file, and bad input."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlmodel import Session

from tests.commands.conftest import assert_usage_error, command_on, scenario_file
from tracker.access import SYSTEM
from tracker.db import make_engine
from tracker.measures.outlook_scenario import parse_scenario
from tracker.optimise import Policy, allocate
from tracker.optimise.expansion import ExpansionOptions, ExpansionPlan
from tracker.queries.allocator_inputs import allocator_inputs
from tracker.services.expansion import expansion_request, plan_expansion

PLAN = "setting_id,sector,supervisors_added,places_added,learners_let_in,cost,blocks,reason"
UNPLACED = "request_id,hei,programme,block,learners,unplaced,reason_code,reason"
SHORTFALL = "profession_group,year,block,sector,placements,places,shortfall"
BLOCKS = ("2026-B1", "2026-B2")
#: Growth the documents plan for, with a capacity change and a policy target.
GROWTH = {
    "intake_change": {"adult nursing": {"percent": 92, "by_year": 2031, "shape": "linear"}},
    "capacity_change": [{"sector": "care_home", "add_supervisors": 2, "from_year": 2027}],
    "policy_target": {"sectors": ["community", "care_home"], "per_learner": 1},
}


@pytest.fixture
def run(demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    return command_on("expansion", demo_url, tmp_path, monkeypatch)


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data))
    return path


def _header(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as handle:
        return ",".join(next(csv.reader(handle)))


def test_writes_the_plan_files_with_their_columns(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    scenario = _write(tmp_path / "growth.json", GROWTH)
    out = tmp_path / "plan"
    result = run(
        "--scenario", str(scenario), "--year", "2029", "--cost", "acute=3", "--cap", "40",
        "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    names = {"expansion-plan.csv", "unplaced.csv", "shortfall.csv", "summary.json"}
    assert {p.name for p in out.iterdir()} == names
    assert (_header(out / "expansion-plan.csv"), _header(out / "unplaced.csv")) == (
        PLAN,
        UNPLACED,
    )
    assert _header(out / "shortfall.csv") == SHORTFALL
    plan = pd.read_csv(out / "expansion-plan.csv")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["year"] == 2029 and summary["checked_by_allocator"] is True
    assert summary["status"] == "optimal" and summary["settings"] == len(plan) > 0
    assert summary["supervisors_added"] == plan["supervisors_added"].sum()
    assert (plan["supervisors_added"].between(1, 40)).all()
    # the cost is the sector's per supervisor (acute 3, every other sector 1)
    each = plan["sector"].map({"acute": 3.0}).fillna(1.0)
    assert plan["cost"].tolist() == (each * plan["supervisors_added"]).tolist()
    assert math.isclose(summary["cost"], plan["cost"].sum())
    assert plan["reason"].str.contains(" more supervisor").all()
    unplaced = pd.read_csv(out / "unplaced.csv")
    assert summary["placeable"] == summary["requested"] - unplaced["unplaced"].sum()
    shortfall = pd.read_csv(out / "shortfall.csv")
    assert set(shortfall["year"]) == {2027, 2028, 2029}
    assert "Wrote " in result.output and "checked: the allocator places them all" in result.output


def test_a_zero_change_scenario_gives_the_baselines_plan(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    zero = _write(
        tmp_path / "zero.json",
        {
            "intake_change": {"adult nursing": {"percent": 0, "by_year": 2031}},
            "withdrawal_change_points": {"nursing": {"points": 0, "from_year": 2027}},
            "local_employment_change_points": {"*": {"points": 0, "from_year": 2027}},
            "capacity_change": [{"sector": "care_home", "add_supervisors": 0, "from_year": 2027}],
        },
    )
    base, same, grown = tmp_path / "base", tmp_path / "same", tmp_path / "grown"
    assert run("--year", "2028", "--out", str(base)).exit_code == 0
    result = run("--scenario", str(zero), "--year", "2028", "--out", str(same))
    assert result.exit_code == 0, result.output
    for name in ("expansion-plan.csv", "unplaced.csv", "shortfall.csv"):
        assert (same / name).read_bytes() == (base / name).read_bytes(), name
    growth = _write(tmp_path / "growth.json", GROWTH)
    assert run("--scenario", str(growth), "--year", "2028", "--out", str(grown)).exit_code == 0
    assert (grown / "shortfall.csv").read_bytes() != (base / "shortfall.csv").read_bytes()


def _one_fewer(plan: ExpansionPlan, setting_id: str) -> pd.DataFrame:
    """The expanded capacity with one supervisor fewer at ``setting_id``, in every block."""
    added = int(plan.settings.set_index("setting_id").loc[setting_id, "supervisors_added"])
    out = plan.capacity.copy()
    for row in plan.places[plan.places["setting_id"] == setting_id].itertuples(index=False):
        at = (out["setting_id"] == setting_id) & (out["block"] == row.block)
        out.loc[at, "places"] = row.places + math.floor(
            row.learners_per_supervisor * (added - 1) + 1e-9
        )
    return out


def test_the_plan_places_every_learner_and_one_supervisor_fewer_anywhere_does_not(
    demo_url: str,
) -> None:
    """On the demo's registers, with a cap and a cost: the allocator on the expanded capacity
    places every planned learner, and without any one of the added supervisors it falls
    short."""
    options = ExpansionOptions(cost_per_supervisor={"acute": 2.0}, max_added_per_setting=25)
    request = expansion_request(parse_scenario(GROWTH), 2028, options, max_distance_km=40)
    # two of the year's blocks: one allocator run per added setting stays quick
    request = replace(request, blocks=BLOCKS)
    engine = make_engine(demo_url)
    with Session(engine) as session:
        report = plan_expansion(session, principal=SYSTEM, request=request)
        settings = allocator_inputs(session, blocks=list(BLOCKS), programmes=None)[0]
    engine.dispose()
    plan, rules = report.plan, Policy(max_distance_km=40)
    assert report.checked and plan.status == "optimal" and len(plan.settings) > 1
    assert plan.supervisors_added > 0 and (plan.settings["supervisors_added"] <= 25).all()
    placed = allocate(settings, plan.capacity, report.demand, rules).levels.placed
    assert placed == plan.placeable == plan.requested - plan.unplaced["unplaced"].sum()
    for setting_id in plan.settings["setting_id"]:
        fewer = allocate(settings, _one_fewer(plan, setting_id), report.demand, rules)
        assert fewer.levels.placed < plan.placeable, setting_id


def test_the_pages_exported_scenario_and_options_give_the_pages_plan(
    run, demo_url: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The Outlook page's exported scenario, with the page's costs and cap as options, gives
    exactly the page's plan (an administrator's: the plan's figures are not controlled)."""
    from tracker.services.outlook_scenarios import (
        edits_from,
        scenario_document,
        scenario_placements,
    )

    edits = edits_from(
        {
            "intake_for": "nursing",
            "intake_percent": 35,
            "intake_by": 2030,
            "sector": "care_home",
            "supervisors": 2,
            "capacity_from": 2028,
            "cost_community": 2,
            "cap_per_setting": 30,
        }
    )
    engine = make_engine(demo_url)
    with Session(engine) as session:
        page = scenario_placements(session, principal=SYSTEM, edits=edits, year=2029)
    engine.dispose()
    exported = _write(tmp_path / "scenario.json", scenario_document(edits))
    out = tmp_path / "plan"
    result = run(
        "--scenario", str(exported), "--year", "2029", "--cost", "community=2", "--cap", "30",
        "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out / "expansion-plan.csv")
    expected = page.plan.settings
    assert got["setting_id"].tolist() == expected["setting_id"].tolist()
    assert got["supervisors_added"].tolist() == expected["supervisors_added"].tolist()
    assert got["reason"].tolist() == expected["explanation"].tolist()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2026"], "Choose a year after 2026"),
        (["--year", "2099"], "Choose a year at most 30 after 2026"),
        (["--year", "2028", "--cost", "care_home"], "--cost must be SECTOR=POUNDS"),
        (["--year", "2028", "--cost", "=5"], "--cost must be SECTOR=POUNDS"),
        (["--year", "2028", "--cost", "carehome=5"], "'carehome' is no sector"),
        (["--year", "2028", "--cost", "acute=lots"], "'lots' is not a number of pounds"),
        (["--year", "2028", "--cost", "acute=0"], "must be above 0 and at most 1,000,000"),
        (["--year", "2028", "--cost", "acute=nan"], "must be above 0"),
        (["--year", "2028", "--cost", "acute=2", "--cost", "acute=3"], "acute is given twice"),
        (["--year", "2028", "--cap", "-1"], "--cap must be from 0 to 50"),
        (["--year", "2028", "--cap", "51"], "--cap must be from 0 to 50"),
        (
            ["--year", "2028", "--max-distance-km", "0"],
            "--max-distance-km must be a positive number",
        ),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    run, tmp_path: Path, args: list[str], message: str
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "plan"
    result = run(*args, "--out", str(out))
    assert_usage_error(result, message, out)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read scenario file"),
        ("{not json", "is not valid JSON"),
        ('{"growth": {}}', "unknown scenario key 'growth'"),
        (
            '{"capacity_change": [{"sector": "hospice", "add_supervisors": 2, "from_year": 2027}]}',
            "capacity_change[0].sector: 'hospice' is no sector",
        ),
        (
            '{"policy_target": {"sectors": ["moon"], "per_learner": 1}}',
            "policy_target.sectors: 'moon' is no sector",
        ),
    ],
)
def test_bad_scenario_files_exit_2_with_one_line(
    run, tmp_path: Path, content: str | None, message: str
) -> None:  # type: ignore[no-untyped-def]
    scenario = scenario_file(tmp_path, content)
    out = tmp_path / "plan"
    result = run("--scenario", str(scenario), "--year", "2028", "--out", str(out))
    assert_usage_error(result, message, out)


def test_an_empty_database_has_nothing_to_plan_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = f"sqlite:///{(tmp_path / 'empty.db').as_posix()}"
    invoke = command_on("expansion", empty, tmp_path, monkeypatch)
    result = invoke("--year", "2030", "--out", str(tmp_path / "plan"))
    assert result.exit_code == 2
    assert result.output == "Error: There are no learner records to project placements from.\n"
    assert not (tmp_path / "plan").exists()
