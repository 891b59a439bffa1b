"""``api-token create`` / ``revoke`` / ``list``: HEI systems' keys to the JSON API."""

from __future__ import annotations

import typer

from tracker.access import SYSTEM
from tracker.commands.users import migrated_engine
from tracker.db import session_scope
from tracker.services.api_tokens import (
    TokenError,
    TokenScope,
    create_api_token,
    list_api_tokens,
    revoke_api_token,
)


def register(app: typer.Typer) -> None:
    tokens = typer.Typer(help="Manage HEI systems' API tokens.", no_args_is_help=True)

    @tokens.command("create")
    def create(
        hei: str = typer.Option(..., "--hei", help="The HEI's organisation code."),
        scope: TokenScope = typer.Option(..., "--scope", help="read, or write (also imports)."),
        label: str = typer.Option("", "--label", help="What the token is for (shown in list)."),
    ) -> None:
        """Create a token and print its secret once: it is stored only as a hash."""
        try:
            with session_scope(migrated_engine()) as session:
                new = create_api_token(
                    session, hei_code=hei, scope=scope, actor=SYSTEM, label=label
                )
        except TokenError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(f"API token {new.token_id} for {new.hei_code} ({new.scope.value}):", err=True)
        typer.echo(new.secret)
        typer.echo("Keep it now: it cannot be shown again.", err=True)

    @tokens.command("revoke")
    def revoke(token_id: int = typer.Argument(..., help="The token's number (see list).")) -> None:
        """Revoke a token: its next request is refused."""
        try:
            with session_scope(migrated_engine()) as session:
                revoke_api_token(session, token_id=token_id, actor=SYSTEM)
        except TokenError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(f"API token {token_id} revoked.")

    @tokens.command("list")
    def list_command() -> None:
        """List tokens: number, HEI, scope, label, last used, revoked (never the secret)."""
        with session_scope(migrated_engine()) as session:
            for t in list_api_tokens(session, actor=SYSTEM):
                state = f"revoked {t['revoked_at']:%Y-%m-%d}" if t["revoked_at"] else "active"
                used = f"used {t['last_used_at']:%Y-%m-%d %H:%M}" if t["last_used_at"] else "unused"
                typer.echo(
                    f"{t['id']:>4} {t['hei']:<10} {t['scope']:<6} {state:<18} {used}  {t['label']}"
                )

    app.add_typer(tokens, name="api-token")
