"""Blocks of a large table for grids that load rows as the user scrolls (AG Grid's infinite
row model): sorted and filtered on the server, sent a block at a time.

Sending 60,000 learners to a browser at once cost seconds of server time and tens of
megabytes per page; a block of a hundred rows costs milliseconds. Requests come from the
browser, so anything unexpected in them (unknown columns, odd types) is ignored rather
than trusted: the answer only ever contains rows and columns of the frame it was given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import pandas as pd

#: The most rows one request may ask for, whatever its startRow and endRow say.
MAX_BLOCK_ROWS = 1000

_TEXT_TESTS: Mapping[str, Callable[[pd.Series, str], pd.Series]] = MappingProxyType(
    {
        "contains": lambda s, v: s.str.contains(v, regex=False),
        "notContains": lambda s, v: ~s.str.contains(v, regex=False),
        "equals": lambda s, v: s == v,
        "notEqual": lambda s, v: s != v,
        "startsWith": lambda s, v: s.str.startswith(v),
        "endsWith": lambda s, v: s.str.endswith(v),
        "blank": lambda s, _v: s == "",
        "notBlank": lambda s, _v: s != "",
    }
)


def display_text(values: pd.Series) -> pd.Series:
    """Cells as the grid shows them: ISO dates, whole numbers, blank for missing."""
    if pd.api.types.is_datetime64_any_dtype(values):
        text = values.dt.strftime("%Y-%m-%d")
    else:
        text = values.astype(object).map(str)
    return text.where(values.notna(), "").astype(object)


def _condition(text: pd.Series, condition: Any) -> pd.Series | None:
    if not isinstance(condition, Mapping):
        return None
    test = _TEXT_TESTS.get(str(condition.get("type")))
    if test is None:
        return None
    return test(text.str.lower(), str(condition.get("filter") or "").lower())


def _column_mask(text: pd.Series, model: Any) -> pd.Series | None:
    """One column's filter: a single condition, or several joined by AND / OR."""
    if not isinstance(model, Mapping):
        return None
    if "operator" not in model:
        return _condition(text, model)
    conditions = model.get("conditions") or [model.get("condition1"), model.get("condition2")]
    masks = [m for m in (_condition(text, c) for c in conditions) if m is not None]
    if not masks:
        return None
    combined = masks[0]
    for mask in masks[1:]:
        combined = (combined | mask) if model.get("operator") == "OR" else (combined & mask)
    return combined


def _row(request: Mapping[str, Any], key: str, default: int) -> int:
    try:
        return max(int(request.get(key, default)), 0)
    except (TypeError, ValueError):
        return default


def grid_block(frame: pd.DataFrame, request: Any) -> dict[str, Any]:
    """The rows a grid asked for (``getRowsRequest``) as its ``getRowsResponse``.

    Filters are matched case-insensitively on the text shown; sorting uses the underlying
    values (dates as dates, years as numbers), missing values last. ``rowCount`` is the
    number of rows after filtering, so the grid's scroll bar fits the filtered table.
    """
    request = request if isinstance(request, Mapping) else {}
    keep = pd.Series(True, index=frame.index)
    filters = request.get("filterModel")
    for col, model in filters.items() if isinstance(filters, Mapping) else []:
        if col in frame.columns:
            mask = _column_mask(display_text(frame[col]), model)
            if mask is not None:
                keep &= mask
    chosen = frame.loc[keep]
    sorts = request.get("sortModel")
    order = [
        (s["colId"], s.get("sort") != "desc")
        for s in (sorts if isinstance(sorts, list) else [])
        if isinstance(s, Mapping) and s.get("colId") in frame.columns
    ]
    if order:
        chosen = chosen.sort_values(
            [c for c, _ in order],
            ascending=[a for _, a in order],
            na_position="last",
            kind="stable",
        )
    start = _row(request, "startRow", 0)
    end = min(_row(request, "endRow", start + 100), start + MAX_BLOCK_ROWS)
    block = chosen.iloc[start:end]
    rows = pd.DataFrame({col: display_text(block[col]) for col in block.columns})
    return {"rowData": rows.to_dict("records"), "rowCount": len(chosen)}
