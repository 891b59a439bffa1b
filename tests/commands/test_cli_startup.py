"""The command line imports a command's module only when that command runs."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import typer
import typer.main

import tracker.commands
from tracker.cli import COMMANDS, load_command

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("dash", "scipy", "pandas", "sqlalchemy", "sqlmodel", "tracker.commands", "tracker.db")


def _one_line(text: str) -> str:
    return " ".join(text.split("\n\n")[0].split())


def test_command_table_lists_every_command_of_every_module_with_its_own_help() -> None:
    registered: dict[str, tuple[str, str]] = {}
    for info in pkgutil.iter_modules(tracker.commands.__path__):
        module = importlib.import_module(f"tracker.commands.{info.name}")
        holder = typer.Typer()
        module.register(holder)
        for name, command in typer.main.get_group(holder).commands.items():
            registered[name] = (info.name, _one_line(command.help or ""))
    assert set(registered) == set(COMMANDS)
    for name, listed in COMMANDS.items():
        assert registered[name] == (listed.module, _one_line(listed.help)), name
        assert load_command(name).name == name


def test_help_imports_no_command_module() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tracker", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert all(name in done.stdout for name in COMMANDS)
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert not [m for m in imported if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_allocate_runs_without_importing_dash_or_the_database(tmp_path: Path) -> None:
    (tmp_path / "settings.csv").write_text("setting_id,sector,programmes\nA,acute,*\n")
    (tmp_path / "capacity.csv").write_text("setting_id,block,places\nA,1,2\n")
    (tmp_path / "demand.csv").write_text(
        "request_id,hei,programme,block,learners\nr1,U1,nursing,1,3\n"
    )
    script = textwrap.dedent(
        f"""
        import sys
        from tracker.cli import app
        try:
            app(["allocate", "--settings", {str(tmp_path / "settings.csv")!r},
                 "--capacity", {str(tmp_path / "capacity.csv")!r},
                 "--demand", {str(tmp_path / "demand.csv")!r},
                 "--out", {str(tmp_path / "out")!r}])
        except SystemExit as done:
            assert done.code in (0, None), done.code
        loaded = sorted(m for m in sys.modules
                        if m.split(".")[0] in ("dash", "flask", "sqlalchemy", "sqlmodel")
                        or m.startswith(("tracker.db", "tracker.services", "tracker.cache")))
        print("loaded:", loaded)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "loaded: []" in done.stdout, done.stdout
    assert (tmp_path / "out" / "placements.csv").is_file()
