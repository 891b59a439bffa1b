"""``backup FILE`` / ``restore FILE``: the whole database as one portable file."""

from __future__ import annotations

from pathlib import Path

import typer

from tracker.cache import open_report_cache
from tracker.config import load_settings
from tracker.db import make_engine
from tracker.services.backup import BackupError, backup_database, restore_database


def register(app: typer.Typer) -> None:
    @app.command("backup")
    def backup(
        out: Path = typer.Argument(..., help="File to write, e.g. tracker-2026-11.zip"),
    ) -> None:
        """Write every row of the database of TRACKER_DATABASE_URL to one portable file."""
        engine = make_engine(load_settings().database_url)
        summary = backup_database(engine, out)
        typer.echo(f"Backed up {summary.total_rows:,} rows in {len(summary.rows)} tables to {out}.")

    @app.command("restore")
    def restore(source: Path = typer.Argument(..., help="A file written by `backup`.")) -> None:
        """Restore a backup into the (empty) database of TRACKER_DATABASE_URL."""
        if not source.exists():
            typer.echo(f"Error: {source} does not exist.", err=True)
            raise typer.Exit(1)
        settings = load_settings()
        engine = make_engine(settings.database_url)
        try:
            summary = restore_database(engine, source)
        except BackupError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from exc
        # Figures cached for an earlier database at this address could carry the same data
        # version as the restored rows: drop them all.
        open_report_cache(settings).clear()
        typer.echo(f"Restored {summary.total_rows:,} rows in {len(summary.rows)} tables.")
