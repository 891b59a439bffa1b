"""Writes to the placement registers and HEI requests, named by what the user does.

Each function works inside the caller's transaction (``session_scope``) and either writes every
change with its audit rows or raises having written nothing the caller will commit. Values are
checked by the importers' own planners (``tracker.data.importers.validate``), so a register
typed into the app and one loaded from a file obey exactly the same rules.

Edits carry the ``version`` the user saw. The write is a conditional UPDATE on that version, so
a save based on a stale copy is refused even when two saves race, never silently overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any
from uuid import uuid4

import pandas as pd
from sqlalchemy import update
from sqlmodel import Session, col, delete, func, select

from tracker.access import AccessDenied, Principal, may_edit_registers, require_hei
from tracker.clock import utcnow
from tracker.data.importers import validate
from tracker.data.importers.core import MAX_COUNT
from tracker.measures.capacity import adjusted_supervisors
from tracker.models import (
    Cohort,
    Organisation,
    Placement,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    Programme,
    ProgrammeCalendar,
    RequestStatus,
    SettingProgramme,
    SupervisionCapacity,
)
from tracker.refusals import Refused
from tracker.services.audit import record_audit

STALE = "changed by someone else since you opened it — reload"
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


class SaveRefused(Refused):
    """Nothing was saved; ``problems`` lists every reason, each safe to show the user."""


class StaleEdit(SaveRefused):
    """The record changed since the user loaded it."""


def _require_staff(principal: Principal, action: str) -> None:
    if not may_edit_registers(principal):
        raise AccessDenied(f"Your role ({principal.role.value}) may not {action}.")


def _check(
    session: Session,
    principal: Principal,
    kind: str,
    rows: list[dict[str, Any]],
    labels: Sequence[str] | None = None,
) -> None:
    """Run the importer's checks on rows shaped like its file; refuse with every problem."""
    frame = pd.DataFrame(rows).fillna("").astype(str)
    report = validate(session, principal, kind, frame)
    if report.ok:
        return
    problems = []
    for p in report.problems:
        where = labels[p.row - 2] + ", " if labels and 0 <= p.row - 2 < len(labels) else ""
        shown = f" (value {p.value!r})" if p.value else ""
        problems.append(f"{where}{p.column}: {p.message}{shown}")
    raise SaveRefused(problems)


def _conditional_update(
    session: Session, model: Any, row_id: int, version: int, values: Mapping[str, Any]
) -> None:
    """UPDATE ... WHERE version = the version the user saw; no row hit means a stale edit."""
    statement = (
        update(model)
        .where(model.id == row_id, model.version == version)
        .values(**values, version=version + 1)
        .execution_options(synchronize_session="fetch")
    )
    result = session.exec(statement)
    if result.rowcount != 1:
        raise StaleEdit([STALE])


# --- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingInput:
    """A setting as typed in the form: codes, not ids, as in the settings import file."""

    code: str
    organisation: str
    name: str
    sector: str
    programmes: Sequence[str]  # programme codes, or ["*"] for any programme
    lat: float | None = None
    lon: float | None = None
    postcode_district: str | None = None
    active: bool = True


def _setting_snapshot(session: Session, setting: PlacementSetting) -> dict[str, Any]:
    org = session.get(Organisation, setting.organisation_id)
    codes = session.exec(
        select(Programme.code)
        .join(SettingProgramme)
        .where(SettingProgramme.setting_id == setting.id)
        .order_by(Programme.code)
    ).all()
    return {
        "code": setting.code,
        "organisation": org.code if org else None,
        "name": setting.name,
        "sector": setting.sector,
        "programmes": "*" if setting.hosts_any_programme else ";".join(codes),
        "lat": setting.lat,
        "lon": setting.lon,
        "postcode_district": setting.postcode_district,
        "active": setting.active,
    }


