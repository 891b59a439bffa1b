"""Check the practice-learning tables cell by cell, collecting every problem before failing.

Tables arrive as text (CSV read with ``dtype=str``) so each bad cell can be named by its
spreadsheet row (header = row 1). Returns frozen dataclasses the staff assignment works on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime

import pandas as pd

from tracker.optimise.model import InputError, Problem
from tracker.optimise.staff import (
    ASSESSOR,
    EDUCATOR,
    StaffMember,
    canonical_field,
    canonical_role,
)

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


@dataclass(frozen=True)
class Placement:
    """A row of the plan: ``learners`` places for one request at one setting in one block."""

    row: int
    request_id: str
    setting_id: str
    block: str
    learners: int
    start: date | None
    end: date | None
    programme: str | None


@dataclass(frozen=True)
class Learner:
    row: int
    learner_id: str
    request_id: str
    programme: str | None
    field: str
    lat: float | None
    lon: float | None
    max_distance_km: float | None
    sectors_had: frozenset[str]
    ready_until: date | None
    #: behind on practice hours (optional column, default no): placed before the others
    behind_on_hours: bool = False


@dataclass(frozen=True)
class Setting:
    setting_id: str
    sector: str
    lat: float | None
    lon: float | None
    active: bool


class Cells:
    """Typed reads of one table's cells; every bad cell is added to ``problems``."""

    def __init__(self, table: str, frame: pd.DataFrame, problems: list[Problem]) -> None:
        self.table = table
        self.frame = frame.reset_index(drop=True)
        self.frame.columns = [str(c).strip().lower() for c in self.frame.columns]
        self.problems = problems
        self.columns = {c: self.frame[c].tolist() for c in self.frame.columns}

    def require(self, *columns: str) -> bool:
        missing = [c for c in columns if c not in self.frame.columns]
        for c in missing:
            self.problems.append(Problem(self.table, None, c, None, "required column is missing"))
        return not missing

    def has(self, column: str) -> bool:
        return column in self.columns

    def __len__(self) -> int:
        return len(self.frame)

    def bad(self, pos: int, column: str | None, value: object, message: str) -> None:
        self.problems.append(Problem(self.table, pos + 2, column, value, message))

    def text(self, pos: int, column: str, *, required: bool = False) -> str | None:
        values = self.columns.get(column)
        raw = None if values is None else values[pos]
        value = (
            None
            if raw is None or raw is pd.NA or (isinstance(raw, float) and math.isnan(raw))
            else raw
        )
        out = None if value is None else str(value).strip() or None
        if out is None and required:
            self.bad(pos, column, None, "must not be empty")
        return out

    def day(self, pos: int, column: str, *, required: bool = False) -> date | None:
        value = self.text(pos, column, required=required)
        if value is None:
            return None
        try:
            return date.fromisoformat(value[:10] if len(value) > 10 and "T" in value else value)
        except ValueError:
            pass
        try:  # the UK spreadsheet form, 31/01/2027
            return datetime.strptime(value, "%d/%m/%Y").date()
        except ValueError:
            self.bad(pos, column, value, "must be a date written YYYY-MM-DD")
            return None

    def span(self, pos: int, first: str, last: str) -> tuple[date | None, date | None]:
        """Two required dates of a row (a block's, an audit's), the second not before the
        first; either is None where it is bad (the problem is recorded)."""
        start, end = self.day(pos, first, required=True), self.day(pos, last, required=True)
        if start is not None and end is not None and end < start:
            self.bad(pos, last, end.isoformat(), f"is before {first} {start.isoformat()}")
            return start, None
        return start, end

    def number(
        self, pos: int, column: str, *, required: bool = False, integer: bool = False
    ) -> float | None:
        value = self.text(pos, column, required=required)
        if value is None:
            return None
        try:
            num = float(value)
        except ValueError:
            num = math.nan
        if not math.isfinite(num) or (integer and not num.is_integer()):
            self.bad(
                pos, column, value, "must be a whole number" if integer else "must be a number"
            )
            return None
        return num

    def flag(self, pos: int, column: str) -> bool:
        value = self.text(pos, column)
        if value is None or value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        self.bad(pos, column, value, "must be true or false")
        return True

    def location(self, pos: int) -> tuple[float | None, float | None]:
        lat, lon = self.number(pos, "lat"), self.number(pos, "lon")
        if (lat is None) != (lon is None):
            self.bad(pos, "lat/lon", None, "give both lat and lon, or neither")
            return None, None
        if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.bad(pos, "lat/lon", f"{lat}, {lon}", "is not a latitude/longitude")
            return None, None
        return lat, lon


