"""Shared UI pieces: page guard, page header, stat cards, notices.

Pages compose these and call services/queries; nothing here touches the database.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
import plotly.io as pio
from dash import dcc, html
from dash.exceptions import PreventUpdate

from tracker.access import Principal, can_view_page
from tracker.auth import current_principal

Layout = Any

#: The house chart style: plotly_white's look in the few settings it needs. plotly_white
#: itself is deep-copied and validated into every figure (about 25 ms each, a third of a
#: dashboard's rendering) and adds 6 KB to each figure sent; this template costs neither.
CHART_TEMPLATE = "tracker"
_GRID = "#EBF0F8"
_AXIS = {
    "gridcolor": _GRID,
    "linecolor": _GRID,
    "zerolinecolor": _GRID,
    "zerolinewidth": 2,
    "automargin": True,
    "ticks": "",
    "title": {"standoff": 15},
}
pio.templates[CHART_TEMPLATE] = go.layout.Template(
    layout={
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "hoverlabel": {"align": "left"},
        "colorway": list(pio.templates["plotly"].layout.colorway),
    }
)
pio.templates.default = CHART_TEMPLATE


def forbidden() -> Layout:
    return dbc.Alert(
        [
            html.H4("Not available to your role", className="alert-heading"),
            html.P("Ask an administrator if you need access to this page."),
        ],
        color="warning",
        id="page-forbidden",
    )


def page_guard(page_key: str) -> Callable[[Callable[..., Layout]], Callable[..., Layout]]:
    """Wrap a page's ``layout(principal, **query)`` so that only permitted roles reach it."""

    def decorate(build: Callable[..., Layout]) -> Callable[..., Layout]:
        @functools.wraps(build)
        def layout(**query: Any) -> Layout:
            principal = current_principal()
            if not can_view_page(principal, page_key):
                return forbidden()
            return build(principal, **query)

        return layout

    return decorate


def callback_principal(page_key: str) -> Principal:
    """The caller of a callback, refused (silently: no update) if its role lacks the page."""
    principal = current_principal()
    if not can_view_page(principal, page_key):
        raise PreventUpdate
    return principal


def page_header(title: str, subtitle: str | None = None, *actions: Layout) -> Layout:
    return html.Div(
        [
            html.Div(
                [
                    html.H1(title, className="h3 page-title mb-1"),
                    html.P(subtitle, className="text-muted mb-0") if subtitle else None,
                ],
            ),
            html.Div(list(actions), className="d-flex gap-2 align-items-start"),
        ],
        className="d-flex justify-content-between align-items-start mb-3 flex-wrap gap-2",
    )


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


def notice(text: str, *, color: str = "info", component_id: str | None = None) -> Layout:
    props: dict[str, Any] = {"color": color, "className": "py-2 disclosure-note"}
    if component_id:
        props["id"] = component_id
    return dbc.Alert(text, **props)


def format_count(value: int | float | str | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return f"{round(value):,}"


def format_rate(value: float | None) -> str:
    if value is None or value != value:  # NaN: not shown (e.g. suppressed or no denominator)
        return "–"
    return f"{value:.1%}"


def loading(child: Layout) -> Layout:
    return dcc.Loading(child, type="default", delay_show=300)


def download_buttons(prefix: str, label: str = "Download") -> Layout:
    """CSV and Excel buttons plus their ``dcc.Download``; ids ``<prefix>-csv``,
    ``<prefix>-xlsx`` and ``<prefix>-download``. The page's callback builds the file with
    ``tracker.exports`` from the same figures it shows, under the same disclosure rules."""
    return html.Div(
        [
            dbc.Button(
                [html.I(className="bi bi-filetype-csv me-1"), f"{label} CSV"],
                id=f"{prefix}-csv",
                size="sm",
                color="secondary",
                outline=True,
            ),
            dbc.Button(
                [html.I(className="bi bi-file-earmark-excel me-1"), f"{label} Excel"],
                id=f"{prefix}-xlsx",
                size="sm",
                color="secondary",
                outline=True,
            ),
            dcc.Download(id=f"{prefix}-download"),
        ],
        className="d-flex gap-2",
    )


def plain_figure(figure: Any) -> Any:
    """A plotly figure as the dict Dash would send, so rendered pages can be cached and read
    back without plotly re-validating every figure."""
    return figure.to_plotly_json() if isinstance(figure, go.Figure) else figure


def graph(graph_id: str, figure: Any = None, *, filename: str = "chart") -> Layout:
    """A chart whose toolbar downloads a PNG under a meaningful file name."""
    return dcc.Graph(
        id=graph_id,
        figure=plain_figure(figure) if figure is not None else {},
        config={
            "displaylogo": False,
            "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        },
    )
