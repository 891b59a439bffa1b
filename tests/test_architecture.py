"""The arrows of docs/architecture.md, checked on the source: pages reach the database only
through the UI kit, and reads never depend on use cases."""

from __future__ import annotations

import ast
from pathlib import Path

TRACKER = Path(__file__).resolve().parents[1] / "tracker"

#: What a page may never import: sessions, engines, caches and tables are the kit's business
#: (``tracker.components.sessions``, ``drawn``), options come from ``tracker.vocabulary``.
PAGE_FORBIDDEN = (
    "sqlmodel",
    "sqlalchemy",
    "tracker.db",
    "tracker.cache",
    "tracker.models",
    "tracker.auth",
    "tracker.jobs",
    "tracker.exports",
)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports (``from a.b import c`` counts as ``a.b`` and ``a.b.c``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _offending(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path.parent.name}/{path.name} imports {name}"
        for path in paths
        for name in _imports(path)
        if any(name == f or name.startswith(f"{f}.") for f in forbidden)
    )


def test_pages_never_open_sessions_or_import_storage() -> None:
    pages = sorted((TRACKER / "pages").glob("*.py"))
    assert len(pages) > 10
    assert _offending(pages, PAGE_FORBIDDEN) == []


def test_pages_share_one_ui_kit() -> None:
    """No shared kits beside the pages: a private module serves one page (``_<page>_*.py``);
    every piece two pages share lives in tracker/components."""
    pages = {p.stem for p in (TRACKER / "pages").glob("[!_]*.py")}
    private = sorted(p.stem for p in (TRACKER / "pages").glob("_*.py") if p.stem != "__init__")
    assert [m for m in private if not any(m.startswith(f"_{page}_") for page in pages)] == []
    assert not (TRACKER / "components.py").exists()


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    page = tmp_path / "page.py"
    page.write_text("from sqlmodel import Session\nimport tracker.db\n", encoding="utf-8")
    assert len([n for n in _imports(page) if n.startswith(("sqlmodel", "tracker.db"))]) == 3


def test_reads_never_import_use_cases() -> None:
    reads = sorted((TRACKER / "queries").rglob("*.py")) + sorted((TRACKER / "data").rglob("*.py"))
    assert _offending(reads, ("tracker.services",)) == []
