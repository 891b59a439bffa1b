"""What several importers' planners share: columns, code lists, lookups and the row loop.

Each kind's module keeps what is its own (its checks, its natural key); the steps that read
the same in every planner live here once, so a message or a template line for a column the
kinds share ("hei", "programme", "block") cannot drift apart between files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, select

from tracker.access import Principal
from tracker.data.importers.core import (
    LAT_RANGE,
    LON_RANGE,
    Action,
    Column,
    Context,
    by_key,
    chunks,
    keys,
    max_length,
    upsert,
)
from tracker.data.importers.rows import Row
from tracker.models import (
    Cohort,
    Learner,
    Organisation,
    PlacementBlock,
    PlacementSetting,
    Programme,
)

M = TypeVar("M", bound=SQLModel)

#: The template text of the coordinate range every lat/lon column is checked against.
WHERE = f"lat {LAT_RANGE[0]} to {LAT_RANGE[1]}, lon {LON_RANGE[0]} to {LON_RANGE[1]}"

# Columns several kinds share, worded once for every template.
HEI = Column("hei", "HEI organisation code", required=True)
PROGRAMME = Column("programme", "programme code", required=True)
BLOCK = Column("block", "placement block code", required=True)
#: The learner a row of an HEI's own file is about (hours, readiness, evaluations).
OWN_LEARNER = Column("learner_ref", "reference of an existing learner of your HEI", required=True)
LON = Column("lon", "longitude, with lat")

NO_BLOCK = "no placement block with this code; import placement-blocks first"
NO_SETTING = "no placement setting with this code; import settings first"
#: A ``programmes`` cell meaning every programme (settings hosting any, audits approving all).
ANY_PROGRAMME = "*"


def codes(values: type[StrEnum]) -> str:
    """An enum's codes as a template lists them: ``a, b, c``."""
    return ", ".join(member.value for member in values)


def rows_where(session: Session, model: type[M], column: Any, ids: Iterable[int]) -> list[M]:
    """Every ``model`` row whose ``column`` is one of ``ids`` (chunked to keep IN lists short)."""
    found: list[M] = []
    for batch in chunks(ids):
        found.extend(session.exec(select(model).where(col(column).in_(batch))).all())
    return found


def by_key_with_hei(
    session: Session, model: type[M], column: Any, wanted: Iterable[str]
) -> dict[str, tuple[M, int]]:
    """Rows of a cohort's table whose ``column`` is one of ``wanted``, each with its HEI.

    The HEI says whether the importing user may know of the record at all (``Row.claim``).
    """
    found: dict[str, tuple[M, int]] = {}
    for batch in chunks(keys(wanted)):
        query = select(model, Cohort.hei_id).join(Cohort).where(col(column).in_(batch))
        for obj, hei_id in session.exec(query).all():
            found[getattr(obj, column.key)] = (obj, hei_id)
    return found


def editable_learners(
    ctx: Context, rows: list[Row], may_edit: Callable[[Principal, int | None], bool]
) -> dict[str, Learner]:
    """The learners the file's ``learner_ref`` column names whose records this user may keep
    (``may_edit`` by the learner's HEI), by reference: another HEI's are left out, so they
    read exactly as references that exist nowhere."""
    refs = (r.raw("learner_ref") for r in rows)
    found = by_key_with_hei(ctx.session, Learner, Learner.learner_ref, refs)
    return {ref: lr for ref, (lr, hei_id) in found.items() if may_edit(ctx.principal, hei_id)}


def learner_named(row: Row, editable: dict[str, Learner]) -> tuple[str | None, Learner | None]:
    """The row's ``learner_ref`` and the learner it names among ``editable``; a problem that
    confirms nothing when it names none of them."""
    ref = row.text("learner_ref", limit=max_length(Learner.learner_ref))
    learner = editable.get(ref) if ref else None
    if ref is not None and learner is None:
        row.unknown_reference("learner_ref", "learner", "import learners first")
    return ref, learner


