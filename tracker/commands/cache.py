"""``cache warm`` / ``cache clear``: the shared dashboard report cache (see ``tracker.cache``)."""

from __future__ import annotations

import time

import typer
from sqlmodel import Session, select

from tracker.cache import open_report_cache, viewer_scope
from tracker.config import load_settings
from tracker.db import make_engine
from tracker.models import User
from tracker.queries.pipeline import PipelineFilters
from tracker.services.pipeline_reports import cohort_report, concerns_report, overview_report
from tracker.services.users import principal_for


def register(app: typer.Typer) -> None:
    cache_app = typer.Typer(help="The shared cache of dashboard figures.", no_args_is_help=True)
    app.add_typer(cache_app, name="cache")

    @cache_app.command("warm")
    def warm() -> None:
        """Compute every active user's unfiltered dashboards once (after a deploy or import).

        At tens of thousands of learners the first visit to a dashboard after new data would
        otherwise take seconds; run this after `db upgrade` and after bulk imports.
        """
        settings = load_settings()
        cache = open_report_cache(settings)
        engine = make_engine(settings.database_url)
        started = time.perf_counter()
        done: set[str] = set()
        with Session(engine) as session:
            users = session.exec(select(User).where(User.active)).all()
            principals = [principal_for(session, u) for u in users]
        for principal in principals:
            scope = viewer_scope(principal)
            if scope in done:
                continue
            done.add(scope)
            with Session(engine) as session:
                for report in (overview_report, concerns_report, cohort_report):
                    report(session, principal=principal, filters=PipelineFilters(), cache=cache)
        engine.dispose()
        typer.echo(f"Warmed dashboards for {len(done)} viewer scope(s) in "
                   f"{time.perf_counter() - started:.1f} s.")

    @cache_app.command("clear")
    def clear() -> None:
        """Drop every cached report (they are recomputed on the next visit)."""
        open_report_cache(load_settings()).clear()
        typer.echo("Report cache cleared.")
