"""The supervision capacity register's writes: grid saves and bulk adjustments.

See ``services.registers`` for the checks and locking every register write shares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlmodel import Session, col, select

from tracker.access import Principal
from tracker.data.importers.core import MAX_COUNT
from tracker.measures.capacity import adjusted_supervisors
from tracker.models import (
    Organisation,
    PlacementBlock,
    PlacementSetting,
    SupervisionCapacity,
)
from tracker.services.audit import record_audit
from tracker.services.registers import (
    STALE,
    SaveRefused,
    StaleEdit,
    changed_only,
    conditional_update,
    require_staff,
    validate_rows,
)

#: Learners one supervisor may support, as the capacity importer accepts them.
LEARNERS_PER_SUPERVISOR_RANGE = (1, 20)


#: Grid columns -> the capacity import file's columns, so problems name what the user edited.
CAPACITY_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "practice_supervisors": "supervisors",
        "learners_per_supervisor": "learners_per_supervisor",
        "practice_assessors": "assessors",
        "practice_educators": "educators",
    }
)


@dataclass(frozen=True)
class CapacityEdit:
    """One grid row as the user saved it, with the version they loaded."""

    id: int
    version: int
    practice_supervisors: Any
    learners_per_supervisor: Any
    practice_assessors: Any = 0
    practice_educators: Any = 0

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> CapacityEdit:
        return cls(
            id=int(row["id"]),
            version=int(row["version"]),
            **{field: row.get(field) for field in CAPACITY_FIELDS},
        )


def _whole(value: Any) -> Any:
    """Whole numbers as ints (the grid sends 3.0 or "3"), anything else as typed, so the
    importer's checks see exactly what the user entered."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and value.strip() else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _capacity_labels(session: Session, rows: Iterable[SupervisionCapacity]) -> dict[int, str]:
    rows = list(rows)
    codes = dict(
        session.exec(
            select(PlacementSetting.id, PlacementSetting.code).where(
                col(PlacementSetting.id).in_({r.setting_id for r in rows})
            )
        ).all()
    )
    blocks = dict(session.exec(select(PlacementBlock.id, PlacementBlock.code)).all())
    return {
        r.id or 0: f"{codes[r.setting_id]}/{blocks[r.block_id]}/{r.profession_group}" for r in rows
    }


def _capacity_values(row: SupervisionCapacity) -> dict[str, int]:
    return {field: int(getattr(row, field)) for field in CAPACITY_FIELDS}


def _write_capacity(
    session: Session,
    principal: Principal,
    action: str,
    row: SupervisionCapacity,
    *,
    seen: int,
    label: str,
    new: dict[str, int],
    with_places: bool = False,
) -> None:
    """One capacity row's change: the update (refused if the row moved on since version
    ``seen``) and its audit row of the counts it changed (``with_places``: and the places)."""
    assert row.id is not None
    old, old_places = _capacity_values(row), row.places
    conditional_update(session, SupervisionCapacity, row.id, seen, new)
    before, after = changed_only(old, new)
    if with_places:
        before["places"] = old_places
        after["places"] = new["practice_supervisors"] * new["learners_per_supervisor"]
    record_audit(
        session,
        principal,
        action,
        entity="supervision_capacity",
        entity_id=label,
        old=before,
        new=after,
    )