def fail_if(problems: list[Problem]) -> None:
    if problems:
        raise InputError(problems)


#: The ``assign`` command's files and the columns each must have, as its contract writes them
#: (``start_date, end_date`` of placements stay optional: required on the rows where a date
#: rule applies). ``assign_staff`` itself is laxer, for the app: it leaves readiness or
#: preparation unchecked while their register is empty, by leaving out the column.
CONTRACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "placements": ("request_id", "setting_id", "block", "learners", "programme"),
    "learners": (
        "learner_id",
        "request_id",
        "programme",
        "field",
        "lat",
        "lon",
        "max_distance_km",
        "sectors_had",
        "ready_until",
    ),
    "settings": ("setting_id", "sector", "programmes", "lat", "lon", "active"),
    "staff": ("staff_id", "setting_id", "roles", "field", "prepared_on", "max_learners"),
    "audits": ("setting_id", "audited_on", "expires_on", "outcome", "programmes"),
}


def require_contract_columns(tables: dict[str, pd.DataFrame | None]) -> None:
    """Raise ``InputError`` naming every contract column missing from the command's files
    (headers compared as the tables read them: trimmed, without regard to case)."""
    problems = [
        Problem(name, None, column, None, "required column is missing")
        for name, frame in tables.items()
        if frame is not None
        for column in CONTRACT_COLUMNS[name]
        if column not in {str(c).strip().lower() for c in frame.columns}
    ]
    fail_if(problems)


def read_settings(frame: pd.DataFrame, problems: list[Problem]) -> dict[str, Setting]:
    c = Cells("settings", frame, problems)
    if not c.require("setting_id"):
        return {}
    out: dict[str, Setting] = {}
    for pos in range(len(c)):
        sid = c.text(pos, "setting_id", required=True)
        lat, lon = c.location(pos)
        sector = (c.text(pos, "sector") or "").lower()
        active = c.flag(pos, "active") if c.has("active") else True
        if sid is None:
            continue
        if sid in out:
            c.bad(pos, "setting_id", sid, "duplicate id")
        out[sid] = Setting(sid, sector, lat, lon, active)
    return out


def read_placements(
    frame: pd.DataFrame, settings: dict[str, Setting], problems: list[Problem]
) -> tuple[Placement, ...]:
    c = Cells("placements", frame, problems)
    if not c.require("request_id", "setting_id", "block", "learners"):
        return ()
    dated = c.has("start_date") or c.has("end_date")
    if dated and not (c.has("start_date") and c.has("end_date")):
        c.problems.append(
            Problem("placements", None, "start_date/end_date", None, "give both columns or neither")
        )
        return ()
    out: list[Placement] = []
    seen: set[tuple[str, str, str, date | None]] = set()
    for pos in range(len(c)):
        rid = c.text(pos, "request_id", required=True)
        sid = c.text(pos, "setting_id", required=True)
        block = c.text(pos, "block", required=True)
        n = c.number(pos, "learners", required=True, integer=True)
        if n is not None and n < 0:
            c.bad(pos, "learners", int(n), "must not be negative")
        start, end = c.day(pos, "start_date"), c.day(pos, "end_date")
        if (c.text(pos, "start_date") is None) != (c.text(pos, "end_date") is None):
            c.bad(pos, "start_date/end_date", None, "give both dates or neither")
        if start is not None and end is not None and end < start:
            c.bad(pos, "end_date", end.isoformat(), f"is before start_date {start.isoformat()}")
        if sid is not None and settings and sid not in settings:
            c.bad(pos, "setting_id", sid, "is not in the settings file")
        if rid is None or sid is None or block is None or n is None:
            continue
        key = (rid, sid, block, start)
        if key in seen:
            c.bad(pos, "request_id/setting_id/block", f"{rid}, {sid}, {block}", "duplicate row")
        seen.add(key)
        programme = c.text(pos, "programme")
        out.append(Placement(pos + 2, rid, sid, block, max(int(n), 0), start, end, programme))
    return tuple(out)


