"""The column chooser of wide grids (``components.column_chooser``): every grid of more than
eight columns, on every page a role opens, comes under a labelled checklist of its headings
whose pinned column cannot be unticked, and whose choice persists in the browser."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pytest
from dash import html

from tests.conftest import sign_in_client
from tests.web.test_access_walk import _render
from tracker.components import column_defs, grid
from tracker.components.column_chooser import CHOOSER, chooser_options, summary_text
from tracker.components.grids import PIN_FROM

WIDE = ["setting_id", "name", "organisation", "sector", "lat", "lon", "active", "block", "hei"]


def _walk(node: Any) -> Iterator[Any]:
    """Every component under `node` (a Dash component tree)."""
    yield node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            yield from _walk(child)


def test_a_wide_grid_comes_under_a_chooser_of_its_headings() -> None:
    assert len(WIDE) > PIN_FROM
    drawn = grid("p-grid", WIDE)
    checklist = next(c for c in _walk(drawn) if isinstance(c, dbc.Checklist))
    assert checklist.id == {"type": CHOOSER, "grid": "p-grid"}
    labels = [o["label"] for o in checklist.options]
    assert labels[0] == "Setting code (always shown)"  # the pinned identity, from the vocabulary
    assert "Sector" in labels and "sector" not in labels
    assert [o["disabled"] for o in checklist.options] == [True] + [False] * (len(WIDE) - 1)
    assert checklist.value == WIDE  # everything shown until the user hides some
    assert checklist.persistence is True and checklist.persistence_type == "local"
    legend = next(c for c in _walk(drawn) if isinstance(c, html.Legend))
    assert legend.children == "Columns to show"  # the group is named for screen readers
    assert any(isinstance(c, html.Summary) for c in _walk(drawn))


def test_a_narrow_grid_has_no_chooser() -> None:
    drawn = grid("p-grid", WIDE[:PIN_FROM])
    assert not any(isinstance(c, dbc.Checklist) for c in _walk(drawn))


def test_any_pinned_column_is_always_shown() -> None:
    defs = column_defs(WIDE)
    defs[1]["pinned"] = "left"  # the capacity grid pins the setting's name too
    options = chooser_options(defs)
    assert [o["value"] for o in options if o["disabled"]] == ["setting_id", "name"]


def test_the_closed_chooser_says_whether_columns_are_hidden() -> None:
    assert summary_text(9, 9) == "Columns: all 9 shown"
    assert summary_text(7, 9) == "Columns: 7 of 9 shown"


def _grids(layout: Any) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Each AG Grid in a rendered layout (JSON) with the ids of the choosers beside it."""
    if isinstance(layout, list):
        for item in layout:
            yield from _grids(item)
        return
    if not isinstance(layout, dict):
        return
    props = layout.get("props", {})
    kids = props.get("children")
    siblings = kids if isinstance(kids, list) else [kids]
    choosers = [c["grid"] for s in siblings for c in _chooser_ids(s)]
    for s in siblings:
        if isinstance(s, dict) and s.get("type") == "AgGrid":
            yield s["props"], choosers
    for value in props.values():
        if isinstance(value, dict | list):
            yield from _grids(value)


def _chooser_ids(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _chooser_ids(item)
    elif isinstance(node, dict):
        ident = node.get("props", {}).get("id")
        if isinstance(ident, dict) and ident.get("type") == CHOOSER:
            yield ident
        for value in node.get("props", {}).values():
            if isinstance(value, dict | list):
                yield from _chooser_ids(value)


@pytest.mark.parametrize("role", ["admin", "hei"])
def test_every_wide_grid_on_every_page_offers_the_chooser(web_app: Any, role: str) -> None:
    client = web_app.server.test_client()
    sign_in_client(client, role)
    wide: list[str] = []
    for page in dash.page_registry.values():  # a page the role may not open shows no grid
        body = json.loads(_render(client, page["path"], "").text)
        for props, choosers in _grids(body["response"]["_pages_content"]["children"]):
            if len(props.get("columnDefs", [])) > PIN_FROM:
                wide.append(props["id"])
                assert props["id"] in choosers, f"{page['path']}: {props['id']} has no chooser"
    assert wide, "no wide grid found: the walk read no page"
