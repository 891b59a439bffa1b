"""``python -m tracker ...``: thin commands over the services.

Each module in ``tracker.commands`` exposes ``register(app)``. The command line imports a
command's module only when that command runs: importing them all (and with them the app, the
caches, SciPy and the database layer) made ``--help`` take seconds and made ``allocate`` load
Dash. So this file lists each command's name, module and one-line help in :data:`COMMANDS`;
adding a command means adding its line here (a test checks the table against the modules).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Listed:
    """A command as ``--help`` lists it, before its module is imported."""

    module: str
    help: str


COMMANDS: Mapping[str, Listed] = MappingProxyType(
    {
        "allocate": Listed(
            "allocate",
            "Allocate learners to placement settings: most placed, then fair between HEIs, "
            "then fair between sectors, then least travel. Exits 0 whenever a plan was produced.",
        ),
        "assign": Listed(
            "assign",
            "Give each placed learner a place, a practice supervisor and a practice assessor (or "
            "a practice educator), obeying audits, readiness, fields, preparation and staff "
            "limits. Exits 0 whenever it produced assignments, 2 on invalid input.",
        ),
        "backup": Listed(
            "backup",
            "Write every row of the database of TRACKER_DATABASE_URL to one portable file.",
        ),
        "restore": Listed(
            "backup", "Restore a backup into the (empty) database of TRACKER_DATABASE_URL."
        ),
        "demo": Listed(
            "demo",
            "Create demo data (HEIs, learners, settings, capacity, requests) in an empty database.",
        ),
        "template": Listed(
            "imports",
            "Write an empty CSV template: a header row and a '#' row describing each column.",
        ),
        "import": Listed(
            "imports",
            "Import a CSV or Excel file: every row is written, or none if any row has a problem.",
        ),
        "cache": Listed("cache", "The shared cache of dashboard figures."),
        "rebuild-status": Listed(
            "learner_status",
            "Rebuild the learner status projection (learner_status) from the learner events.",
        ),
        "db": Listed("database", "Database schema: upgrade to the latest migration."),
        "export": Listed("export", "Export figures to CSV or Excel files."),
        "users": Listed("users", "Manage sign-in accounts."),
        "api-token": Listed("api_tokens", "Manage HEI systems' API tokens."),
        "send-mail": Listed(
            "mail",
            "Send queued e-mail notifications over SMTP (TRACKER_SMTP_HOST), with retries; "
            "--once for one pass.",
        ),
        "outlook": Listed(
            "outlook",
            "Project completions and local posts per profession group, field and year, with "
            "80% intervals, from the learners in training and the planned intakes.",
        ),
        "expansion": Listed(
            "expansion",
            "The fewest (or cheapest) extra practice supervisors, and where, that let the "
            "allocator place a scenario year's learners. Exits 0 whenever a plan was "
            "produced, 2 on invalid input.",
        ),
    }
)
"""Command name -> the module under ``tracker.commands`` that registers it, and its help."""


def load_command(name: str) -> Any:
    """The click command ``name``, built by importing its module and calling ``register``."""
    module = importlib.import_module(f"tracker.commands.{COMMANDS[name].module}")
    holder = typer.Typer()
    module.register(holder)
    return typer.main.get_group(holder).commands[name]


class LazyGroup(TyperGroup):
    """Lists every command from :data:`COMMANDS` and imports one only to run it.

    ``self.commands`` holds light stand-ins carrying the listed help, so ``--help``, "did
    you mean" suggestions and completion work unchanged; :meth:`resolve_command` swaps in
    the real command when one is about to run.
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, listed in COMMANDS.items():
            self.commands[name] = TyperCommand(name=name, help=listed.help, short_help=listed.help)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name is not None and name in COMMANDS:
            command = load_command(name)
        return name, command, rest


app = typer.Typer(
    name="tracker",
    cls=LazyGroup,
    # plain help: Typer's rich help imports rich's Markdown stack, which alone took longer
    # than the whole start-up budget of --help
    rich_markup_mode=None,
    help="Placement & Pipeline Tracker: learner pipeline, placement capacity, fair allocation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _tracker() -> None:
    """No options of its own (Typer needs a callback to build a group with no commands yet)."""


def main() -> None:
    app()
