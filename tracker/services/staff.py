"""The practice staff and academic assessors registers' writes: record, edit and delete.

Coordinators and administrators keep practice staff (``services.registers.require_staff``);
HEIs read it only. Academic assessors are kept by their own HEI, and by staff for any HEI
(the ``academic-assessors`` import's "hei" rule, the same as requests and calendars). Values
are checked by the import kinds' own planners, so a form and a file obey one set of rules; see
``services.registers`` for the locking and refusals every register write shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from tracker.access import AccessDenied, Principal, may_edit_registers, require_hei
from tracker.data.importers.staff import (
    DEFAULT_MAX_LEARNERS,
    ROLE_FLAGS,
    link_settings,
    programme_fields,
    split,
)
from tracker.models import (
    AcademicAssessor,
    Organisation,
    Placement,
    PlacementSetting,
    PracticeStaff,
    PracticeStaffSetting,
)
from tracker.queries.staff import roles_of
from tracker.services import registers
from tracker.services.registers import SaveRefused

Snapshot = dict[str, Any]


@dataclass(frozen=True)
class StaffInput:
    """A member of practice staff as typed in the form, in the import file's codes."""

    staff_ref: str
    organisation: str
    settings: Sequence[str]
    roles: Sequence[str]  # practice_supervisor, practice_assessor, practice_educator
    profession_group: str
    field: str | None = None
    prepared_on: date | None = None
    max_learners: int | None = None  # None: DEFAULT_MAX_LEARNERS
    display_name: str | None = None
    active: bool = True


@dataclass(frozen=True)
class AssessorInput:
    """An academic assessor as typed in the form."""

    hei: str
    staff_ref: str
    programmes: Sequence[str] = ("*",)
    display_name: str | None = None
    active: bool = True


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def staff_row(person: StaffInput) -> dict[str, str]:
    """The staff member as a row of the practice_staff import file."""
    limit = DEFAULT_MAX_LEARNERS if person.max_learners is None else person.max_learners
    return {
        "staff_id": person.staff_ref.strip(),
        "organisation": person.organisation.strip(),
        "setting_id": ";".join(s.strip() for s in person.settings if s and s.strip()),
        "roles": ";".join(r for r in person.roles if r),
        "profession_group": person.profession_group,
        "field": (person.field or "").strip(),
        "prepared_on": "" if person.prepared_on is None else person.prepared_on.isoformat(),
        "max_learners": str(limit),
        "display_name": (person.display_name or "").strip(),
        "active": _yes(person.active),
    }


def _stored_staff(session: Session, staff_id: int) -> tuple[PracticeStaff, Snapshot]:
    person = session.get(PracticeStaff, staff_id)
    if person is None:
        raise registers.no_longer_exists("staff member")
    org = session.get(Organisation, person.organisation_id)
    codes = session.exec(
        select(PlacementSetting.code)
        .join(PracticeStaffSetting, col(PracticeStaffSetting.setting_id) == PlacementSetting.id)
        .where(PracticeStaffSetting.staff_id == staff_id)
        .order_by(col(PlacementSetting.code))
    ).all()
    snapshot = {
        "staff_id": person.staff_ref,
        "organisation": org.code if org else "?",
        "setting_id": ";".join(codes),
        "roles": roles_of(person),
        "profession_group": person.profession_group,
        "field": person.field or "",
        "prepared_on": "" if person.prepared_on is None else person.prepared_on.isoformat(),
        "max_learners": str(person.max_learners),
        "display_name": person.display_name or "",
        "active": _yes(person.active),
    }
    return person, snapshot


def _staff_values(session: Session, row: dict[str, str]) -> tuple[dict[str, Any], set[int]]:
    org_id = session.exec(
        select(Organisation.id).where(Organisation.code == row["organisation"])
    ).one()
    setting_ids = set(
        session.exec(
            select(PlacementSetting.id).where(
                col(PlacementSetting.code).in_(split(row["setting_id"]))
            )
        ).all()
    )
    held = {code.lower().replace(" ", "_") for code in split(row["roles"])}
    fields = programme_fields(session)
    values: dict[str, Any] = {
        "organisation_id": org_id,
        "staff_ref": row["staff_id"],
        "display_name": row["display_name"] or None,
        "profession_group": row["profession_group"],
        "field": fields.get(row["field"].lower()) if row["field"] else None,
        **{flag: code in held for code, flag in ROLE_FLAGS.items()},
        "prepared_on": date.fromisoformat(row["prepared_on"]) if row["prepared_on"] else None,
        "max_learners": int(row["max_learners"]),
        "active": row["active"] == "yes",
    }
    return values, {s for s in setting_ids if s is not None}


def _refuse_taken(
    session: Session, model: Any, owner: str, values: Snapshot, own: int | None
) -> None:
    clash = session.exec(
        select(model.id).where(
            getattr(model, owner) == values[owner], model.staff_ref == values["staff_ref"]
        )
    ).first()
    if clash is not None and clash != own:
        raise SaveRefused(["staff_id: this reference is already on the register — edit that one"])