def read_learners(frame: pd.DataFrame, problems: list[Problem]) -> tuple[Learner, ...]:
    c = Cells("learners", frame, problems)
    if not c.require("learner_id", "request_id", "field"):
        return ()
    out: list[Learner] = []
    seen: set[str] = set()
    for pos in range(len(c)):
        lid = c.text(pos, "learner_id", required=True)
        rid = c.text(pos, "request_id", required=True)
        field = c.text(pos, "field", required=True)
        lat, lon = c.location(pos)
        limit = c.number(pos, "max_distance_km")
        if limit is not None and limit <= 0:
            c.bad(pos, "max_distance_km", limit, "must be greater than 0")
        ready = c.day(pos, "ready_until")
        had = c.text(pos, "sectors_had") or ""
        behind = c.text(pos, "behind_on_hours") is not None and c.flag(pos, "behind_on_hours")
        if lid is not None and lid in seen:
            c.bad(pos, "learner_id", lid, "duplicate id")
        if lid is None or rid is None or field is None:
            continue
        seen.add(lid)
        out.append(
            Learner(
                pos + 2,
                lid,
                rid,
                c.text(pos, "programme"),
                canonical_field(field),
                lat,
                lon,
                limit,
                frozenset(s.strip().lower() for s in had.split(";") if s.strip()),
                ready,
                behind,
            )
        )
    return tuple(out)


def read_roles(c: Cells, pos: int) -> frozenset[str]:
    raw = c.text(pos, "roles", required=True) or ""
    roles: set[str] = set()
    for part in (p for p in raw.replace(",", ";").split(";") if p.strip()):
        role = canonical_role(part)
        if role is None:
            c.bad(
                pos,
                "roles",
                part.strip(),
                "must be practice_supervisor, practice_assessor or practice_educator "
                "(';'-separated)",
            )
        else:
            roles.add(role)
    return frozenset(roles)


def read_staff(frame: pd.DataFrame, problems: list[Problem]) -> tuple[StaffMember, ...]:
    """One ``StaffMember`` per ``staff_id``; a person at several settings has one row per
    setting (or their settings ';'-separated in one row), with the same field, preparation
    date and learner limit on each; their limit counts learners at all their settings.

    Staff at settings missing from the settings file are kept (the register may cover more
    settings than the plan) but can only ever support learners placed there."""
    c = Cells("staff", frame, problems)
    if not c.require("staff_id", "setting_id", "roles", "max_learners"):
        return ()
    people: dict[str, StaffMember] = {}
    for pos in range(len(c)):
        sid = c.text(pos, "staff_id", required=True)
        setting = c.text(pos, "setting_id", required=True)
        roles = read_roles(c, pos)
        field = canonical_field(c.text(pos, "field") or "")
        if not field and roles & {ASSESSOR, EDUCATOR}:
            c.bad(pos, "field", None, "must name the field of a practice assessor or educator")
        prepared = c.day(pos, "prepared_on")
        limit = c.number(pos, "max_learners", required=True, integer=True)
        if limit is not None and limit < 0:
            c.bad(pos, "max_learners", int(limit), "must not be negative")
        if sid is None or setting is None or limit is None:
            continue
        here = {s.strip(): roles for s in setting.split(";") if s.strip()}
        first = people.get(sid)
        if first is None:
            people[sid] = StaffMember(sid, field, prepared, int(limit), here, pos + 2)
            continue
        for again in sorted(set(here) & set(first.roles_at)):
            c.bad(pos, "staff_id/setting_id", f"{sid}, {again}", "duplicate row")
        for column, mine, theirs in (
            ("field", field, first.field),
            ("prepared_on", prepared, first.prepared_on),
            ("max_learners", int(limit), first.max_learners),
        ):
            if mine != theirs:
                c.bad(pos, column, mine, f"differs from row {first.row} for the same staff_id")
        people[sid] = replace(first, roles_at={**first.roles_at, **here})
    return tuple(people.values())