def save_setting(
    session: Session,
    *,
    principal: Principal,
    setting: SettingInput,
    setting_id: int | None = None,
    version: int | None = None,
) -> PlacementSetting:
    """Add a setting (``setting_id`` None) or edit one at the ``version`` the user opened.

    The code is the setting's key in files, capacity and the allocator, so it cannot be changed
    by an edit; a new setting may not reuse an existing code.
    """
    _require_staff(principal, "edit placement settings")
    existing = None
    if setting_id is not None:
        existing = session.get(PlacementSetting, setting_id)
        if existing is None:
            raise SaveRefused(["this setting no longer exists — reload"])
        if version is None or existing.version != version:
            raise StaleEdit([STALE])
        if setting.code != existing.code:
            raise SaveRefused(["setting_id: the code of an existing setting cannot be changed"])
    elif (
        session.exec(
            select(PlacementSetting.id).where(PlacementSetting.code == setting.code)
        ).first()
        is not None
    ):
        raise SaveRefused([f"setting_id: a setting with code {setting.code!r} already exists"])
    programmes = [p.strip() for p in setting.programmes if p and p.strip()]
    row = {
        "setting_id": setting.code.strip(),
        "organisation": setting.organisation,
        "name": setting.name.strip(),
        "sector": setting.sector,
        "programmes": ";".join(programmes),
        "lat": "" if setting.lat is None else repr(float(setting.lat)),
        "lon": "" if setting.lon is None else repr(float(setting.lon)),
        "postcode_district": setting.postcode_district or "",
        "active": "yes" if setting.active else "no",
    }
    _check(session, principal, "settings", [row])
    org = session.exec(select(Organisation).where(Organisation.code == setting.organisation)).one()
    any_programme = programmes == ["*"]
    programme_ids: list[int] = (
        []
        if any_programme
        else [
            pid
            for pid in session.exec(
                select(Programme.id).where(col(Programme.code).in_(programmes))
            ).all()
            if pid is not None
        ]
    )
    postcode = (setting.postcode_district or "").upper().replace(" ", "") or None
    values: dict[str, Any] = {
        "organisation_id": org.id,
        "name": row["name"],
        "sector": setting.sector,
        "hosts_any_programme": any_programme,
        "lat": setting.lat,
        "lon": setting.lon,
        "postcode_district": postcode,
        "active": setting.active,
    }
    if existing is None:
        target = PlacementSetting(code=row["setting_id"], **values)
        session.add(target)
        session.flush()
        old = None
    else:
        old = _setting_snapshot(session, existing)
        assert existing.id is not None and version is not None
        _conditional_update(session, PlacementSetting, existing.id, version, values)
        session.refresh(existing)
        target = existing
    session.exec(delete(SettingProgramme).where(col(SettingProgramme.setting_id) == target.id))
    assert target.id is not None
    for pid in sorted(programme_ids):
        session.add(SettingProgramme(setting_id=target.id, programme_id=pid))
    session.flush()
    new = _setting_snapshot(session, target)
    if old is not None:
        old, new = (
            {k: v for k, v in old.items() if old[k] != new[k]},
            {k: v for k, v in new.items() if old[k] != new[k]},
        )
    record_audit(
        session,
        principal,
        "save_setting",
        entity="placement_setting",
        entity_id=target.code,
        old=old,
        new=new,
    )
    return target


def deactivate_setting(
    session: Session, *, principal: Principal, setting_id: int, version: int
) -> PlacementSetting:
    """Take a setting out of use: kept with its history, offered to no new allocation."""
    _require_staff(principal, "deactivate placement settings")
    setting = session.get(PlacementSetting, setting_id)
    if setting is None:
        raise SaveRefused(["this setting no longer exists — reload"])
    _conditional_update(session, PlacementSetting, setting_id, version, {"active": False})
    session.refresh(setting)
    record_audit(
        session,
        principal,
        "deactivate_setting",
        entity="placement_setting",
        entity_id=setting.code,
        old={"active": True},
        new={"active": False},
    )
    return setting


def delete_setting(
    session: Session, *, principal: Principal, setting_id: int, version: int
) -> None:
    """Remove a setting entered by mistake; one with placement history is only deactivated."""
    _require_staff(principal, "delete placement settings")
    setting = session.get(PlacementSetting, setting_id)
    if setting is None:
        raise SaveRefused(["this setting no longer exists — reload"])
    if setting.version != version:
        raise StaleEdit([STALE])
    used = session.exec(
        select(func.count()).select_from(Placement).where(Placement.setting_id == setting_id)
    ).one()
    if used:
        raise SaveRefused(
            [
                f"{setting.code} has {used} placement record(s): deactivate it instead, so its "
                "history stays"
            ]
        )
    old = _setting_snapshot(session, setting)
    for model, column in (
        (SettingProgramme, SettingProgramme.setting_id),
        (SupervisionCapacity, SupervisionCapacity.setting_id),
    ):
        session.exec(delete(model).where(col(column) == setting_id))
    session.delete(setting)
    record_audit(
        session,
        principal,
        "delete_setting",
        entity="placement_setting",
        entity_id=setting.code,
        old=old,
    )
    session.flush()


# --- supervision capacity --------------------------------------------------------------------


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


