"""The shape the pipeline dashboards share: filters -> principal -> report -> drawn content.

Overview, concerns and cohorts each ask one report service of
``tracker.services.pipeline_reports`` for the same filter bar, draw it inside ``drawn`` and
offer its tables for download. ``pipeline_report`` holds that path once, so a page states
only its service, what it draws and which tables it offers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, Protocol, TypeVar

import pandas as pd
from dash import Input, Output, callback

from tracker.access import Principal
from tracker.components.downloads import chosen_format, send_table
from tracker.components.drawn import drawn
from tracker.components.guard import app_disclosure_policy, callback_principal
from tracker.components.pipeline_filters import (
    FilterValue,
    dashboard,
    filter_inputs,
    filter_states,
    filters_from_values,
)
from tracker.components.sessions import reading
from tracker.queries.pipeline import PipelineFilters


class _Report(Protocol):
    """What every pipeline report offers besides its tables."""

    @property
    def as_of(self) -> date | None: ...

    @property
    def note(self) -> str: ...


R = TypeVar("R", bound=_Report)
Layout = Any


@dataclass(frozen=True)
class PipelineReport(Generic[R]):
    """One dashboard's report service and drawing; options (the concerns page's unit) are
    passed to the service by name and are part of the drawn view's key."""

    page: str
    service: Callable[..., R]
    content: Callable[[R], Layout]

    def report(self, principal: Principal, filters: PipelineFilters, **options: str) -> R:
        """The report for a selection under the deployment's disclosure convention; the
        service's ``cached_report`` finds the app's report cache itself."""
        with reading() as session:
            return self.service(
                session,
                principal=principal,
                filters=filters,
                **options,
                policy=app_disclosure_policy(),
            )

    def view(
        self, principal: Principal, filters: PipelineFilters, **options: str
    ) -> tuple[date | None, Layout]:
        """The as-of date and drawn content for a selection (see ``components.drawn``)."""
        return drawn(
            self.page,
            principal,
            (filters, *options.values()),
            lambda: self.report(principal, filters, **options),
            self.content,
        )

    def layout(
        self,
        principal: Principal,
        filters: PipelineFilters,
        header: Layout,
        *controls: Layout,
        **options: str,
    ) -> Layout:
        """The whole page: header, filter bar, the page's `controls` and the drawn view."""
        view = self.view(principal, filters, **options)
        return dashboard(self.page, principal, filters, header, view, *controls)

    def follow_filters(self, name: str) -> None:
        """Register the callback that redraws the view and rewrites the address when a
        filter changes (for dashboards whose only controls are the filters)."""

        @callback(
            Output(f"{self.page}-content", "children"),
            Output(f"{self.page}-url", "search"),
            *filter_inputs(self.page),
            prevent_initial_call=True,
        )
        def update(*values: FilterValue) -> tuple[Any, str]:
            principal = callback_principal(self.page)
            filters = filters_from_values(values)
            _, content = self.view(principal, filters)
            return content, filters.to_query()

        update.__name__ = name

    def download(
        self,
        prefix: str,
        filename: str,
        table_of: Callable[[R], pd.DataFrame],
        note_of: Callable[[R], str] | None = None,
    ) -> None:
        """Register the CSV/Excel download of one table (buttons ``<page>-<prefix>``), built
        from the same report as the view; `table_of` may raise ``PreventUpdate``."""

        @callback(
            Output(f"{self.page}-{prefix}-download", "data"),
            Input(f"{self.page}-{prefix}-csv", "n_clicks"),
            Input(f"{self.page}-{prefix}-xlsx", "n_clicks"),
            *filter_states(self.page),
            prevent_initial_call=True,
        )
        def download_table(_csv: int | None, _xlsx: int | None, *values: FilterValue) -> Any:
            principal = callback_principal(self.page)
            fmt = chosen_format()
            report = self.report(principal, filters_from_values(values))
            return send_table(
                table_of(report),
                fmt=fmt,
                filename=filename,
                note=note_of(report) if note_of else report.note,
                as_of=report.as_of,
                headers="figures",
            )

        download_table.__name__ = f"download_{prefix.replace('-', '_')}"


def pipeline_report(
    page: str, service: Callable[..., R], content: Callable[[R], Layout]
) -> PipelineReport[R]:
    """The dashboard path of `page`: `service` (a pipeline report) drawn by `content`."""
    return PipelineReport(page, service, content)
