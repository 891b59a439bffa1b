"""``template KIND`` and ``import KIND FILE``: the importers from the command line.

The command line acts as the system administrator, so it may import every kind for every HEI.
"""

from __future__ import annotations

from pathlib import Path

import typer

from tracker.access import SYSTEM
from tracker.config import load_settings
from tracker.data.importers import (
    KINDS,
    ImportLimits,
    ImportRejected,
    ImportReport,
    UnknownKind,
    UnreadableFile,
    read_table,
    spec_for,
    template_csv,
)
from tracker.db import make_engine, session_scope, upgrade
from tracker.services.imports import apply_import, preview_import

KIND_HELP = f"One of: {', '.join(KINDS)}."


def _spec_or_exit(kind: str) -> None:
    try:
        spec_for(kind)
    except UnknownKind as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None


def problem_table(report: ImportReport) -> str:
    """Problems as a fixed-width table; values are cut short so each problem is one line."""
    header = ("row", "column", "value", "problem")
    lines = [
        (str(p.row), p.column, p.value if len(p.value) <= 30 else p.value[:29] + "…", p.message)
        for p in report.problems
    ]
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(3)]

    def fmt(r: tuple[str, str, str, str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(r[:3], widths, strict=True)) + "  " + r[3]

    return "\n".join([fmt(header), *(fmt(r) for r in lines)])


def register(app: typer.Typer) -> None:
    @app.command("template")
    def template_command(
        kind: str = typer.Argument(..., help=KIND_HELP),
        out: Path | None = typer.Option(None, "--out", "-o", help="Write here, not to stdout."),
    ) -> None:
        """Write an empty CSV template: a header row and a '#' row describing each column.

        The '#' row may stay in the file: the importer skips rows starting with '#'.
        """
        _spec_or_exit(kind)
        text = template_csv(kind)
        if out is None:
            typer.echo(text, nl=False)
            return
        out.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote the {kind} template to {out}.")
        for column in spec_for(kind).columns:
            typer.echo(f"  {column.name}: {column.description}")

    @app.command("import")
    def import_command(
        kind: str = typer.Argument(..., help=KIND_HELP),
        file: Path = typer.Argument(..., help="A .csv or .xlsx file (first worksheet)."),
        dry_run: bool = typer.Option(
            False, "--dry-run", help="Validate and report what would change; write nothing."
        ),
    ) -> None:
        """Import a CSV or Excel file: every row is written, or none if any row has a problem."""
        _spec_or_exit(kind)
        if not file.is_file():
            typer.echo(f"No such file: {file}", err=True)
            raise typer.Exit(2)
        settings = load_settings()
        try:
            frame = read_table(file.name, file.read_bytes(), ImportLimits.from_settings(settings))
        except UnreadableFile as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(1) from None
        engine = make_engine(settings.database_url)
        upgrade(engine)
        try:
            with session_scope(engine) as session:
                if dry_run:
                    report = preview_import(session, SYSTEM, kind, frame)
                    if not report.ok:
                        raise ImportRejected(report)
                    session.rollback()
                else:
                    report = apply_import(session, SYSTEM, kind, frame)
        except ImportRejected as rejected:
            typer.echo(rejected.report.summary(), err=True)
            typer.echo(problem_table(rejected.report))
            raise typer.Exit(1) from None
        finally:
            engine.dispose()
        prefix = "Dry run (nothing written): " if dry_run else ""
        typer.echo(prefix + report.summary())
        for change in report.changes:
            fields = ", ".join(f"{k}: {change.old[k]!r} -> {change.new[k]!r}" for k in change.old)
            typer.echo(f"  changed {change.key}: {fields}")
