"""One data row of an import file, with parsers that record problems instead of raising.

Every planner reads its cells through :class:`Row`, so a bad cell becomes a problem on the
row and column the user sees, and the planner carries on to report every other one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from tracker.data.importers.core import (
    FIRST_YEAR,
    LAST_YEAR,
    LAT_RANGE,
    LON_RANGE,
    MAX_COUNT,
    Context,
    Problem,
    printable,
)

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-01)?$")
_POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
#: An e-mail address's shape (one @, a dot in the domain, no spaces): the SMTP server is the
#: judge of whether it exists. The Notifications page checks users' addresses by it too.
EMAIL_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


class Row:
    """One data row with parsers that record a problem instead of raising."""

    def __init__(self, number: int, cells: Mapping[str, str], ctx: Context) -> None:
        self.number = number
        self.cells = cells
        self.ctx = ctx
        self.bad = False

    def raw(self, column: str) -> str:
        return self.cells.get(column, "")

    def has(self, column: str) -> bool:
        return column in self.ctx.present

    def problem(self, column: str, message: str, value: str | None = None) -> None:
        shown = self.raw(column) if value is None else value
        self.ctx.problems.append(Problem(self.number, column, shown, message))
        self.bad = True

    def _blank(self, column: str, required: bool) -> bool:
        if self.raw(column):
            return False
        if required:
            self.problem(column, "required: this cell is empty")
        return True

    def text(self, column: str, *, required: bool = True, limit: int | None = None) -> str | None:
        if self._blank(column, required):
            return None
        value = self.raw(column)
        if not printable(value):
            self.problem(column, "contains control characters")
            return None
        if limit is not None and len(value) > limit:
            self.problem(column, f"too long: at most {limit} characters")
            return None
        return value

    def choice(self, column: str, codes: type[E], *, required: bool = True) -> str | None:
        if self._blank(column, required):
            return None
        value = self.raw(column).lower().replace(" ", "_").replace("-", "_")
        allowed = [member.value for member in codes]
        if value not in allowed:
            self.problem(column, f"not one of: {', '.join(allowed)}")
            return None
        return value

    def integer(
        self,
        column: str,
        *,
        required: bool = True,
        minimum: int = 0,
        maximum: int = MAX_COUNT,
    ) -> int | None:
        if self._blank(column, required):
            return None
        value = self.raw(column)
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or not number.is_integer() or len(value) > 20:
            self.problem(column, "not a whole number")
            return None
        whole = int(number)
        if not minimum <= whole <= maximum:
            self.problem(column, f"must be between {minimum} and {maximum}")
            return None
        return whole

    def decimal(
        self, column: str, *, minimum: float, maximum: float, required: bool = True
    ) -> float | None:
        if self._blank(column, required):
            return None
        try:
            value = float(self.raw(column))
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            self.problem(column, "not a number")
            return None
        if not minimum <= value <= maximum:
            self.problem(column, f"must be between {minimum:g} and {maximum:g}")
            return None
        return value

    def day(self, column: str, *, required: bool = True) -> date | None:
        if self._blank(column, required):
            return None
        match = _DAY.match(self.raw(column))
        parsed: date | None = None
        if match:
            try:
                parsed = date(*(int(part) for part in match.groups()))
            except ValueError:
                parsed = None
        if parsed is None:
            self.problem(column, "not a date: write YYYY-MM-DD, e.g. 2024-09-23")
            return None
        if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            self.problem(column, f"year outside {FIRST_YEAR}-{LAST_YEAR}")
            return None
        return parsed

    def intake(self, column: str, *, required: bool = True) -> tuple[int, int] | None:
        if self._blank(column, required):
            return None
        match = _MONTH.match(self.raw(column))
        if not match or not 1 <= int(match.group(2)) <= 12:
            self.problem(column, "not an intake month: write YYYY-MM, e.g. 2024-09")
            return None
        year = int(match.group(1))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            self.problem(column, f"year outside {FIRST_YEAR}-{LAST_YEAR}")
            return None
        return year, int(match.group(2))

    def flag(self, column: str, *, default: bool) -> bool | None:
        value = self.raw(column).lower()
        if not value:
            return default
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.problem(column, "write yes or no")
        return None

    def email(self, column: str, *, limit: int | None) -> str | None:
        """An optional e-mail address (blank: none)."""
        value = self.raw(column).strip()
        if not value:
            return None
        if not EMAIL_ADDRESS.match(value) or (limit is not None and len(value) > limit):
            self.problem(column, "not an e-mail address (e.g. ward12@trust.nhs.uk)")
            return None
        return value

    def postcode_district(self, column: str, *, limit: int | None) -> str | None:
        value = self.raw(column).upper().replace(" ", "")
        if not value:
            return None
        if not _POSTCODE_DISTRICT.match(value) or (limit is not None and len(value) > limit):
            self.problem(column, "not a postcode district (the outward code, e.g. LS6 or M13)")
            return None
        return value

    def coordinates(self) -> tuple[float | None, float | None] | None:
        """``lat``/``lon`` together or not at all; None when a problem was recorded."""
        lat = self.decimal("lat", minimum=LAT_RANGE[0], maximum=LAT_RANGE[1], required=False)
        lon = self.decimal("lon", minimum=LON_RANGE[0], maximum=LON_RANGE[1], required=False)
        if (lat is None) != (lon is None) and not self.bad:
            missing = "lon" if lon is None else "lat"
            self.problem(missing, "give both lat and lon, or neither")
        if self.bad:
            return None
        return lat, lon

    def lookup(self, column: str, found: Mapping[str, T], message: str) -> T | None:
        """The record a required code cell names, from ``found``; ``message`` when unknown."""
        code = self.text(column)
        record = found.get(code) if code else None
        if code and record is None:
            self.problem(column, message)
        return record

    def place(self, values: dict[str, object]) -> None:
        """Set ``lat``/``lon`` in ``values`` when the file has either column and they check."""
        if self.has("lat") or self.has("lon"):
            where = self.coordinates()
            if where is not None:
                values["lat"], values["lon"] = where

    def own_hei(self, column: str, hei_id: int | None, what: str) -> bool:
        """HEI users may only touch rows of their own HEI; staff may touch any.

        The HEI register is public, so naming another HEI may be refused as such; what that
        HEI holds (cohorts, learners, requests) is then not looked up for the row at all.
        """
        if not self.ctx.sees(hei_id):
            self.problem(column, f"you may only import your own HEI's {what}")
            return False
        return True

    def unknown_reference(self, column: str, what: str, then: str) -> None:
        """No such record among those this user may see: one message for a reference that
        exists nowhere and one that belongs to another HEI, so it confirms neither."""
        where = " in your HEI's records" if self.ctx.principal.is_hei else ""
        self.problem(column, f"no {what} with this reference{where}; {then}")

    def taken_reference(self, column: str, what: str) -> None:
        """A new record's reference is already used outside the user's HEI.

        References are unique across the system, so the row must be refused; the message says
        only that, never whose it is or anything about that record.
        """
        self.problem(column, f"this {what} cannot be used for your HEI's records; choose another")

    def claim(
        self,
        column: str,
        existing: Mapping[str, tuple[T, int]],
        code: str | None,
        seen: dict[Any, int],
        what: str,
        duplicate: str | None = None,
    ) -> T | None:
        """The stored record (with its HEI) a new row's unique reference names, if visible.

        One stored under an HEI the user may not see reads as taken (nothing about whose);
        a reference repeated within the file is a problem on its later row (``duplicate``
        names it there, when the file's wording differs from ``what``).
        """
        current = existing.get(code) if code else None
        if current is not None and not self.ctx.sees(current[1]):
            self.taken_reference(column, what)
            current = None
        if code is not None:
            self.first_time(seen, code, column, duplicate or what)
        return current[0] if current is not None else None

    def first_time(self, seen: dict[Any, int], key: Any, column: str, what: str) -> bool:
        """Record ``key``; a key seen on an earlier row is a problem (files must not repeat)."""
        if key in seen:
            self.problem(column, f"duplicate {what}: already on row {seen[key]}")
            return False
        seen[key] = self.number
        return True