def save_capacity_rows(
    session: Session, *, principal: Principal, rows: Sequence[CapacityEdit | Mapping[str, Any]]
) -> int:
    """Save a batch of edited capacity rows: every row valid and current, or none saved.

    Rows whose values equal the database are skipped (the grid sends every row it shows), so
    only real changes need a current version and write an audit row. Returns the rows changed.
    """
    require_staff(principal, "edit supervision capacity")
    edits = [r if isinstance(r, CapacityEdit) else CapacityEdit.from_row(r) for r in rows]
    wanted = [e.id for e in edits]
    query = select(SupervisionCapacity).where(col(SupervisionCapacity.id).in_(wanted))
    current = {c.id: c for c in session.exec(query).all()}
    labels = _capacity_labels(session, current.values())
    problems: list[str] = []
    changed: list[tuple[CapacityEdit, SupervisionCapacity, dict[str, Any]]] = []
    for edit in edits:
        row = current.get(edit.id)
        if row is None:
            problems.append(f"capacity row {edit.id} no longer exists — reload")
            continue
        typed = {field: _whole(getattr(edit, field)) for field in CAPACITY_FIELDS}
        if typed == _capacity_values(row):
            continue
        if edit.version != row.version:
            problems.append(f"{labels[edit.id]}: {STALE}")
            continue
        changed.append((edit, row, typed))
    if problems:
        raise StaleEdit(problems) if all(STALE in p for p in problems) else SaveRefused(problems)
    if not changed:
        return 0
    check_rows = []
    for _edit, row, typed in changed:
        setting, block, group = labels[row.id or 0].rsplit("/", 2)
        check_rows.append(
            {
                "setting_id": setting,
                "block": block,
                "profession_group": group,
                **{CAPACITY_FIELDS[field]: typed[field] for field in CAPACITY_FIELDS},
            }
        )
    validate_rows(
        session,
        principal,
        "capacity",
        check_rows,
        labels=[labels[row.id or 0] for _e, row, _t in changed],
    )
    for edit, row, typed in changed:
        new = {field: int(typed[field] or 0) for field in CAPACITY_FIELDS}
        _write_capacity(
            session,
            principal,
            "save_capacity",
            row,
            seen=edit.version,
            label=labels[edit.id],
            new=new,
            with_places=True,
        )
    session.flush()
    session.expire_all()
    return len(changed)


@dataclass(frozen=True)
class BulkResult:
    """What a bulk change did; ``floored`` rows would have gone below zero supervisors."""

    rows: int
    floored: int
    places_before: int
    places_after: int
    preview: bool = False

    def summary(self) -> str:
        verb = "would change" if self.preview else "changed"
        text = (
            f"{self.rows:,} capacity rows {verb}: places {self.places_before:,} → "
            f"{self.places_after:,}."
        )
        if self.floored:
            stop = "would stop" if self.preview else "stopped"
            text += f" {self.floored:,} rows {stop} at 0 supervisors."
        return text


def _check_bulk_change(
    organisation: str | None,
    sector: str | None,
    deltas: tuple[int, int, int],
    learners_per_supervisor: int | None,
) -> None:
    """Refuse a bulk change with no scope, nothing to change or implausible numbers."""
    delta_supervisors, delta_assessors, delta_educators = deltas
    if organisation is None and sector is None:
        raise SaveRefused(["choose an organisation or a sector to change"])
    if not (delta_supervisors or delta_assessors or delta_educators or learners_per_supervisor):
        raise SaveRefused(
            [
                "nothing to change: give a number of supervisors, assessors, "
                "educators or learners per supervisor"
            ]
        )
    low, high = LEARNERS_PER_SUPERVISOR_RANGE
    if learners_per_supervisor is not None and not low <= learners_per_supervisor <= high:
        raise SaveRefused([f"learners per supervisor must be between {low} and {high}"])
    for name, delta in (
        ("supervisors", delta_supervisors),
        ("assessors", delta_assessors),
        ("educators", delta_educators),
    ):
        if abs(delta) > MAX_COUNT:
            raise SaveRefused([f"{name}: a change of {delta} is not plausible"])


def _bulk_rows(
    session: Session,
    organisation: str | None,
    sector: str | None,
    from_block: str | None,
    profession_group: str | None,
) -> list[SupervisionCapacity]:
    """The capacity rows a bulk change applies to, in id order; refused when none match."""
    query = (
        select(SupervisionCapacity)
        .join(PlacementSetting, col(PlacementSetting.id) == SupervisionCapacity.setting_id)
        .join(PlacementBlock, col(PlacementBlock.id) == SupervisionCapacity.block_id)
    )
    if organisation is not None:
        org = session.exec(select(Organisation).where(Organisation.code == organisation)).first()
        if org is None:
            raise SaveRefused([f"no organisation with code {organisation!r}"])
        query = query.where(PlacementSetting.organisation_id == org.id)
    if sector is not None:
        query = query.where(PlacementSetting.sector == sector)
    if from_block is not None:
        block = session.exec(
            select(PlacementBlock).where(PlacementBlock.code == from_block)
        ).first()
        if block is None:
            raise SaveRefused([f"no placement block with code {from_block!r}"])
        query = query.where(PlacementBlock.start_date >= block.start_date)
    if profession_group is not None:
        query = query.where(SupervisionCapacity.profession_group == profession_group)
    rows = list(session.exec(query.order_by(col(SupervisionCapacity.id))).all())
    if not rows:
        raise SaveRefused(["no capacity rows match: nothing changed"])
    return rows


