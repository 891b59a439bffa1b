"""``users add`` / ``list`` / ``set-password`` / ``pending`` / ``approve``: accounts from the
command line (``approve`` gives a waiting organisation account its role, e.g. the first
administrator where local passwords are switched off)."""

from __future__ import annotations

import typer
from sqlalchemy import Engine

from tracker.access import SYSTEM
from tracker.config import load_settings
from tracker.db import make_engine, session_scope, upgrade
from tracker.models import Role
from tracker.queries.users import list_users, pending_sso_frame
from tracker.services.sso import approve_sso_account
from tracker.services.users import UserError, create_user, set_password


def migrated_engine() -> Engine:
    """The database of TRACKER_DATABASE_URL, upgraded to the latest migration."""
    engine = make_engine(load_settings().database_url)
    upgrade(engine)
    return engine


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="Manage sign-in accounts.", no_args_is_help=True)

    @users.command("add")
    def add(
        username: str = typer.Argument(..., help="Sign-in name."),
        role: Role = typer.Option(
            ..., "--role", help="admin, coordinator, collaborative, hei or provider."
        ),
        hei: str | None = typer.Option(None, "--hei", help="HEI organisation code (role hei)."),
        organisation: str | None = typer.Option(
            None, "--organisation", help="Provider organisation code (role provider)."
        ),
        password: str = typer.Option(
            ...,
            "--password",
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="At least 10 characters; prompted for if not given.",
        ),
    ) -> None:
        """Add a user (acts as the system administrator)."""
        try:
            with session_scope(migrated_engine()) as session:
                create_user(
                    session,
                    username=username,
                    password=password,
                    role=role,
                    hei_code=hei,
                    organisation_code=organisation,
                    actor=SYSTEM,
                )
        except UserError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from exc
        bound = f" bound to {hei or organisation}" if hei or organisation else ""
        typer.echo(f"Added {role.value} user {username!r}{bound}.")

    @users.command("list")
    def list_command() -> None:
        """List users with role, HEI and whether they are active."""
        with session_scope(migrated_engine()) as session:
            for user in list_users(session, actor=SYSTEM):
                state = "active" if user.active else "inactive"
                demo = " (demo)" if user.is_demo else ""
                typer.echo(f"{user.username:<20} {user.role:<14} {state}{demo}")

    @users.command("set-password")
    def set_password_command(
        username: str = typer.Argument(...),
        password: str = typer.Option(
            ..., "--password", prompt=True, hide_input=True, confirmation_prompt=True
        ),
    ) -> None:
        """Reset a user's password and clear any lock-out."""
        try:
            with session_scope(migrated_engine()) as session:
                set_password(session, username=username, password=password, actor=SYSTEM)
        except UserError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(f"Password for {username!r} reset.")

    _register_sso(users)
    app.add_typer(users, name="users")


def _register_sso(users: typer.Typer) -> None:
    """The organisation accounts' commands: the first administrator of a deployment with
    local passwords off is approved here."""

    @users.command("pending")
    def pending_command() -> None:
        """List organisation accounts (single sign-on) waiting for approval, with their ids."""
        with session_scope(migrated_engine()) as session:
            frame = pending_sso_frame(session, principal=SYSTEM)
        for row in frame.itertuples():
            typer.echo(f"{row.id:<6} {row.email or '-':<32} {row.name or '-':<24} {row.groups}")

    @users.command("approve")
    def approve_command(
        identity: int = typer.Argument(..., help="The id `users pending` lists."),
        role: Role = typer.Option(
            ..., "--role", help="admin, coordinator, collaborative, hei or provider."
        ),
        hei: str | None = typer.Option(None, "--hei", help="HEI organisation code (role hei)."),
        organisation: str | None = typer.Option(
            None, "--organisation", help="Provider organisation code (role provider)."
        ),
    ) -> None:
        """Give a waiting organisation account its role (acts as the system administrator)."""
        try:
            with session_scope(migrated_engine()) as session:
                user = approve_sso_account(
                    session,
                    identity_id=identity,
                    role=role,
                    hei_code=hei,
                    actor=SYSTEM,
                    organisation_code=organisation,
                )
                username = user.username
        except UserError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(f"{username!r} can now sign in as {role.value}.")