def save_capacity_rows(
    session: Session, *, principal: Principal, rows: Sequence[CapacityEdit | Mapping[str, Any]]
) -> int:
    """Save a batch of edited capacity rows: every row valid and current, or none saved.

    Rows whose values equal the database are skipped (the grid sends every row it shows), so
    only real changes need a current version and write an audit row. Returns the rows changed.
    """
    _require_staff(principal, "edit supervision capacity")
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
    _check(
        session,
        principal,
        "capacity",
        check_rows,
        labels=[labels[row.id or 0] for _e, row, _t in changed],
    )
    for edit, row, typed in changed:
        old = _capacity_values(row)
        old_places = row.places
        new = {field: int(typed[field] or 0) for field in CAPACITY_FIELDS}
        _conditional_update(session, SupervisionCapacity, edit.id, edit.version, new)
        record_audit(
            session,
            principal,
            "save_capacity",
            entity="supervision_capacity",
            entity_id=labels[edit.id],
            old={k: v for k, v in old.items() if v != new[k]} | {"places": old_places},
            new={k: v for k, v in new.items() if v != old[k]}
            | {"places": new["practice_supervisors"] * new["learners_per_supervisor"]},
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

    def summary(self) -> str:
        text = (
            f"{self.rows} capacity rows changed: places {self.places_before:,} -> "
            f"{self.places_after:,}."
        )
        if self.floored:
            text += f" {self.floored} rows stopped at 0 supervisors."
        return text


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
) -> BulkResult:
    """Change capacity for every row of an organisation or sector, from a block onwards.

    "+2 supervisors in every care home from block 3": ``sector="care_home"``,
    ``from_block="2026-B3"``, ``delta_supervisors=2``. Counts never go below zero (a home with
    one supervisor that loses two ends with none; the result says how many rows stopped there).
    Only existing capacity rows change; a setting offering nothing yet is added in the grid or
    by import. One audit row per changed capacity row, all in one transaction.
    """
    _require_staff(principal, "edit supervision capacity")
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
    rows = session.exec(query.order_by(col(SupervisionCapacity.id))).all()
    if not rows:
        raise SaveRefused(["no capacity rows match: nothing changed"])
    labels = _capacity_labels(session, rows)
    floored = before = after = 0
    changed = 0
    for row in rows:
        old = _capacity_values(row)
        new = dict(old)
        hit_floor = False
        for field, delta in (
            ("practice_supervisors", delta_supervisors),
            ("practice_assessors", delta_assessors),
            ("practice_educators", delta_educators),
        ):
            new[field], floor = adjusted_supervisors(old[field], delta)
            hit_floor |= floor
        if learners_per_supervisor is not None:
            new["learners_per_supervisor"] = learners_per_supervisor
        floored += hit_floor
        before += row.places
        after += new["practice_supervisors"] * new["learners_per_supervisor"]
        if new == old:
            continue
        assert row.id is not None
        _conditional_update(session, SupervisionCapacity, row.id, row.version, new)
        changed += 1
        record_audit(
            session,
            principal,
            "bulk_adjust_capacity",
            entity="supervision_capacity",
            entity_id=labels[row.id],
            old={k: v for k, v in old.items() if v != new[k]},
            new={k: v for k, v in new.items() if v != old[k]},
        )
    result = BulkResult(rows=changed, floored=floored, places_before=before, places_after=after)
    scope = {
        "organisation": organisation,
        "sector": sector,
        "from_block": from_block,
        "profession_group": profession_group,
    }
    record_audit(
        session,
        principal,
        "bulk_adjust_capacity",
        entity="supervision_capacity",
        old={"places": before},
        new={
            "places": after,
            "delta_supervisors": delta_supervisors,
            "delta_assessors": delta_assessors,
            "delta_educators": delta_educators,
            "learners_per_supervisor": learners_per_supervisor,
            **{k: v for k, v in scope.items() if v is not None},
        },
        detail=result.summary(),
    )
    session.flush()
    session.expire_all()
    return result


# --- calendar ----------------------------------------------------------------------------------


