"""Cards and figures in words: stat cards, titled cards (optionally with downloads), loading.

Every card on every page is one of these, so they look and behave alike.
"""

from __future__ import annotations

import math
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from tracker.components.charts import graph
from tracker.components.downloads import download_buttons

Layout = Any


def format_count(value: int | float | str | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return f"{round(value):,}"


def format_money(value: float | None) -> str:
    """Pounds as the pages write them: £12,345 (whole pounds); "–" where not shown."""
    if value is None or value != value:
        return "–"
    return f"£{value:,.0f}"


def format_rate(value: float | None) -> str:
    if value is None or value != value:  # NaN: not shown (e.g. suppressed or no denominator)
        return "–"
    return f"{value:.1%}"


def rate_text(value: float | None) -> str:
    """A rate for a sentence; ".." where it is not shown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ".."
    return f"{value:.1%}"


def stat_card(
    label: str, value: str, note: str | None = None, *, card_id: str | None = None
) -> Layout:
    body = [
        html.Div(value, className="stat-value", id=f"{card_id}-value" if card_id else ""),
        html.Div(label, className="stat-label"),
    ]
    if note:
        body.append(html.Div(note, className="stat-note"))
    return dbc.Card(dbc.CardBody(body), className="stat-card h-100 shadow-sm", id=card_id or "")


def stat_row(cards: list[Layout]) -> Layout:
    return dbc.Row([dbc.Col(card, xs=12, sm=6, lg=3, className="mb-3") for card in cards])


def card(
    title: str,
    body: Layout,
    *,
    download: str | None = None,
    note: str | None = None,
    card_id: str | None = None,
    title_id: str | None = None,
    body_id: str | None = None,
    full_height: bool = False,
) -> Layout:
    """A titled card: CSV/Excel buttons in its header when `download` names their prefix,
    a small note under its body."""
    title_props: dict[str, Any] = {"className": "h6 mb-0"}
    if title_id:
        title_props["id"] = title_id
    header: list[Any] = [html.H2(title, **title_props)]
    if download:
        header.append(download_buttons(download))
    body_props: dict[str, Any] = {"id": body_id} if body_id else {}
    props: dict[str, Any] = {"className": "mb-3 shadow-sm" + (" h-100" if full_height else "")}
    if card_id:
        props["id"] = card_id
    return dbc.Card(
        [
            dbc.CardHeader(
                html.Div(
                    header,
                    className="d-flex justify-content-between align-items-center flex-wrap gap-2",
                )
            ),
            dbc.CardBody(
                [
                    *(body if isinstance(body, list) else [body]),
                    html.P(note, className="small text-muted mt-2 mb-0") if note else None,
                ],
                **body_props,
            ),
        ],
        **props,
    )


def form_card(title: str, fields: list[Layout], *actions: Layout) -> Layout:
    """A card holding a short form: its fields in one row, its buttons (and dialogs) below."""
    return card(title, html.Div([dbc.Row(fields), *actions]))


def chart_card(title: str, body: Layout, note: str | None = None) -> Layout:
    """A chart with its title and a note, as tall as the cards beside it."""
    return card(title, body, note=note, full_height=True)


def graph_card(
    title: str, graph_id: str, figure: Any, *, filename: str, note: str | None = None
) -> Layout:
    """A chart card holding one graph (PNG download named `filename` from its toolbar)."""
    return chart_card(title, graph(graph_id, figure, filename=filename), note)


def chart_row(*charts: Layout, widths: tuple[int, ...] = (6, 6), at: str = "lg") -> Layout:
    """Cards side by side from the Bootstrap breakpoint `at` (``lg``: 992 px; ``xl``: 1200 px,
    for a card that needs the width) in `widths` twelfths each, stacked below it."""
    return dbc.Row(
        [
            dbc.Col(chart, className="mb-3", **{at: w})
            for chart, w in zip(charts, widths, strict=True)
        ]
    )


def table_card(title: str, prefix: str, body: Layout, note: str | None = None) -> Layout:
    """A table with its title, CSV/Excel buttons (ids ``<prefix>-csv`` ...) and a note."""
    return card(title, body, download=prefix, note=note)


def scrolling_box(child: Layout, name: str, max_height: int = 640) -> Layout:
    """`child` in a box at most `max_height` pixels tall that scrolls, so a long chart (a
    calendar of many rows) keeps the page readable around it. The box is a named region in
    the Tab order, so it can be scrolled with the keyboard (WCAG 2.1.1)."""
    attributes: dict[str, Any] = {"aria-label": name}
    return html.Div(
        child,
        style={"maxHeight": f"{max_height}px", "overflowY": "auto"},
        className="scrolling-box",
        tabIndex="0",
        role="region",
        **attributes,
    )


def loading(child: Layout) -> Layout:
    """A spinner over `child` while a callback redraws it (after 300 ms, so quick ones don't
    flicker)."""
    return dcc.Loading(child, type="default", delay_show=300)
