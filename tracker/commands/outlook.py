"""``outlook``: the workforce supply outlook as a CSV file, with its backtest on request.

The command line acts as an administrator: exact figures, every HEI, like the other exports
(the app applies disclosure control). Usage errors exit 2 with one line on stderr, as
argparse and the other commands do.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import typer

from tracker.access import SYSTEM
from tracker.config import load_settings
from tracker.db import make_engine, session_scope, upgrade
from tracker.exports import safe_frame
from tracker.measures.outlook import OUTLOOK_COLUMNS
from tracker.measures.outlook_backtest import BACKTEST_YEARS, backtest_origin
from tracker.measures.outlook_scenario import Scenario, ScenarioError, parse_scenario
from tracker.services.outlook import OutlookRequest, outlook_report

MAX_YEARS = 30


def fail(message: str) -> NoReturn:
    """One line on stderr and exit 2 (a usage error: nothing was written)."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(2)


def parse_as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--as-of must be a date as YYYY-MM-DD, got {text!r}.")


def read_scenario(path: Path | None) -> Scenario:
    """The scenario file parsed and validated, or a one-line error naming the problem."""
    if path is None:
        return Scenario()
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"cannot read scenario file {path}: {exc.strerror or exc}.")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"scenario file {path} is not valid JSON: {exc}.")
    try:
        return parse_scenario(data)
    except ScenarioError as exc:
        fail(f"scenario file {path}: {exc}.")


def _print_track_record(table: pd.DataFrame, as_of: date) -> None:
    """The track record on stderr: MAPE of completions per profession group."""
    typer.echo(
        f"Backtest: outlook made as of {backtest_origin(as_of, BACKTEST_YEARS)} against "
        f"completions recorded to {as_of} (mean absolute percentage error of completions "
        "per year):",
        err=True,
    )
    if table.empty:
        typer.echo("  nobody was on programme then: nothing to compare.", err=True)
    for row in table.itertuples(index=False):
        figure = "no completions to compare" if row.mape != row.mape else f"{row.mape:.1%}"
        typer.echo(
            f"  {row.profession_group:<20}{figure:>8}  "
            f"(predicted {row.predicted:.0f}, recorded {row.actual:.0f})",
            err=True,
        )


def _contract(frame: pd.DataFrame) -> pd.DataFrame:
    """The file's columns in order: expected figures to 2 decimals, limits whole learners."""
    table = frame.loc[:, list(OUTLOOK_COLUMNS)].copy()
    table[["completions", "local_posts"]] = table[["completions", "local_posts"]].round(2)
    table[["completions_low", "completions_high"]] = table[
        ["completions_low", "completions_high"]
    ].astype("int64")
    return table


def register(app: typer.Typer) -> None:
    @app.command("outlook")
    def outlook_command(
        as_of: str = typer.Option(..., "--as-of", help="Date the outlook is made on (YYYY-MM-DD)."),
        years: int = typer.Option(..., "--years", help="Years to project (1 to 30)."),
        out: Path = typer.Option(..., "--out", help="CSV file to write."),
        scenario: Path | None = typer.Option(
            None, "--scenario", help="Scenario JSON (see docs/measures.md, Supply outlook)."
        ),
        with_backtest: bool = typer.Option(
            False,
            "--backtest",
            help="Also print, on stderr, the outlook made two years before --as-of against "
            "what then happened.",
        ),
    ) -> None:
        """Project completions and local posts per profession group, field and year, with
        80% intervals, from the learners in training and the planned intakes."""
        day = parse_as_of(as_of)
        if years < 1 or years > MAX_YEARS:
            fail(f"--years must be from 1 to {MAX_YEARS}, got {years}.")
        if out.suffix.lower() != ".csv":
            fail("--out must end in .csv.")
        plan = read_scenario(scenario)
        request = OutlookRequest(
            years=years, scenario=plan, as_of=day, with_track_record=with_backtest
        )
        engine = make_engine(load_settings().database_url)
        upgrade(engine)
        try:
            with session_scope(engine) as session:
                report = outlook_report(session, principal=SYSTEM, request=request)
        except ScenarioError as exc:
            fail(f"scenario file {scenario}: {exc}.")
        table = _contract(report.outlook.numbers)
        if report.data_to is not None and day > report.data_to:
            typer.echo(
                f"Warning: --as-of {day} is after the latest event recorded ({report.data_to}); "
                "learners are taken to be as last recorded.",
                err=True,
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        # Plain UTF-8 without the byte-order mark the spreadsheet exports carry: this file is
        # a machine-read contract whose first header cell must be exactly profession_group.
        out.write_bytes(safe_frame(table).to_csv(index=False).encode("utf-8"))
        typer.echo(
            f"Wrote {len(table)} rows (exact figures, {report.level:.0%} intervals) to {out}."
        )
        if with_backtest:
            _print_track_record(report.track_record, day)
