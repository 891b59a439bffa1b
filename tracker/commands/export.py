"""``export attrition``: the pipeline figures as a CSV or Excel file.

The command line acts as an administrator (exact figures) unless ``--disclosure-control``
asks for the figures as someone outside the owning HEI would see them.
"""

from __future__ import annotations

from pathlib import Path

import typer

from tracker.access import SYSTEM
from tracker.config import disclosure_policy, load_settings
from tracker.db import make_engine, session_scope, upgrade
from tracker.exports import to_csv_bytes, to_xlsx_bytes
from tracker.services.pipeline_reports import EXPORT_BY, attrition_export


def register(app: typer.Typer) -> None:
    export = typer.Typer(help="Export figures to CSV or Excel files.", no_args_is_help=True)

    @export.command("attrition")
    def attrition(
        by: str = typer.Option(
            "",
            "--by",
            help=f"Comma-separated grouping columns, any of: {', '.join(EXPORT_BY)}.",
        ),
        out: Path = typer.Option(..., "--out", help="File to write: .csv or .xlsx."),
        disclosure_control: bool = typer.Option(
            False,
            "--disclosure-control",
            help="Round and suppress counts as for users outside the owning HEI "
            "(the TRACKER_DISCLOSURE convention, HESA by default).",
        ),
    ) -> None:
        """Starters, withdrawn, transferred out, interrupted, completed and attrition rate
        per group, with subtotal rows marked 'All'."""
        columns = [c.strip() for c in by.split(",") if c.strip()]
        unknown = [c for c in columns if c not in EXPORT_BY]
        if unknown:
            typer.echo(
                f"Error: unknown --by column {', '.join(unknown)}; "
                f"choose from {', '.join(EXPORT_BY)}.",
                err=True,
            )
            raise typer.Exit(2)
        suffix = out.suffix.lower()
        if suffix not in {".csv", ".xlsx"}:
            typer.echo("Error: --out must end in .csv or .xlsx.", err=True)
            raise typer.Exit(2)
        settings = load_settings()
        engine = make_engine(settings.database_url)
        upgrade(engine)
        try:
            with session_scope(engine) as session:
                table = attrition_export(
                    session,
                    principal=SYSTEM,
                    by=columns,
                    disclosure_control=disclosure_control,
                    policy=disclosure_policy(settings),
                )
        except ValueError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(2) from exc
        data = (
            to_csv_bytes(table.frame)
            if suffix == ".csv"
            else to_xlsx_bytes(table.frame, sheet_name="attrition", note=table.note)
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        kind = "exact figures" if table.exact else "disclosure-controlled figures"
        typer.echo(f"Wrote {len(table.frame)} rows ({kind}) to {out}.")

    app.add_typer(export, name="export")
