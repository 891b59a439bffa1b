"""``send-mail [--once]``: send the e-mail outbox where no Celery worker does."""

from __future__ import annotations

import time

import typer

from tracker.commands.users import migrated_engine
from tracker.config import load_settings
from tracker.services.notify.runner import mail_pass
from tracker.services.notify.sender import retry_policy, smtp_config


def register(app: typer.Typer) -> None:
    @app.command("send-mail")
    def send_mail(
        once: bool = typer.Option(False, "--once", help="One pass, then exit (for cron)."),
        interval: float = typer.Option(
            30.0, "--interval", min=1.0, help="Seconds between passes when running on."
        ),
    ) -> None:
        """Send queued e-mail notifications over SMTP (TRACKER_SMTP_HOST), with retries;
        --once for one pass.

        Each pass gathers the day's digests, then sends every message due; a sender killed
        mid-send leaves its message to be re-sent once TRACKER_SMTP_STALE_SECONDS have passed.
        """
        settings = load_settings()
        smtp = smtp_config(settings)
        if smtp is None:
            typer.echo(
                "Error: e-mail is not configured (set TRACKER_SMTP_HOST); messages stay queued.",
                err=True,
            )
            raise typer.Exit(2)
        engine = migrated_engine()
        policy = retry_policy(settings)
        try:
            while True:
                report = mail_pass(engine, smtp, policy=policy)
                if report.sent or report.retried or report.failed:
                    typer.echo(
                        f"sent {report.sent}, to retry {report.retried}, failed {report.failed}"
                    )
                if once:
                    return
                time.sleep(interval)
        finally:
            engine.dispose()
