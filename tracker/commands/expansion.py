"""``expansion``: the cheapest expansion of supervision for a scenario year, as CSV files.

The same plan as the Outlook page's "Cheapest expansion" for that scenario and year (the
scenario JSON is the file the page exports and ``outlook --scenario`` reads; the costs and
the cap are options here, as they are options on the page), on today's registers. The
command line acts as an administrator: exact figures, every HEI. Usage errors and input the
plan cannot be made from exit 2 with one line on stderr naming the problem, as ``outlook``
does; nothing is written then.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from tracker.access import SYSTEM
from tracker.commands.outlook import fail, read_scenario
from tracker.config import load_settings
from tracker.db import make_engine, session_scope, upgrade
from tracker.exports import safe_frame
from tracker.measures.outlook_scenario import ScenarioError
from tracker.optimise import InputError
from tracker.optimise.expansion import ExpansionOptions
from tracker.optimise.expansion_tables import SETTING_COLUMNS, UNPLACED_COLUMNS
from tracker.optimise.model import SECTORS
from tracker.refusals import Refused
from tracker.services.expansion import ExpansionReport, expansion_request, plan_expansion

#: The plan file's columns: one row per setting that gains supervisors, as the optimiser
#: explains it, its sentence headed ``reason``.
PLAN_COLUMNS = tuple("reason" if c == "explanation" else c for c in SETTING_COLUMNS)
PLAN_FILE, UNPLACED_FILE, SHORTFALL_FILE, SUMMARY_FILE = (
    "expansion-plan.csv",
    "unplaced.csv",
    "shortfall.csv",
    "summary.json",
)
#: The Outlook page's bounds on a cost per supervisor (pounds) and the cap per setting.
MAX_COST, MAX_CAP = 1_000_000.0, 50


def parse_costs(texts: list[str]) -> dict[str, float]:
    """``SECTOR=POUNDS`` options as sector -> cost; exits 2 naming the first bad one."""
    costs: dict[str, float] = {}
    for text in texts:
        sector, sep, amount = text.partition("=")
        sector = sector.strip()
        if not sep or not sector:
            fail(f"--cost must be SECTOR=POUNDS such as care_home=42000, got {text!r}.")
        if sector not in SECTORS:
            fail(f"--cost: {sector!r} is no sector; known sectors are {', '.join(SECTORS)}.")
        if sector in costs:
            fail(f"--cost: {sector} is given twice.")
        try:
            value = float(amount)
        except ValueError:
            fail(f"--cost {sector}: {amount.strip()!r} is not a number of pounds.")
        if not (math.isfinite(value) and 0 < value <= MAX_COST):
            fail(
                f"--cost {sector}: the cost per supervisor must be above 0 and at most "
                f"{MAX_COST:,.0f}, got {amount.strip()}."
            )
        costs[sector] = value
    return costs


def _options(costs: list[str], cap: int | None) -> ExpansionOptions:
    if cap is not None and not 0 <= cap <= MAX_CAP:
        fail(f"--cap must be from 0 to {MAX_CAP} supervisors per setting, got {cap}.")
    return ExpansionOptions(cost_per_supervisor=parse_costs(costs), max_added_per_setting=cap)


def plan_rows(report: ExpansionReport) -> pd.DataFrame:
    """The plan file: each setting's added supervisors, what they open and cost, and why."""
    table = report.plan.settings.rename(columns={"explanation": "reason"})
    return table.loc[:, list(PLAN_COLUMNS)].reset_index(drop=True)


def summary(report: ExpansionReport) -> dict[str, Any]:
    """The plan's totals as summary.json holds them."""
    plan = report.plan
    return {
        "year": report.year,
        "as_of": report.as_of.isoformat(),
        "status": plan.status,
        "requested": plan.requested,
        "placeable": plan.placeable,
        "supervisors_added": plan.supervisors_added,
        "settings": len(plan.settings),
        "cost": plan.cost,
        "checked_by_allocator": report.checked,
        "seconds": round(plan.seconds, 2),
    }


def _write(report: ExpansionReport, out: Path) -> list[Path]:
    """Every file of the plan, plain UTF-8 without a byte-order mark (a machine-read
    contract, as the outlook's file is)."""
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        PLAN_FILE: plan_rows(report),
        UNPLACED_FILE: report.plan.unplaced.loc[:, UNPLACED_COLUMNS],
        SHORTFALL_FILE: report.shortfall,
    }
    paths = []
    for name, table in tables.items():
        (out / name).write_bytes(safe_frame(table).to_csv(index=False).encode("utf-8"))
        paths.append(out / name)
    (out / SUMMARY_FILE).write_text(json.dumps(summary(report), indent=2) + "\n")
    return [*paths, out / SUMMARY_FILE]


def _plan(
    scenario: Path | None, year: int, options: ExpansionOptions, km: float | None
) -> ExpansionReport:
    """The report, or exit 2 with the reason the plan cannot be made."""
    plan = read_scenario(scenario)
    engine = make_engine(load_settings().database_url)
    upgrade(engine)
    try:
        request = expansion_request(plan, year, options, max_distance_km=km)
        with session_scope(engine) as session:
            return plan_expansion(session, principal=SYSTEM, request=request)
    except ScenarioError as exc:
        fail(f"scenario file {scenario}: {exc}.")
    except Refused as exc:
        fail(str(exc))
    except InputError as exc:
        fail(f"the registers cannot be planned on: {exc}")
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    @app.command("expansion")
    def expansion_command(
        year: int = typer.Option(..., "--year", help="Scenario year to host (after the data's)."),
        out: Path = typer.Option(..., "--out", help="Folder for the plan's files."),
        scenario: Path | None = typer.Option(
            None, "--scenario", help="Scenario JSON, as the Outlook page exports it."
        ),
        cost: list[str] = typer.Option(
            [],
            "--cost",
            help="SECTOR=POUNDS, repeatable: what one more supervisor costs in that sector; "
            "a sector not given costs 1, so give every sector in the same unit.",
        ),
        cap: int | None = typer.Option(
            None, "--cap", help="Most supervisors added at any one setting (0 to 50)."
        ),
        max_distance_km: float | None = typer.Option(
            None, "--max-distance-km", help="The allocator's distance limit (none by default)."
        ),
    ) -> None:
        """The fewest (or cheapest) extra practice supervisors, and where, that let the
        allocator place a scenario year's learners. Exits 0 whenever a plan was produced,
        2 on invalid input."""
        options = _options(cost, cap)
        if max_distance_km is not None and not (0 < max_distance_km < math.inf):
            fail(f"--max-distance-km must be a positive number, got {max_distance_km:g}.")
        report = _plan(scenario, year, options, max_distance_km)
        paths = _write(report, out)
        plan = report.plan
        check = (
            "checked: the allocator places them all on the expanded capacity"
            if report.checked
            else "NOT confirmed: the allocator placed fewer on the expanded capacity"
        )
        typer.echo(
            f"{plan.status}: {plan.supervisors_added:,} more supervisors at "
            f"{len(plan.settings):,} settings (cost {plan.cost:,.2f}) place "
            f"{plan.placeable:,} of the {plan.requested:,} learners requested for "
            f"{report.year}; {check}."
        )
        if not plan.unplaced.empty:
            typer.echo(
                f"{int(plan.unplaced['unplaced'].sum()):,} learners no expansion can place "
                f"(reasons in {UNPLACED_FILE}).",
                err=True,
            )
        typer.echo(f"Wrote {', '.join(str(p) for p in paths)}.")
        if not report.checked:
            raise typer.Exit(1)
