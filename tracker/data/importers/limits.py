"""How big one import may be: bytes uploaded, rows read, and what an .xlsx unpacks to.

One import runs inside one web request (or one command), so each bound is checked as early as
it can be: the file's size before anything reads it, an .xlsx's unpacked size from its zip
directory before it is opened, and the row count while rows are read, never after. The web
server's request limit (``tracker.uploads``) keeps oversized bodies from arriving at all.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from tracker.config import Settings
from tracker.data.importers.core import UnreadableFile

MIB = 1024 * 1024
#: An .xlsx is a zip of XML. Spreadsheets of real registers pack about 5-15 times; one
#: packing far tighter than this is built to expand (a "zip bomb"), not typed.
MAX_PACKING_RATIO = 100
#: Below this unpacked size the ratio is not worth refusing a file over.
RATIO_FLOOR = 8 * MIB


class FileTooLarge(UnreadableFile):
    """The file is over one of the import limits; nothing was read past the limit."""


@dataclass(frozen=True)
class ImportLimits:
    """The bounds of one import; ``from_settings`` takes the deployment's."""

    max_bytes: int = 20 * MIB
    max_rows: int = 200_000
    #: No kind has more than a dozen columns; a row far wider is not a register.
    max_columns: int = 200

    @classmethod
    def from_settings(cls, settings: Settings) -> ImportLimits:
        return cls(max_bytes=settings.max_upload_mb * MIB, max_rows=settings.max_import_rows)

    @property
    def max_sheet_rows(self) -> int:
        """Rows read at all, blank ones included: a sheet may skip a million row numbers, and
        its reader hands each one over as an empty row."""
        return 2 * self.max_rows + 1000

    @property
    def max_unpacked_bytes(self) -> int:
        """What an .xlsx may unpack to: ten times the upload limit (200 MB by default)."""
        return 10 * self.max_bytes

    def check_size(self, filename: str, content: bytes) -> None:
        if len(content) > self.max_bytes:
            raise FileTooLarge(
                f"{filename} is {_mb(len(content))}, over the {_mb(self.max_bytes)} limit "
                "for one import: split it into smaller files."
            )

    def check_unpacked(self, filename: str, content: bytes) -> None:
        """Refuse an .xlsx whose zip directory declares too much, before it is opened.

        Python's zip reader never yields more than a member's declared size, so the sum of
        the declared sizes bounds what reading the workbook can unpack.
        """
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return  # not a zip: opening it says so in the usual words
        unpacked = sum(m.file_size for m in members)
        packed = max(1, sum(m.compress_size for m in members))
        if unpacked > self.max_unpacked_bytes:
            raise FileTooLarge(
                f"{filename} unpacks to {_mb(unpacked)}, over the {_mb(self.max_unpacked_bytes)} "
                "an .xlsx may hold for one import: split it, or save it as CSV."
            )
        if unpacked > RATIO_FLOOR and unpacked > MAX_PACKING_RATIO * packed:
            raise FileTooLarge(
                f"{filename} unpacks to {unpacked // packed} times its size, which no typed "
                "spreadsheet does; it was refused unread. Save it again as .xlsx or CSV."
            )

    def too_many_rows(self, filename: str) -> FileTooLarge:
        return FileTooLarge(
            f"{filename} has more than {self.max_rows:,} rows, the limit for one import: "
            "split it into smaller files (each is checked and imported all or nothing)."
        )

    def too_many_columns(self, filename: str, row: int) -> FileTooLarge:
        return FileTooLarge(
            f"{filename}: row {row} has more than {self.max_columns} filled columns; "
            "keep only the columns of the template."
        )


def _mb(size: int) -> str:
    if size < MIB // 10:
        return f"{max(1, round(size / 1024))} kB"
    return f"{size / MIB:.1f} MB"
