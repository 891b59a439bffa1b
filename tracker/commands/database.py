"""``db upgrade`` / ``db current``: schema migrations through Alembic."""

from __future__ import annotations

import typer

from tracker.config import load_settings
from tracker.db import make_engine, upgrade


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Database schema: upgrade to the latest migration.", no_args_is_help=True)

    @db.command("upgrade")
    def upgrade_command(
        revision: str = typer.Argument("head", help="Alembic revision to upgrade to."),
    ) -> None:
        """Create or upgrade the schema of TRACKER_DATABASE_URL (default: embedded SQLite)."""
        settings = load_settings()
        engine = make_engine(settings.database_url)
        upgrade(engine, revision)
        typer.echo(
            f"Database at {engine.url.render_as_string(hide_password=True)} is at {revision}."
        )

    app.add_typer(db, name="db")
