"""The settings register's writes: save, deactivate and delete a placement setting.

See ``services.registers`` for the checks and locking every register write shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, delete, func, select

from tracker.access import Principal
from tracker.data.importers.capacity import link_programmes
from tracker.models import (
    Organisation,
    Placement,
    PlacementSetting,
    Programme,
    SettingProgramme,
    SupervisionCapacity,
)
from tracker.services.audit import record_audit
from tracker.services.registers import (
    SaveRefused,
    add_or_update,
    conditional_update,
    delete_recorded,
    no_longer_exists,
    record_saved,
    require_current,
    require_staff,
    validate_rows,
)


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
    contact_email: str | None = None
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
        "contact_email": setting.contact_email,
        "active": setting.active,
    }


def _stored_setting(session: Session, setting_id: int) -> PlacementSetting:
    setting = session.get(PlacementSetting, setting_id)
    if setting is None:
        raise no_longer_exists("setting")
    return setting


def _setting_for(
    session: Session, principal: Principal, setting_id: int, action: str
) -> PlacementSetting:
    """The stored setting a staff member acts on (``action`` names it in the refusal)."""
    require_staff(principal, action)
    return _stored_setting(session, setting_id)


def _setting_to_edit(
    session: Session, setting: SettingInput, setting_id: int | None, version: int | None
) -> PlacementSetting | None:
    """The stored setting an edit changes (None for a new one), refusing stale edits, a
    changed code and a new setting that reuses a code."""
    existing = None
    if setting_id is not None:
        existing = _stored_setting(session, setting_id)
        require_current(version, existing.version)
        if setting.code != existing.code:
            raise SaveRefused(["setting_id: the code of an existing setting cannot be changed"])
    elif (
        session.exec(
            select(PlacementSetting.id).where(PlacementSetting.code == setting.code)
        ).first()
        is not None
    ):
        raise SaveRefused([f"setting_id: a setting with code {setting.code!r} already exists"])
    return existing


def _setting_values(
    session: Session, setting: SettingInput, programmes: list[str], name: str
) -> tuple[dict[str, Any], list[int]]:
    """The setting's column values and the ids of the programmes it hosts (none for any)."""
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
        "name": name,
        "sector": setting.sector,
        "hosts_any_programme": any_programme,
        "lat": setting.lat,
        "lon": setting.lon,
        "postcode_district": postcode,
        "contact_email": (setting.contact_email or "").strip() or None,
        "active": setting.active,
    }
    return values, programme_ids


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
    require_staff(principal, "edit placement settings")
    existing = _setting_to_edit(session, setting, setting_id, version)
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
        "contact_email": setting.contact_email or "",
        "active": "yes" if setting.active else "no",
    }
    validate_rows(session, principal, "settings", [row])
    values, programme_ids = _setting_values(session, setting, programmes, row["name"])
    old = None if existing is None else _setting_snapshot(session, existing)
    if existing is None:
        values["code"] = row["setting_id"]  # the key: given once, never changed by an edit
    target: PlacementSetting = add_or_update(session, PlacementSetting, existing, version, values)
    link_programmes(programme_ids)(session, target)
    session.flush()
    record_saved(
        session,
        principal,
        "save_setting",
        entity="placement_setting",
        entity_id=target.code,
        old=old,
        new=_setting_snapshot(session, target),
    )
    return target


def deactivate_setting(
    session: Session, *, principal: Principal, setting_id: int, version: int
) -> PlacementSetting:
    """Take a setting out of use: kept with its history, offered to no new allocation."""
    setting = _setting_for(session, principal, setting_id, "deactivate placement settings")
    conditional_update(session, PlacementSetting, setting_id, version, {"active": False})
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
    setting = _setting_for(session, principal, setting_id, "delete placement settings")
    require_current(version, setting.version)
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
    delete_recorded(
        session,
        principal,
        setting,
        "delete_setting",
        entity="placement_setting",
        entity_id=setting.code,
        old=old,
    )
