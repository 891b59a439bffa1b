"""The pieces every importer shares: reports, problems, cell parsing and upserts.

Importing is split into planning and applying. Planning reads the database and the file, checks
every cell and builds a list of actions without touching the session, so the same code serves
the preview (validate) and the import itself, and a rejected file provably writes nothing.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from sqlmodel import Session, SQLModel, select

from tracker.access import Principal
from tracker.models import Role
from tracker.refusals import Refused

if TYPE_CHECKING:
    from tracker.data.importers.rows import Row

# Counts beyond this are typing errors, and would overflow a PostgreSQL integer long before.
MAX_COUNT = 100_000
# Dates outside these years are typing errors (2204 for 2024), not real history or plans.
FIRST_YEAR, LAST_YEAR = 1950, 2100
# England's coordinates (with a margin): catches swapped lat/lon columns as well as typos.
LAT_RANGE = (49.8, 60.9)
LON_RANGE = (-8.7, 1.8)


Status = Literal["added", "changed", "unchanged"]
M = TypeVar("M", bound=SQLModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell; ``row`` is the spreadsheet row (the header is row 1)."""

    row: int
    column: str
    value: str
    message: str


@dataclass(frozen=True)
class Change:
    """Old and new values of the fields an import changed on one record (by natural key)."""

    key: str
    old: dict[str, Any]
    new: dict[str, Any]


@dataclass(frozen=True)
class ImportReport:
    """What an import found or did; the same object drives the preview, the CLI and the audit."""

    kind: str
    rows: int
    problems: tuple[Problem, ...] = ()
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    changes: tuple[Change, ...] = ()
    ignored_columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        noun = "row" if self.rows == 1 else "rows"
        if self.problems:
            count = len(self.problems)
            text = (
                f"{self.kind}: rejected, {count} problem{'s' if count != 1 else ''} "
                f"in {self.rows} {noun}; nothing was written."
            )
        else:
            text = (
                f"{self.kind}: {self.rows} {noun}: {self.added} added, {self.changed} changed, "
                f"{self.unchanged} unchanged."
            )
        if self.ignored_columns:
            text += f" Ignored columns: {', '.join(self.ignored_columns)}."
        return text


class ImportRejected(Refused):
    """The file has problems; nothing was written. ``report.problems`` lists every one.

    ``.problems`` (the ``Refused`` view) holds the report's summary sentence; the rows and
    columns behind it are in ``report``.
    """

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report.summary())
        self.report = report


class UnreadableFile(Refused):
    """The upload is not a CSV or .xlsx file we can read; the message says what to do."""


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class Action:
    """One record's fate; ``apply`` runs only when the whole file is clean."""

    key: str
    status: Status
    old: dict[str, Any] = field(default_factory=dict)
    new: dict[str, Any] = field(default_factory=dict)
    apply: Callable[[Session], None] | None = None


@dataclass
class Context:
    """What a planner needs besides the rows; problems accumulate here."""

    session: Session
    principal: Principal
    present: frozenset[str]
    #: When the import happens: every record it creates carries this one time.
    now: datetime
    problems: list[Problem] = field(default_factory=list)

    def sees(self, hei_id: int | None) -> bool:
        """Whether the importing user may know of a record of this HEI (staff: of every HEI).

        A record the user may not see must read exactly as one that does not exist: no
        message may confirm it, describe it, or check the file against it.
        """
        return not self.principal.is_hei or hei_id == self.principal.hei_id


Planner = Callable[[Context, list["Row"]], list[Action]]
AccessRule = Literal["staff", "hei"]


@dataclass(frozen=True)
class KindSpec:
    """One importable kind: its columns (in template order) and how its rows are planned.

    ``access`` "staff" means administrators and coordinators only; "hei" means staff for any
    HEI and HEI users for rows of their own HEI. ``roles``, when given, narrows who may import
    the kind at all (learner readiness: HEIs and administrators, not coordinators).
    """

    kind: str
    description: str
    columns: tuple[Column, ...]
    access: AccessRule
    planner: Planner
    one_of_columns: tuple[str, ...] = ()
    roles: frozenset[Role] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def max_length(column: Any) -> int | None:
    """The VARCHAR length the schema enforces (PostgreSQL does; SQLite silently does not)."""
    length = getattr(column.property.columns[0].type, "length", None)
    return int(length) if length else None


def printable(value: str) -> bool:
    return not any(unicodedata.category(ch) in {"Cc", "Cs"} for ch in value)


def chunks(values: Iterable[Any], size: int = 500) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def keys(values: Iterable[str]) -> list[str]:
    """Distinct values fit to look up: control characters (which PostgreSQL rejects outright)
    are left for the row checks to report."""
    return sorted({v for v in values if v and printable(v)})


def by_key(session: Session, model: type[M], column: Any, wanted: Iterable[str]) -> dict[str, M]:
    """Load the rows whose ``column`` is one of ``keys`` (chunked to keep IN lists short)."""
    found: dict[str, M] = {}
    for batch in chunks(keys(wanted)):
        for obj in session.exec(select(model).where(column.in_(batch))).all():
            found[getattr(obj, column.key)] = obj
    return found


def jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, float) or isinstance(new, float):
        if old is None or new is None:
            return old is new
        return math.isclose(float(old), float(new), rel_tol=1e-12, abs_tol=1e-12)
    return bool(old == new)


def upsert(
    model: type[M],
    existing: M | None,
    key: str,
    values: dict[str, Any],
    *,
    create: dict[str, Any] | None = None,
    bump_version: bool = False,
    after: Callable[[Session, M], None] | None = None,
    extra_old: dict[str, Any] | None = None,
    extra_new: dict[str, Any] | None = None,
) -> Action:
    """An Action that adds ``model(**create, **values)`` or sets the fields that differ.

    ``extra_old``/``extra_new`` compare values that do not live on the row itself (a setting's
    programme list); ``after`` writes them once the row has an id.
    """
    extra_old = extra_old or {}
    extra_new = extra_new or {}
    if existing is None:

        def add(session: Session) -> None:
            obj = model(**(create or {}), **values)
            session.add(obj)
            if after is not None:
                session.flush()
                after(session, obj)

        new = {k: jsonable(v) for k, v in {**(create or {}), **values, **extra_new}.items()}
        return Action(key, "added", {}, new, add)

    old = {k: getattr(existing, k) for k in values if not _same(getattr(existing, k), values[k])}
    old.update({k: v for k, v in extra_old.items() if not _same(v, extra_new.get(k))})
    if not old:
        return Action(key, "unchanged")
    new = {k: values.get(k, extra_new.get(k)) for k in old}
    target = existing

    def update(session: Session) -> None:
        for name, value in values.items():
            setattr(target, name, value)
        if bump_version:
            target.version = (getattr(target, "version", 0) or 0) + 1
        session.add(target)
        if after is not None:
            session.flush()
            after(session, target)

    return Action(
        key,
        "changed",
        {k: jsonable(v) for k, v in old.items()},
        {k: jsonable(v) for k, v in new.items()},
        update,
    )
