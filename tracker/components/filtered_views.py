"""A page's filter controls and what they choose: its views and downloads read the same.

Register pages (settings, capacity, requests, audits, placements) read one register query with
the values of a few filter dropdowns; report pages (the calendar, capacity against demand) read
one report with theirs and offer several of its tables as CSV/Excel. Either way a page declares
its controls once (id and the type of value each posts) and its read, and every callback and
download made here asks that read with the controls' values.

The read is called ``read(principal, **chosen)``: a keyword per control, named as the control
(``<page>-<name>``), so a read whose query names its filters as the page does passes them on
as they are. A cleared multi-select posts ``None``; the read gets ``[]`` (no filter) instead.

The callback-input guard (``tracker.callback_inputs``) checks each posted value against the
callback's parameter hints, so the callbacks made here carry one named, typed parameter per
control (``typed``), exactly as a hand-written callback would.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

import pandas as pd
from dash import State, callback

from tracker.components.downloads import chosen_format, send_table, table_download
from tracker.components.guard import callback_principal

#: A reload trigger's value: a store's counter or a button's click count.
Count = int | None
Headers = Literal["labels", "figures", "codes"]


def typed(func: Callable[..., Any], params: Sequence[tuple[str, Any]]) -> None:
    """Give `func` (which takes ``*values``) the named, hinted parameters the guard checks."""
    parameter = inspect.Parameter.POSITIONAL_OR_KEYWORD
    signature = inspect.Signature(
        [inspect.Parameter(n, parameter, annotation=h) for n, h in params]
    )
    setattr(func, "__signature__", signature)  # noqa: B010 (a function's signature override)
    func.__annotations__ = {**dict(params), "return": Any}


def register(
    func: Callable[..., Any],
    name: str,
    params: Sequence[tuple[str, Any]],
    *dependencies: Any,
    **options: Any,
) -> None:
    """Register `func` (which takes ``*values``) as the callback `name` of `dependencies`,
    its values named and hinted by `params` (``typed``) for the guard."""
    typed(func, params)
    func.__name__ = name
    callback(*dependencies, **options)(func)


def _is_multi(hint: Any) -> bool:
    """Whether a control's hint admits a list (a multi-select dropdown)."""
    return get_origin(hint) is list or any(get_origin(arg) is list for arg in get_args(hint))


@dataclass(frozen=True)
class FilteredView:
    """The filter controls ``<page>-<name>`` (name -> the type of its value, in order) and
    `read(principal, **chosen)`: what those values choose (register rows, a report)."""

    page: str
    controls: Mapping[str, Any]
    read: Callable[..., Any]

    def read_values(self, principal: Any, *values: Any) -> Any:
        """What the controls' `values` (in declaration order) choose, for `principal`."""
        chosen = {
            name: [] if value is None and _is_multi(hint) else value
            for (name, hint), value in zip(self.controls.items(), values, strict=True)
        }
        return self.read(principal, **chosen)

    def states(self) -> list[State]:
        """The controls' values as a callback's state."""
        return [State(f"{self.page}-{control}", "value") for control in self.controls]

    def download_table(
        self,
        name: str,
        table: str,
        frame: Callable[[Any], pd.DataFrame],
        filename: str | Callable[..., str],
        note: str | None = None,
        headers: Headers = "labels",
    ) -> None:
        """Register the download behind the buttons ``<page>-<table>`` (a card's
        ``download=``): `frame` of what the controls choose, as saved (what a grid holds
        unsaved is not in the file); `filename` may be made from the controls' values."""

        def download(_csv: Count, _xlsx: Count, *values: Any) -> Any:
            principal = callback_principal(self.page)
            fmt = chosen_format()
            return send_table(
                frame(self.read_values(principal, *values)),
                fmt=fmt,
                filename=filename(*values) if callable(filename) else filename,
                note=note,
                headers=headers,
            )

        register(
            download,
            name,
            [("_csv", Count), ("_xlsx", Count), *self.controls.items()],
            *table_download(f"{self.page}-{table}"),
            *self.states(),
            prevent_initial_call=True,
        )
