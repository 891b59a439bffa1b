"""Saved scenarios on the Outlook page in a real browser: a coordinator saves two applied
scenarios under names, compares them with the baseline (chart, table, CSV of the table),
exports the applied scenario as the command line's JSON file, and loads a saved one back
into the editor."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import BrowserPage

pytestmark = pytest.mark.browser

TRACES = """() => {
    const graph = document.querySelector('#outlook-compare-chart .js-plotly-plot');
    return graph && graph.data ? graph.data.map((t) => t.name) : [];
}"""


def _apply(page: Any, percent: str) -> None:
    page.fill("#outlook-intake_percent", percent)
    page.fill("#outlook-intake_by", "2029")
    page.click("#outlook-apply")
    page.wait_for_selector(f"#outlook-scenario-message :text('{percent}%')")


def _save(page: Any, name: str) -> None:
    page.fill("#outlook-save-name", name)
    page.check("#outlook-save-replace")  # the browser session's database may hold it already
    page.click("#outlook-save")
    page.wait_for_selector(f"#outlook-saved-message :text(\"as '{name}'\")", timeout=30_000)


def _choose(page: Any, dropdown_id: str, name: str) -> None:
    page.click(f"#{dropdown_id}")
    page.wait_for_selector("[role=option]")
    page.keyboard.type(name)
    page.get_by_role("option", name=re.compile(re.escape(name))).first.click()
    page.keyboard.press("Escape")


def _downloaded(page: Any, button: str) -> tuple[str, str]:
    with page.expect_download(timeout=120_000) as download:  # computed again: seconds
        page.click(button)
    path = Path(download.value.path())
    return download.value.suggested_filename, path.read_text(encoding="utf-8-sig")


def test_save_compare_export_and_load_scenarios(browser_page: BrowserPage) -> None:
    browser_page.sign_in("coordinator")
    browser_page.goto("/outlook")
    page: Any = browser_page.page
    page.wait_for_selector("h1:has-text('Workforce outlook')")
    _apply(page, "20")
    _save(page, "Browser growth 20")
    _apply(page, "45")
    _save(page, "Browser growth 45")

    for name in ("Browser growth 20", "Browser growth 45"):
        _choose(page, "outlook-compare-choice", name)
    page.click("#outlook-compare")
    page.wait_for_selector("#outlook-compare-message :text('side by side')", timeout=120_000)
    page.wait_for_selector("#outlook-compare-table .ag-row", timeout=30_000)
    assert page.evaluate(TRACES) == ["Baseline", "Browser growth 20", "Browser growth 45"]
    headers = page.inner_text("#outlook-compare-table .ag-header")
    for heading in ("Measure", "Baseline", "Browser growth 20", "Browser growth 45"):
        assert heading in headers

    filename, text = _downloaded(page, "#outlook-compare-file-csv")
    assert filename == "scenario-comparison.csv"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and set(rows[0]) == {
        "Measure",
        "Field or sector",
        "Year",
        "Baseline",
        "Browser growth 20",
        "Browser growth 45",
    }
    assert {"Completions", "Taking a local post", "Placements needed", "Placement shortfall"} == {
        r["Measure"] for r in rows
    }
    # the coordinator sees controlled figures: every shown completion a multiple of 5
    shown = [
        float(r[c])
        for r in rows
        if r["Measure"] == "Completions"
        for c in ("Baseline", "Browser growth 45")
        if r[c]
    ]
    assert shown and all(v % 5 == 0 for v in shown)
    assert sum(
        float(r["Browser growth 45"] or 0) for r in rows if r["Measure"] == "Completions"
    ) > sum(float(r["Baseline"] or 0) for r in rows if r["Measure"] == "Completions")

    page.fill("#outlook-save-name", "Browser growth 45")
    filename, text = _downloaded(page, "#outlook-export")
    assert filename == "browser-growth-45.json"
    assert json.loads(text) == {
        "intake_change": {"*": {"by_year": 2029, "percent": 45.0, "shape": "linear"}}
    }

    _choose(page, "outlook-saved", "Browser growth 20")
    page.click("#outlook-load")
    page.wait_for_selector("#outlook-scenario-message :text(\"Loaded 'Browser growth 20'\")")
    assert page.input_value("#outlook-intake_percent") == "20"
    assert not browser_page.console_errors, browser_page.console_errors
