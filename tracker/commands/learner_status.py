"""``rebuild-status``: fold every learner's events into the learner status projection again."""

from __future__ import annotations

import time

import typer

from tracker.commands.users import migrated_engine
from tracker.db import session_scope
from tracker.services.learner_status import rebuild_learner_status


def register(app: typer.Typer) -> None:
    @app.command("rebuild-status")
    def rebuild_status() -> None:
        """Rebuild the learner status projection (learner_status) from the learner events.

        One transaction: every row is replaced, or none.

        Imports keep it as they go; this is for after a restore, a hand repair of events or a
        change to how statuses are folded.
        """
        engine = migrated_engine()
        started = time.perf_counter()
        with session_scope(engine) as session:
            rows = rebuild_learner_status(session)
        engine.dispose()
        typer.echo(f"Rebuilt {rows:,} learners' status in {time.perf_counter() - started:.1f} s.")
