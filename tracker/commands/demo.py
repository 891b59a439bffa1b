"""``demo``: fill an empty database with the seeded demo system."""

from __future__ import annotations

import time

import typer
from sqlmodel import Session

from tracker.config import load_settings
from tracker.data.demo import DEFAULT_SEED, has_organisations
from tracker.data.demo_reference import HEIS
from tracker.db import make_engine, upgrade
from tracker.services.demo import generate_demo
from tracker.services.users import demo_account_lines


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo_command(
        scale: int = typer.Option(
            1, "--scale", min=1, help="Copies of the demo system, for benchmarks (10 works)."
        ),
        seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed; same seed, same data."),
    ) -> None:
        """Create demo data (HEIs, learners, settings, capacity, requests) in an empty database."""
        settings = load_settings()
        engine = make_engine(settings.database_url)
        where = engine.url.render_as_string(hide_password=True)
        upgrade(engine)
        started = time.perf_counter()
        with Session(engine) as session:
            if has_organisations(session):
                typer.echo(
                    f"The database at {where} already has data; demo data only goes into an "
                    "empty database. Set TRACKER_DATABASE_URL to a fresh database and retry.",
                    err=True,
                )
                raise typer.Exit(1)
            summary = generate_demo(session, seed=seed, scale=scale)
            session.commit()
        seconds = time.perf_counter() - started
        typer.echo(f"Demo data (seed {seed}, scale {scale}) written to {where}:")
        for table, count in summary.items():
            typer.echo(f"  {table:<22}{count:>10,}")
        typer.echo(f"Took {seconds:.1f} s.")
        typer.echo("Demo sign-in accounts (they work only in demo mode):")
        for line in demo_account_lines(HEIS[0].code):
            typer.echo(line)