def save_calendar_entry(
    session: Session,
    *,
    principal: Principal,
    hei: str,
    programme: str,
    block: str,
    start_date: date,
    end_date: date,
    year_of_study: int = 1,
) -> ProgrammeCalendar:
    """Add or move an HEI programme's placement weeks in a block (keyed as in the file).

    HEI users may only change their own HEI's calendar; the weeks must lie inside the block.
    """
    if not (may_edit_registers(principal) or principal.is_hei):
        raise AccessDenied(f"Your role ({principal.role.value}) may not edit calendars.")
    org = session.exec(select(Organisation).where(Organisation.code == hei)).first()
    if org is not None and org.id is not None:
        require_hei(principal, org.id, "edit calendars")
    _check(
        session,
        principal,
        "calendar",
        [
            {
                "hei": hei,
                "programme": programme,
                "block": block,
                "year_of_study": year_of_study,
                "start_date": start_date.isoformat(),
                "end_date": end_date.isoformat(),
            }
        ],
    )
    assert org is not None
    prog = session.exec(select(Programme).where(Programme.code == programme)).one()
    blk = session.exec(select(PlacementBlock).where(PlacementBlock.code == block)).one()
    entry = session.exec(
        select(ProgrammeCalendar).where(
            ProgrammeCalendar.hei_id == org.id,
            ProgrammeCalendar.programme_id == prog.id,
            ProgrammeCalendar.block_id == blk.id,
            ProgrammeCalendar.year_of_study == year_of_study,
        )
    ).first()
    old = None
    assert org.id is not None and prog.id is not None and blk.id is not None
    if entry is None:
        entry = ProgrammeCalendar(
            hei_id=org.id,
            programme_id=prog.id,
            block_id=blk.id,
            year_of_study=year_of_study,
            start_date=start_date,
            end_date=end_date,
        )
    else:
        old = {"start_date": entry.start_date.isoformat(), "end_date": entry.end_date.isoformat()}
        entry.start_date, entry.end_date = start_date, end_date
    session.add(entry)
    session.flush()
    record_audit(
        session,
        principal,
        "save_calendar_entry",
        entity="programme_calendar",
        entity_id=f"{hei}/{programme}/{block}/year {year_of_study}",
        old=old,
        new={"start_date": start_date.isoformat(), "end_date": end_date.isoformat()},
    )
    return entry


# --- HEI requests -------------------------------------------------------------------------------


def submit_request(
    session: Session,
    *,
    principal: Principal,
    cohort_id: int,
    block: str,
    learners: int,
    sector: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
) -> PlacementRequest:
    """An HEI asks for placements for some learners of one of its cohorts in one block."""
    if not (may_edit_registers(principal) or principal.is_hei):
        raise AccessDenied(f"Your role ({principal.role.value}) may not submit requests.")
    found = session.exec(
        select(Cohort, Organisation.code, Programme.code)
        .join(Organisation, col(Organisation.id) == Cohort.hei_id)
        .join(Programme, col(Programme.id) == Cohort.programme_id)
        .where(Cohort.id == cohort_id)
    ).first()
    if found is None:
        raise SaveRefused(["this cohort no longer exists — reload"])
    cohort, hei_code, programme_code = found
    require_hei(principal, cohort.hei_id, "request placements")
    code = f"{hei_code}-{block}-{uuid4().hex[:8].upper()}"
    _check(
        session,
        principal,
        "requests",
        [
            {
                "request_id": code,
                "hei": hei_code,
                "programme": programme_code,
                "block": block,
                "learners": learners,
                "sector": sector or "",
                "intake": cohort.intake,
                "lat": "" if lat is None else repr(float(lat)),
                "lon": "" if lon is None else repr(float(lon)),
            }
        ],
    )
    blk = session.exec(select(PlacementBlock).where(PlacementBlock.code == block)).one()
    assert blk.id is not None
    request = PlacementRequest(
        code=code,
        cohort_id=cohort_id,
        block_id=blk.id,
        learners=int(learners),
        required_sector=sector or None,
        lat=lat,
        lon=lon,
        status=RequestStatus.SUBMITTED.value,
        created_at=utcnow(),
        created_by=principal.username,
    )
    session.add(request)
    session.flush()
    record_audit(
        session,
        principal,
        "submit_request",
        entity="placement_request",
        entity_id=code,
        new={
            "hei": hei_code,
            "programme": programme_code,
            "intake": cohort.intake,
            "block": block,
            "learners": int(learners),
            "sector": sector or None,
        },
    )
    return request


def withdraw_request(
    session: Session, *, principal: Principal, request_id: int, version: int
) -> PlacementRequest:
    """Withdraw a submitted request; kept on record (with its status) rather than deleted."""
    if not (may_edit_registers(principal) or principal.is_hei):
        raise AccessDenied(f"Your role ({principal.role.value}) may not withdraw requests.")
    found = session.exec(
        select(PlacementRequest, Cohort.hei_id)
        .join(Cohort)
        .where(PlacementRequest.id == request_id)
    ).first()
    if found is None:
        raise SaveRefused(["this request no longer exists — reload"])
    request, hei_id = found
    require_hei(principal, hei_id, "withdraw requests")
    if request.status == RequestStatus.WITHDRAWN.value:
        raise SaveRefused([f"request {request.code} is already withdrawn"])
    _conditional_update(
        session, PlacementRequest, request_id, version, {"status": RequestStatus.WITHDRAWN.value}
    )
    session.refresh(request)
    record_audit(
        session,
        principal,
        "withdraw_request",
        entity="placement_request",
        entity_id=request.code,
        old={"status": RequestStatus.SUBMITTED.value},
        new={"status": RequestStatus.WITHDRAWN.value},
    )
    return request
