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
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

import pandas as pd

from tracker.data.importers.core import Column, KindSpec, UnreadableFile
from tracker.data.importers.kinds import spec_for
from tracker.data.importers.limits import ImportLimits


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


def _csv_rows(content: bytes) -> Iterator[list[str]]:
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
        for row in csv.reader(io.StringIO(text)):
            yield [cell.strip() for cell in row]
    except csv.Error as error:
        raise UnreadableFile(f"The CSV file cannot be read: {error}.") from None


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile(
            f"The Excel file cannot be read ({error}); save it as .xlsx."
        ) from None
    try:
        sheet = book.worksheets[0]
        # The sheet's declared size is the file's word, not its content: a few bytes can claim
        # A1:XFD1048576 and every row would be padded to 16,384 cells. Read rows as stored.
        sheet.reset_dimensions()
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in row]
    finally:
        book.close()


def _rows(filename: str, content: bytes, limits: ImportLimits) -> Iterator[list[str]]:
    """The file's rows as strings, refusing it before reading what a limit would not allow."""
    limits.check_size(filename, content)
    suffix = PurePath(filename).suffix.lower()
    if suffix in {".csv", ".txt"}:
        return _csv_rows(content)
    if suffix in {".xlsx", ".xlsm"}:
        limits.check_unpacked(filename, content)
        return _xlsx_rows(content)
    if suffix == ".xls":
        raise UnreadableFile("Old Excel .xls files are not supported: save as .xlsx or CSV.")
    raise UnreadableFile(f"{filename}: choose a .csv or .xlsx file.")


def read_table(filename: str, content: bytes, limits: ImportLimits | None = None) -> pd.DataFrame:
    """A table of strings (empty string for an empty cell) indexed by spreadsheet row number.

    Only the first worksheet of a workbook is read. Column names are kept as written; the
    importer matches them ignoring case, spaces and hyphens. ``limits`` (the defaults unless
    given) refuse a file over the size or row limit as soon as it is known to be.
    """
    limits = limits or ImportLimits()
    numbered: list[tuple[int, list[str]]] = []
    data_rows = 0
    for number, row in enumerate(_rows(filename, content, limits), start=1):
        if number > limits.max_sheet_rows:
            raise limits.too_many_rows(filename)
        while row and not row[-1]:
            row.pop()  # spreadsheet padding, however wide the sheet claims to be
        if not row:
            continue
        if len(row) > limits.max_columns:
            raise limits.too_many_columns(filename, number)
        if numbered and not row[0].startswith("#"):
            data_rows += 1
            if data_rows > limits.max_rows:
                raise limits.too_many_rows(filename)
        numbered.append((number, row))
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
