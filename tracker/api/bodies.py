"""An import's body as the importers' table: JSON rows or a CSV file, every cell a string.

JSON objects become rows in order (the first is row 2, as in a file under its header row), each
key a column; a key missing from one object is an empty cell there. Only strings, numbers,
booleans and null may be values: anything nested is refused before the importers see it, as is
a body over the import limits.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from tracker.data.importers import ImportLimits, read_table
from tracker.refusals import Refused

CSV_TYPES = frozenset({"text/csv", "text/plain", "application/csv"})


class BadBody(Refused):
    """The body is not rows we can import; ``status`` is the HTTP answer (400 or 415)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _cell(value: Any, row: int, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise BadBody(f"Row {row}, {key[:40]!r}: values must be text, numbers, true/false or null.")


def _json_frame(body: bytes, limits: ImportLimits) -> pd.DataFrame:
    try:
        rows = json.loads(body)
    except (ValueError, RecursionError):
        raise BadBody("The body is not valid JSON.") from None
    if isinstance(rows, dict) and isinstance(rows.get("rows"), list):
        rows = rows["rows"]
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise BadBody('Send a JSON array of row objects (or {"rows": [...]}), at least one.')
    if len(rows) > limits.max_rows:
        raise BadBody(f"At most {limits.max_rows:,} rows per import: split the rows.")
    columns = list(dict.fromkeys(str(k) for r in rows for k in r))
    if len(columns) > limits.max_columns:
        raise BadBody(f"At most {limits.max_columns} columns per import.")
    cells = [
        [_cell(r.get(c), number, c) for c in columns] for number, r in enumerate(rows, start=2)
    ]
    return pd.DataFrame(cells, columns=columns, index=range(2, len(rows) + 2), dtype=object)


def import_frame(mimetype: str, body: bytes, limits: ImportLimits) -> pd.DataFrame:
    """The body's rows, by its content type: ``application/json`` or ``text/csv``."""
    if mimetype == "application/json":
        return _json_frame(body, limits)
    if mimetype in CSV_TYPES:
        return read_table("body.csv", body, limits)
    raise BadBody("Send application/json rows or a text/csv file.", status=415)
