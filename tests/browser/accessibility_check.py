"""axe-core, injected into a page, and a readable report of its serious and critical findings.

The script is axe-core's own ``axe.min.js`` as the npm package ships it, taken from the
``axe-playwright-python`` wheel (a test dependency). The app's Content-Security-Policy would
block an injected script, so the browser context that runs axe is made with ``bypass_csp``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = frozenset({"serious", "critical"})


def axe_script() -> Path:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).parent / "axe.min.js"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe's violations of WCAG 2.0/2.1/2.2 A and AA on the page as it stands."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    # A grid AG Grid has not laid out yet (``ag-delay-render``: it waits for its box to have a
    # size) holds a half-built header; the drawn grids around it are what people use, and
    # are checked. Everything else on the page is. The app repairs library markup once a
    # frame after the page changes (assets/60_accessibility.js), so axe runs after two frames:
    # on a loaded machine it once ran between a callback's new dropdowns and their repair.
    result = page.evaluate(
        """async (tags) => {
            await new Promise((done) =>
                requestAnimationFrame(() => requestAnimationFrame(done)));
            return axe.run(
                {include: [document], exclude: [['.ag-delay-render']]},
                {runOnly: {type: 'tag', values: tags}});
        }""",
        WCAG_TAGS,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def blocking_report(where: str, violations: list[dict[str, Any]]) -> list[str]:
    """One line per serious or critical finding: page, rule, impact, element and help."""
    lines = []
    for violation in violations:
        if violation.get("impact") not in BLOCKING:
            continue
        for node in violation["nodes"][:5]:
            lines.append(
                f"{where}: {violation['id']} ({violation['impact']}) at {node['target']}: "
                f"{violation['help']} — {node.get('failureSummary', '').splitlines()[-1:]}"
            )
    return lines