def stamped(now: datetime) -> Callable[[Session, SQLModel], None]:
    """Set ``updated_at`` on a record an import adds or changes (not on unchanged ones)."""

    def stamp(session: Session, record: SQLModel) -> None:
        record.updated_at = now
        session.add(record)

    return stamp


def blocks_named(ctx: Context, rows: list[Row]) -> dict[str, PlacementBlock]:
    """The placement blocks the file's ``block`` column names, by code."""
    return by_key(ctx.session, PlacementBlock, PlacementBlock.code, (r.raw("block") for r in rows))


def organisations_named(
    ctx: Context, rows: list[Row], column: str = "organisation"
) -> dict[str, Organisation]:
    """The organisations the file's ``column`` names (``hei`` for HEIs), by code."""
    return by_key(ctx.session, Organisation, Organisation.code, (r.raw(column) for r in rows))


def settings_named(ctx: Context, rows: list[Row]) -> dict[str, PlacementSetting]:
    """The placement settings the file's ``setting_id`` column names, by code."""
    wanted = (r.raw("setting_id") for r in rows)
    return by_key(ctx.session, PlacementSetting, PlacementSetting.code, wanted)


def programme_list(
    row: Row,
    known: Callable[[str], bool],
    what: str = "programme codes",
    *,
    limit: int | None = None,
) -> list[str] | None:
    """The ``programmes`` cell's entries: ``*`` alone, or ``;``-separated entries that are all
    ``known``; a problem naming ``what`` was expected otherwise. None when the cell is empty."""
    text = row.text("programmes", limit=limit)
    if text is None:
        return None
    entries = [c.strip() for c in text.split(";") if c.strip()]
    unknown = [c for c in entries if c != ANY_PROGRAMME and not known(c)]
    if ANY_PROGRAMME in entries and len(entries) > 1:
        row.problem("programmes", f"write * alone, or a list of {what}")
    elif unknown:
        row.problem("programmes", f"unknown {what}: {', '.join(unknown)}")
    elif not entries:
        row.problem("programmes", f"list {what} separated by ;, or * for any")
    return entries


def find_cohort(
    row: Row,
    cohorts: dict[tuple[int, int, int, int], Cohort],
    hei: Organisation,
    programme: Programme,
    intake: tuple[int, int],
) -> Cohort | None:
    """The cohort of an HEI programme's intake; a problem on ``intake`` when there is none."""
    assert hei.id is not None and programme.id is not None
    cohort = cohorts.get((hei.id, programme.id, *intake))
    if cohort is None:
        row.problem(
            "intake",
            f"no cohort of {programme.code} at {hei.code} with this intake; import cohorts first",
        )
    return cohort


def of_hei_programme(
    hei: Organisation, programme: Programme, tail: str, **rest: object
) -> tuple[str, dict[str, object]]:
    """The label and natural-key fields of a record of one HEI's programme (a cohort, a
    calendar entry): ``hei/programme/tail`` and the ids, then ``rest`` in order."""
    label = f"{hei.code}/{programme.code}/{tail}"
    return label, {"hei_id": hei.id, "programme_id": programme.id, **rest}


def plan_coded(
    ctx: Context,
    rows: list[Row],
    model: type[M],
    what: str,
    values_of: Callable[[Row], dict[str, Any]],
    check: Callable[[Row, M | None, dict[str, Any]], None] | None = None,
) -> list[Action]:
    """Upsert registers keyed by a ``code`` column: each row's values, once per code.

    ``check`` adds the kind's own checks of a row against the stored record (or None).
    """
    column = model.code  # type: ignore[attr-defined]
    existing = by_key(ctx.session, model, column, (r.raw("code") for r in rows))
    seen: dict[str, int] = {}
    actions = []
    for row in rows:
        code = row.text("code", limit=max_length(column))
        values = values_of(row)
        if code is not None:
            row.first_time(seen, code, "code", what)
        stored = existing.get(code) if code else None
        if check is not None:
            check(row, stored, values)
        if row.bad or code is None:
            continue
        actions.append(upsert(model, stored, code, values, create={"code": code}))
    return actions
