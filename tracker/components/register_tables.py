"""A register page's table: its filter controls load the grid, and download the same rows.

Settings, capacity, requests, audits and placements each read one register query with the
values of a few filter dropdowns (a ``FilteredView``), show the rows in ``<page>-grid`` and
offer them as CSV/Excel from the buttons ``<page>-table``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dash import Input, Output

from tracker.components.filtered_views import Count, FilteredView, Headers, register
from tracker.components.grids import records
from tracker.components.guard import callback_principal
from tracker.components.registers import follow_search


class RegisterTable(FilteredView):
    """A register's filter controls and read (rows as a DataFrame), with its grid."""

    def follow(
        self,
        name: str,
        *triggers: Input,
        columns: Sequence[str] | None = None,
        when: Callable[..., bool] | None = None,
    ) -> None:
        """Register the callback that loads ``<page>-grid`` when a control changes or a
        `trigger` fires (a save's counter, a discard button); no rows unless `when` holds."""

        def load(*values: object) -> object:
            principal = callback_principal(self.page)
            chosen = values[: len(self.controls)]
            if when is not None and not when(*chosen):
                return []
            frame = self.read_values(principal, *chosen)
            return records(frame if columns is None else frame[list(columns)])

        triggered = [(f"_{str(t.component_id).rpartition('-')[2]}", Count) for t in triggers]
        register(
            load,
            name,
            [*self.controls.items(), *triggered],
            Output(f"{self.page}-grid", "rowData"),
            *[Input(f"{self.page}-{control}", "value") for control in self.controls],
            *triggers,
        )

    def follow_edits(self, name: str) -> None:
        """The grid of a register edited on its page: loaded as the controls change and after
        every save (``<page>-refresh``), filtered as the user types in ``<page>-search``."""
        self.follow(name, Input(f"{self.page}-refresh", "data"))
        follow_search(self.page)

    def download(
        self,
        name: str,
        columns: Sequence[str],
        filename: str | Callable[..., str],
        note: str | None = None,
        headers: Headers = "labels",
    ) -> None:
        """Register the download of the rows the controls choose (buttons ``<page>-table``),
        as saved: what the grid holds unsaved is not in the file."""
        self.download_table(
            name, "table", lambda rows: rows[list(columns)], filename, note, headers
        )
