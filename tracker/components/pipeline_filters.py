"""The pipeline pages' filter bar, kept in the page's address so a view can be shared."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, State, dcc, html

from tracker.access import Principal
from tracker.components.alerts import as_of_text
from tracker.components.cards import loading
from tracker.components.sessions import reading
from tracker.queries.pipeline import FilterOptions, PipelineFilters, filter_options
from tracker.vocabulary import FILTERS

Layout = Any


def filter_bar(page: str, choices: FilterOptions, filters: PipelineFilters) -> Layout:
    """Dropdowns for every filter, plus the page's URL (updated without reloading)."""
    cols = []
    for name in PipelineFilters.names():
        offered = [{"label": text, "value": code} for code, text in getattr(choices, name)]
        cols.append(
            dbc.Col(
                [
                    dbc.Label(
                        FILTERS[name], html_for=f"{page}-filter-{name}", class_name="small mb-0"
                    ),
                    dcc.Dropdown(
                        id=f"{page}-filter-{name}",
                        options=offered,
                        value=list(getattr(filters, name)),
                        multi=True,
                        placeholder="All",
                    ),
                ],
                xs=12,
                md=6,
                lg=True,
                className="mb-2",
            )
        )
    return html.Div(
        [dcc.Location(id=f"{page}-url", refresh=False), dbc.Row(cols, className="g-2")],
        className="filter-bar mb-3",
        id=f"{page}-filters",
    )


def filter_inputs(page: str) -> list[Input]:
    return [Input(f"{page}-filter-{name}", "value") for name in PipelineFilters.names()]


def filter_states(page: str) -> list[State]:
    return [State(f"{page}-filter-{name}", "value") for name in PipelineFilters.names()]


#: What a filter dropdown posts: its chosen codes (or one code, or a comma-separated string,
#: which ``PipelineFilters.from_query`` also reads); the callback-input guard checks it.
FilterValue = list[str | int] | str | None


def filters_from_values(values: Sequence[Any]) -> PipelineFilters:
    """The dropdown values, in ``PipelineFilters.names()`` order, as filters."""
    return PipelineFilters.from_query(
        {name: value or [] for name, value in zip(PipelineFilters.names(), values, strict=True)}
    )


def dashboard(
    page: str,
    principal: Principal,
    filters: PipelineFilters,
    header: Layout,
    view: tuple[date | None, Layout],
    *controls: Layout,
) -> Layout:
    """A pipeline dashboard: header, filter bar (the viewer's choices), the page's own
    `controls`, the as-of line and the drawn `view` under a loading state."""
    with reading() as session:
        choices = filter_options(session, principal=principal)
    as_of, content = view
    return html.Div(
        [
            header,
            filter_bar(page, choices, filters),
            *controls,
            html.P(as_of_text(as_of), className="small text-muted", id=f"{page}-as-of"),
            loading(html.Div(content, id=f"{page}-content")),
        ]
    )