def _audit_bulk_change(
    session: Session, principal: Principal, result: BulkResult, scope: Mapping[str, Any]
) -> None:
    """The one audit row for the whole change: places before and after, and what was asked."""
    chosen = ("organisation", "sector", "from_block", "profession_group")
    record_audit(
        session,
        principal,
        "bulk_adjust_capacity",
        entity="supervision_capacity",
        old={"places": result.places_before},
        new={
            "places": result.places_after,
            **{k: v for k, v in scope.items() if k not in chosen},
            **{k: scope[k] for k in chosen if scope[k] is not None},
        },
        detail=result.summary(),
    )


def _changed_values(
    old: dict[str, int], deltas: tuple[int, int, int], learners_per_supervisor: int | None
) -> tuple[dict[str, int], bool]:
    """One capacity row's counts after a bulk change, and whether one stopped at zero."""
    new = dict(old)
    hit_floor = False
    for field, delta in zip(
        ("practice_supervisors", "practice_assessors", "practice_educators"), deltas, strict=True
    ):
        new[field], floor = adjusted_supervisors(old[field], delta)
        hit_floor |= floor
    if learners_per_supervisor is not None:
        new["learners_per_supervisor"] = learners_per_supervisor
    return new, hit_floor


def bulk_adjust_capacity(
    session: Session,
    *,
    principal: Principal,
    organisation: str | None = None,
    sector: str | None = None,
    from_block: str | None = None,
    profession_group: str | None = None,
    delta_supervisors: int = 0,
    delta_assessors: int = 0,
    delta_educators: int = 0,
    learners_per_supervisor: int | None = None,
    preview: bool = False,
) -> BulkResult:
    """Change capacity for every row of an organisation or sector, from a block onwards.

    With ``preview`` nothing is written: the result says what the change would do ("402
    capacity rows would change: places 1,207 → 2,011"), for the page to ask to confirm.

    "+2 supervisors in every care home from block 3": ``sector="care_home"``,
    ``from_block="2026-B3"``, ``delta_supervisors=2``. Counts never go below zero (a home with
    one supervisor that loses two ends with none; the result says how many rows stopped there).
    Only existing capacity rows change; a setting offering nothing yet is added in the grid or
    by import. One audit row per changed capacity row, all in one transaction.
    """
    require_staff(principal, "edit supervision capacity")
    _check_bulk_change(
        organisation,
        sector,
        (delta_supervisors, delta_assessors, delta_educators),
        learners_per_supervisor,
    )
    rows = _bulk_rows(session, organisation, sector, from_block, profession_group)
    labels = _capacity_labels(session, rows)
    floored = before = after = 0
    changed = 0
    for row in rows:
        old = _capacity_values(row)
        new, hit_floor = _changed_values(
            old, (delta_supervisors, delta_assessors, delta_educators), learners_per_supervisor
        )
        floored += hit_floor
        before += row.places
        after += new["practice_supervisors"] * new["learners_per_supervisor"]
        if new == old:
            continue
        changed += 1
        if preview:
            continue
        label = labels[row.id or 0]
        _write_capacity(
            session, principal, "bulk_adjust_capacity", row, seen=row.version, label=label, new=new
        )
    result = BulkResult(changed, floored, before, after, preview)
    if preview:
        return result
    scope = {
        "organisation": organisation,
        "sector": sector,
        "from_block": from_block,
        "profession_group": profession_group,
        "delta_supervisors": delta_supervisors,
        "delta_assessors": delta_assessors,
        "delta_educators": delta_educators,
        "learners_per_supervisor": learners_per_supervisor,
    }
    _audit_bulk_change(session, principal, result, scope)
    session.flush()
    session.expire_all()
    return result