def save_practice_staff(
    session: Session,
    *,
    principal: Principal,
    person: StaffInput,
    staff_id: int | None = None,
    version: int | None = None,
) -> PracticeStaff:
    """Record a member of practice staff (``staff_id`` None) or edit one at the ``version`` the
    user opened; their settings are replaced by the ones given."""
    registers.require_staff(principal, "edit the practice staff register")
    existing, old = (None, None) if staff_id is None else _stored_staff(session, staff_id)
    if existing is not None:
        registers.require_current(version, existing.version)
    row = staff_row(person)
    registers.validate_rows(session, principal, "practice-staff", [row])
    values, setting_ids = _staff_values(session, row)
    _refuse_taken(session, PracticeStaff, "organisation_id", values, staff_id)
    target: PracticeStaff = registers.add_or_update(
        session, PracticeStaff, existing, version, values
    )
    link_settings(setting_ids)(session, target)
    session.flush()
    registers.record_saved(
        session,
        principal,
        "save_practice_staff",
        entity="practice_staff",
        entity_id=f"{row['organisation']}/{row['staff_id']}",
        old=old,
        new=row,
    )
    return target


def delete_practice_staff(
    session: Session, *, principal: Principal, staff_id: int, version: int
) -> None:
    """Remove a staff member entered by mistake (someone who has left is made inactive)."""
    registers.require_staff(principal, "delete practice staff")
    person, old = _stored_staff(session, staff_id)
    registers.require_current(version, person.version)
    named = select(Placement.id).where(
        (Placement.practice_supervisor_id == staff_id)
        | (Placement.practice_assessor_id == staff_id)
    )
    if session.exec(named.limit(1)).first() is not None:
        raise SaveRefused(
            ["this person is named on placements as a supervisor or assessor: make them "
             "inactive instead"]
        )  # fmt: skip
    link_settings(set())(session, person)
    registers.delete_recorded(
        session,
        principal,
        person,
        "delete_practice_staff",
        entity="practice_staff",
        entity_id=f"{old['organisation']}/{old['staff_id']}",
        old=old,
    )


def _may_keep_assessors(principal: Principal) -> None:
    if not (may_edit_registers(principal) or principal.is_hei):
        raise AccessDenied(f"Your role ({principal.role.value}) may not edit academic assessors.")


def _stored_assessor(
    session: Session, principal: Principal, assessor_id: int
) -> tuple[AcademicAssessor, Snapshot]:
    assessor = session.get(AcademicAssessor, assessor_id)
    if assessor is None or (principal.is_hei and assessor.hei_id != principal.hei_id):
        raise registers.no_longer_exists("academic assessor")  # another HEI's reads as none
    hei = session.get(Organisation, assessor.hei_id)
    return assessor, {
        "hei": hei.code if hei else "?",
        "staff_id": assessor.staff_ref,
        "programmes": assessor.programmes,
        "display_name": assessor.display_name or "",
        "active": _yes(assessor.active),
    }


def save_academic_assessor(
    session: Session,
    *,
    principal: Principal,
    assessor: AssessorInput,
    assessor_id: int | None = None,
    version: int | None = None,
) -> AcademicAssessor:
    """Record or edit an academic assessor; an HEI user only for their own HEI."""
    _may_keep_assessors(principal)
    existing, old = (
        (None, None) if assessor_id is None else _stored_assessor(session, principal, assessor_id)
    )
    if existing is not None:
        registers.require_current(version, existing.version)
    row = {
        "hei": assessor.hei.strip(),
        "staff_id": assessor.staff_ref.strip(),
        "programmes": ";".join(p.strip() for p in assessor.programmes if p and p.strip()),
        "display_name": (assessor.display_name or "").strip(),
        "active": _yes(assessor.active),
    }
    registers.validate_rows(session, principal, "academic-assessors", [row])
    hei_id = session.exec(select(Organisation.id).where(Organisation.code == row["hei"])).one()
    assert hei_id is not None
    require_hei(principal, hei_id, "keep academic assessors")
    values: Snapshot = {
        "hei_id": hei_id,
        "staff_ref": row["staff_id"],
        "programmes": row["programmes"],
        "display_name": row["display_name"] or None,
        "active": assessor.active,
    }
    _refuse_taken(session, AcademicAssessor, "hei_id", values, assessor_id)
    target: AcademicAssessor = registers.add_or_update(
        session, AcademicAssessor, existing, version, values
    )
    registers.record_saved(
        session,
        principal,
        "save_academic_assessor",
        entity="academic_assessor",
        entity_id=f"{row['hei']}/{row['staff_id']}",
        old=old,
        new=row,
    )
    return target


def delete_academic_assessor(
    session: Session, *, principal: Principal, assessor_id: int, version: int
) -> None:
    """Remove an academic assessor entered by mistake (one who has left is made inactive)."""
    _may_keep_assessors(principal)
    assessor, old = _stored_assessor(session, principal, assessor_id)
    registers.require_current(version, assessor.version)
    registers.delete_recorded(
        session,
        principal,
        assessor,
        "delete_academic_assessor",
        entity="academic_assessor",
        entity_id=f"{old['hei']}/{old['staff_id']}",
        old=old,
    )
