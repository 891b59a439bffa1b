"""``cache warm`` / ``cache clear``: the shared dashboard report cache (see ``tracker.cache``)."""

from __future__ import annotations

import typer

from tracker.cache import open_report_cache
from tracker.config import disclosure_policy, load_settings
from tracker.db import make_engine
from tracker.services.cache_warmup import warm_report_cache


def register(app: typer.Typer) -> None:
    cache_app = typer.Typer(help="The shared cache of dashboard figures.", no_args_is_help=True)
    app.add_typer(cache_app, name="cache")

    @cache_app.command("warm")
    def warm() -> None:
        """Compute the dashboards most users open, for every active user's view (after a
        deploy or an import).

        The unfiltered dashboards and each single profession group and route, and capacity
        against demand unfiltered and by each sector and profession group. At tens of
        thousands of learners the first visit to each would otherwise wait for its figures.
        """
        settings = load_settings()
        engine = make_engine(settings.database_url)
        summary = warm_report_cache(
            engine, open_report_cache(settings), policy=disclosure_policy(settings)
        )
        engine.dispose()
        typer.echo(
            f"Warmed {summary.entries} report(s) for {summary.scopes} viewer scope(s) "
            f"in {summary.seconds:.1f} s."
        )

    @cache_app.command("clear")
    def clear() -> None:
        """Drop every cached report (they are recomputed on the next visit)."""
        open_report_cache(load_settings()).clear()
        typer.echo("Report cache cleared.")
