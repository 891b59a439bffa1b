"""Imports are bounded: bytes, rows (checked while reading), columns, an .xlsx's unpacked size."""

from __future__ import annotations

import io
import itertools
import os
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from tracker.cli import app
from tracker.config import load_settings
from tracker.data.importers import FileTooLarge, ImportLimits, UnreadableFile, files, read_table
from tracker.data.importers.limits import MIB
from tracker.refusals import Refused

HEADER = "learner_ref,date,event,reason\n"


def _events(rows: int) -> bytes:
    lines = "".join(f"R-{i},2024-01-0{1 + i % 9},started,\n" for i in range(rows))
    return (HEADER + lines).encode()


def test_a_file_over_the_size_limit_is_refused_unread() -> None:
    limits = ImportLimits(max_bytes=1000)
    assert len(read_table("ok.csv", _events(20), limits)) == 20
    with pytest.raises(FileTooLarge, match="over the 1 kB limit for one import") as caught:
        read_table("big.csv", _events(100), limits)
    assert isinstance(caught.value, Refused) and isinstance(caught.value, UnreadableFile)


def test_rows_over_the_limit_are_refused_while_the_file_is_read() -> None:
    limits = ImportLimits(max_rows=3)
    # Comment and blank rows do not count: the template's description row may stay.
    with_comments = _events(3).replace(b"\n", b"\n# description\n", 1) + b"\n,,\n"
    ok = read_table("ok.csv", with_comments, limits)
    assert len(ok) == 3
    with pytest.raises(FileTooLarge, match="more than 3 rows"):
        read_table("four.csv", _events(4), limits)
    # Reading stops at the limit: a row after it that cannot even be read is never reached.
    unreadable_later = _events(4) + b'"' + b"x" * 200_000 + b'"\n'
    with pytest.raises(UnreadableFile, match="cannot be read"):
        read_table("whole.csv", unreadable_later)
    with pytest.raises(FileTooLarge, match="more than 3 rows"):
        read_table("stops.csv", unreadable_later, limits)

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["learner_ref", "date", "event"])
    for i in range(5):
        sheet.append([f"R-{i}", "2024-01-01", "started"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(FileTooLarge, match="more than 3 rows"):
        read_table("five.xlsx", out.getvalue(), limits)


def test_rows_wider_than_any_register_are_refused() -> None:
    wide = (HEADER + ",".join(["x"] * 500) + "\n").encode()
    with pytest.raises(FileTooLarge, match="row 2 has more than 200 filled columns"):
        read_table("wide.csv", wide)
    # Trailing empty cells are padding, however many there are.
    padded = (HEADER + "R-1,2024-01-01,started," + "," * 5000 + "\n").encode()
    assert list(read_table("padded.csv", padded).columns) == HEADER.strip().split(",")


def _xlsx_with(member: bytes, *, stored_noise: int = 0) -> bytes:
    """A real workbook plus one extra zip member (what a crafted file would carry)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "name"])
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", member)
        if stored_noise:
            archive.writestr("xl/media/noise.bin", os.urandom(stored_noise))
    return out.getvalue()


def test_an_xlsx_is_refused_on_its_unpacked_size_before_it_is_opened(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import openpyxl

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the workbook was opened")

    bomb = _xlsx_with(b"\0" * (50 * MIB))  # packs to about 50 kB: a ratio near 1000
    assert len(bomb) < MIB
    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(FileTooLarge, match="times its size"):
        read_table("bomb.xlsx", bomb)

    # Packing plausibly (about 25 times) but unpacking past ten times the upload limit.
    big = _xlsx_with(b"\0" * (12 * MIB), stored_noise=MIB // 2)
    limits = ImportLimits(max_bytes=MIB)
    assert len(big) < MIB
    with pytest.raises(FileTooLarge, match=r"unpacks to 12\.\d MB, over the 10\.0 MB"):
        read_table("big.xlsx", big, limits)
    monkeypatch.undo()
    assert list(read_table("fine.xlsx", _xlsx_with(b"\0" * 1000)).columns) == ["code", "name"]


def test_the_limits_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    defaults = ImportLimits.from_settings(load_settings())
    assert (defaults.max_bytes, defaults.max_rows) == (20 * MIB, 200_000)
    monkeypatch.setenv("TRACKER_MAX_UPLOAD_MB", "5")
    monkeypatch.setenv("TRACKER_MAX_IMPORT_ROWS", "1000")
    limits = ImportLimits.from_settings(load_settings())
    assert (limits.max_bytes, limits.max_rows) == (5 * MIB, 1000)
    monkeypatch.setenv("TRACKER_MAX_IMPORT_ROWS", "0")
    with pytest.raises(ValueError, match="TRACKER_MAX_IMPORT_ROWS must be 1 or more"):
        load_settings()


def test_the_import_command_applies_the_row_limit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    monkeypatch.setenv("TRACKER_MAX_IMPORT_ROWS", "2")
    events = tmp_path / "events.csv"
    events.write_bytes(_events(3))
    result = CliRunner().invoke(app, ["import", "learner-events", str(events)])
    assert result.exit_code == 1
    assert "more than 2 rows, the limit for one import" in result.output


def _claiming(last_row: int, *, extra_row: str = "") -> bytes:
    """A two-row workbook whose sheet claims A1:XFD<last_row> (a few bytes can claim that)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "name"])
    sheet.append(["UNI-A", "University A"])
    out = io.BytesIO()
    book.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    crafted = io.BytesIO()
    with zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                claim = f'<dimension ref="A1:XFD{last_row}"/>'
                text = re.sub(r'<dimension ref="[^"]*"\s*/>', claim, data.decode())
                data = text.replace("</sheetData>", extra_row + "</sheetData>").encode()
            target.writestr(info.filename, data)
    return crafted.getvalue()


def test_an_xlsx_is_read_as_stored_not_as_its_claimed_size() -> None:
    # Rows are not padded to the 16,384 columns the sheet claims.
    rows = list(itertools.islice(files._xlsx_rows(_claiming(1_048_576)), 3))
    assert rows[:2] == [["code", "name"], ["UNI-A", "University A"]]
    frame = read_table("claims.xlsx", _claiming(1_048_576))
    assert list(frame.columns) == ["code", "name"] and len(frame) == 1
    # A row stored a million rows down is reached through a million empty ones: bounded too.
    far = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    with pytest.raises(FileTooLarge, match="more than 100 rows"):
        read_table("far.xlsx", _claiming(1_048_576, extra_row=far), ImportLimits(max_rows=100))
