"""Templates out, spreadsheets in: CSV and Excel (.xlsx) as coordinators keep them.

A template is a header row then one description row whose cells start with ``#``. Rows whose
first cell starts with ``#`` are comments and are skipped on import, so a coordinator can fill
in the template without deleting the descriptions, and it still opens cleanly in Excel.
Row numbers are kept exactly as the spreadsheet shows them (header = row 1, comments and blank
rows counted) so that every problem points at the row the user sees.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

import pandas as pd

from tracker.data.importers.core import Column, KindSpec
from tracker.data.importers.kinds import spec_for


class UnreadableFile(ValueError):
    """The upload is not a CSV or .xlsx file we can read; the message says what to do."""


def _label(spec: KindSpec, column: Column) -> str:
    if column.required:
        return "required"
    if column.name in spec.one_of_columns:
        return "either " + " or ".join(spec.one_of_columns)
    return "optional"


def template_csv(kind: str) -> str:
    """Header row plus a ``#`` description row; see the module docstring for why."""
    spec = spec_for(kind)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(spec.names)
    writer.writerow([f"# {_label(spec, c)}: {c.description}" for c in spec.columns])
    return out.getvalue()


def is_comment_or_blank(cells: list[str]) -> bool:
    return all(not c for c in cells) or (bool(cells) and cells[0].startswith("#"))


def _cell_text(value: Any) -> str:
    """Excel cells as the user typed them: dates as ISO, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise UnreadableFile("The file is not text; save it as CSV (UTF-8) or .xlsx.")
    if "\x00" in text:
        raise UnreadableFile("The file is not a CSV text file; save it as CSV (UTF-8) or .xlsx.")
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as error:
        raise UnreadableFile(f"The CSV file cannot be read: {error}.") from None


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile(
            f"The Excel file cannot be read ({error}); save it as .xlsx."
        ) from None
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def read_table(filename: str, content: bytes) -> pd.DataFrame:
    """A table of strings (empty string for an empty cell) indexed by spreadsheet row number.

    Only the first worksheet of a workbook is read. Column names are kept as written; the
    importer matches them ignoring case, spaces and hyphens.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix in {".csv", ".txt"}:
        rows = _csv_rows(content)
    elif suffix in {".xlsx", ".xlsm"}:
        rows = _xlsx_rows(content)
    elif suffix == ".xls":
        raise UnreadableFile("Old Excel .xls files are not supported: save as .xlsx or CSV.")
    else:
        raise UnreadableFile(f"{filename}: choose a .csv or .xlsx file.")
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if any(row)]
    if not numbered:
        raise UnreadableFile(f"{filename} is empty: it needs a header row and data rows.")
    header = numbered[0][1]
    width = max(len(header), *(len(r) for _, r in numbered))
    names = [(header[i] if i < len(header) else "") or f"unnamed_{i + 1}" for i in range(width)]
    data: list[list[str]] = []
    index: list[int] = []
    for number, row in numbered[1:]:
        cells = [*row, *([""] * (width - len(row)))]
        if is_comment_or_blank(cells):
            continue
        data.append(cells)
        index.append(number)
    frame = pd.DataFrame(data, columns=names, index=pd.Index(index, name="row"), dtype=object)
    # Trailing columns with no header and no values are just spreadsheet padding.
    padding = [n for n in names if n.startswith("unnamed_") and not (frame[n] != "").any()]
    return frame.drop(columns=padding)
