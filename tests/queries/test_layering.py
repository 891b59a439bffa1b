"""Arrows point down: reads and data never import the use cases above them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "tracker"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize(
    "path",
    # the importers' own audit call moves into a service of its own separately
    [p for p in _modules("queries", "data") if "importers" not in p.parts]
    + [ROOT / "snapshots.py", ROOT / "clock.py", ROOT / "cache.py", ROOT / "access.py"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_reads_data_and_lower_layers_import_no_service(path: Path) -> None:
    upward = {
        m for m in _imports(path) if m == "tracker.services" or m.startswith("tracker.services.")
    }
    assert not upward, f"{path.relative_to(ROOT)} imports {sorted(upward)}"
