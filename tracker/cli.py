"""``python -m tracker ...``: thin commands over the services.

Each module in ``tracker.commands`` exposes ``register(app)``; adding a command never means
editing this file.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

import tracker.commands

app = typer.Typer(
    name="tracker",
    help="Placement & Pipeline Tracker: learner pipeline, placement capacity, fair allocation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_commands() -> None:
    for module_info in sorted(
        pkgutil.iter_modules(tracker.commands.__path__), key=lambda m: m.name
    ):
        module = importlib.import_module(f"tracker.commands.{module_info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(app)


_register_commands()


def main() -> None:
    app()
