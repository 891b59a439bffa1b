"""A register page's table: its filter controls load the grid, and download the same rows.

Settings, capacity, requests and placements each read one register query with the values of
a few filter dropdowns, show the rows in ``<page>-grid`` and offer them as CSV/Excel. The
callbacks differ only in which controls there are and what the query is, so a page declares
its controls once (id and the type of value each posts) and this module registers both.

The callback-input guard (``tracker.callback_inputs``) checks each posted value against the
callback's parameter hints, so the callbacks made here carry one named, typed parameter per
control (``_typed``), exactly as a hand-written callback would.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
from dash import Input, Output, State, callback

from tracker.components.downloads import chosen_format, send_table
from tracker.components.grids import records
from tracker.components.guard import callback_principal
from tracker.components.registers import table_download

#: A reload trigger's value: a store's counter or a button's click count.
Count = int | None


def _typed(func: Callable[..., Any], params: Sequence[tuple[str, Any]]) -> None:
    """Give `func` (which takes ``*values``) the named, hinted parameters the guard checks."""
    parameter = inspect.Parameter.POSITIONAL_OR_KEYWORD
    signature = inspect.Signature(
        [inspect.Parameter(n, parameter, annotation=h) for n, h in params]
    )
    setattr(func, "__signature__", signature)  # noqa: B010 (a function's signature override)
    func.__annotations__ = {**dict(params), "return": Any}


@dataclass(frozen=True)
class RegisterTable:
    """The filter controls ``<page>-<name>`` (name -> the type of its value, in order) and
    `read(principal, *values)`: the register rows those values choose."""

    page: str
    controls: Mapping[str, Any]
    read: Callable[..., pd.DataFrame]

    def _params(self) -> list[tuple[str, Any]]:
        return list(self.controls.items())

    def follow(
        self,
        name: str,
        *triggers: Input,
        columns: Sequence[str] | None = None,
        when: Callable[..., bool] | None = None,
    ) -> None:
        """Register the callback that loads ``<page>-grid`` when a control changes or a
        `trigger` fires (a save's counter, a discard button); no rows unless `when` holds."""

        def load(*values: Any) -> Any:
            principal = callback_principal(self.page)
            chosen = values[: len(self.controls)]
            if when is not None and not when(*chosen):
                return []
            frame = self.read(principal, *chosen)
            return records(frame if columns is None else frame[list(columns)])

        triggered = [(f"_{str(t.component_id).rpartition('-')[2]}", Count) for t in triggers]
        _typed(load, [*self._params(), *triggered])
        load.__name__ = name
        callback(
            Output(f"{self.page}-grid", "rowData"),
            *[Input(f"{self.page}-{control}", "value") for control in self.controls],
            *triggers,
        )(load)

    def download(
        self,
        name: str,
        columns: Sequence[str],
        filename: str | Callable[..., str],
        note: str | None = None,
        headers: Literal["labels", "figures", "codes"] = "labels",
    ) -> None:
        """Register the download of the rows the controls choose (buttons ``<page>-table``),
        as saved: what the grid holds unsaved is not in the file."""

        def download_table(_csv: int | None, _xlsx: int | None, *values: Any) -> Any:
            principal = callback_principal(self.page)
            fmt = chosen_format()
            return send_table(
                self.read(principal, *values)[list(columns)],
                fmt=fmt,
                filename=filename(*values) if callable(filename) else filename,
                note=note,
                headers=headers,
            )

        _typed(download_table, [("_csv", Count), ("_xlsx", Count), *self._params()])
        download_table.__name__ = name
        callback(
            *table_download(f"{self.page}-table"),
            *[State(f"{self.page}-{control}", "value") for control in self.controls],
            prevent_initial_call=True,
        )(download_table)
