"""The practice staff and academic assessors registers, as DataFrames keyed by register codes.

Practice staff come one row per person (their settings ``;``-joined), with whether they are
prepared on a day the caller passes (the page passes today), so the grid, its download and the
Home card agree. ``assign_staff`` is the register as the ``assign`` command's staff file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlmodel import Session, col, select

from tracker.access import (
    Principal,
    hei_scope,
    require_academic_assessor_reader,
    require_practice_staff_reader,
)
from tracker.models import (
    AcademicAssessor,
    Organisation,
    PlacementSetting,
    PracticeStaff,
    PracticeStaffSetting,
    Programme,
    SettingProgramme,
    StaffRole,
    SupervisionCapacity,
)
from tracker.queries.filters import narrowed
from tracker.queries.options import frame_of

PREPARED, NOT_PREPARED = "prepared", "not_prepared"

STAFF_COLUMNS = [
    "id",
    "staff_ref",
    "display_name",
    "organisation",
    "settings",
    "roles",
    "profession_group",
    "field",
    "prepared_on",
    "preparation",
    "max_learners",
    "active",
    "version",
]
ASSESSOR_COLUMNS = [
    "id",
    "hei",
    "staff_ref",
    "display_name",
    "assessed_programmes",
    "active",
    "version",
]
#: The ``assign`` command's staff file (``optimise.practice_tables.read_staff``).
ASSIGN_COLUMNS = ["staff_id", "setting_id", "roles", "field", "prepared_on", "max_learners"]


def roles_of(person: PracticeStaff) -> str:
    """The person's roles as role codes in the vocabulary's order, ``;``-joined."""
    held = (person.is_supervisor, person.is_assessor, person.is_educator)
    return ";".join(role.value for role, has in zip(StaffRole, held, strict=True) if has)


def preparation(prepared_on: date | None, today: date) -> str:
    """Prepared once the preparation date has come; no date (or one ahead) is not prepared."""
    return PREPARED if prepared_on is not None and prepared_on <= today else NOT_PREPARED


def _settings_of(session: Session) -> dict[int, list[str]]:
    query = (
        select(PracticeStaffSetting.staff_id, PlacementSetting.code)
        .join(PlacementSetting, col(PlacementSetting.id) == PracticeStaffSetting.setting_id)
        .order_by(col(PlacementSetting.code))
    )
    found: dict[int, list[str]] = defaultdict(list)
    for staff_id, code in session.exec(query).all():
        found[staff_id].append(code)
    return found


def _staff_rows(session: Session, today: date) -> list[dict[str, object]]:
    settings = _settings_of(session)
    query = (
        select(PracticeStaff, Organisation.code)
        .join(Organisation, col(Organisation.id) == PracticeStaff.organisation_id)
        .order_by(col(Organisation.code), col(PracticeStaff.staff_ref))
    )
    return [
        {
            "id": p.id,
            "staff_ref": p.staff_ref,
            "display_name": p.display_name,
            "organisation": org,
            "settings": ";".join(settings.get(p.id or 0, [])),
            "roles": roles_of(p),
            "profession_group": p.profession_group,
            "field": p.field,
            "prepared_on": p.prepared_on,
            "preparation": preparation(p.prepared_on, today),
            "max_learners": p.max_learners,
            "active": p.active,
            "version": p.version,
        }
        for p, org in session.exec(query).all()
    ]


def practice_staff_register(
    session: Session,
    *,
    principal: Principal,
    today: date,
    setting: Sequence[str] = (),
    organisation: Sequence[str] = (),
    role: Sequence[str] = (),
    field: Sequence[str] = (),
    prepared: Sequence[str] = (),
) -> pd.DataFrame:
    """Every member of practice staff, one row per person, filtered by register codes (a
    setting they work at, their organisation, a role they hold, their field, ``prepared`` /
    ``not_prepared`` on ``today``); empty means all."""
    require_practice_staff_reader(principal)
    frame = frame_of(_staff_rows(session, today), STAFF_COLUMNS)
    keep = pd.Series(True, index=frame.index)
    if setting:
        wanted = set(setting)
        keep &= frame["settings"].map(lambda s: bool(wanted & set(s.split(";"))))
    if role:
        wanted_roles = set(role)
        keep &= frame["roles"].map(lambda r: bool(wanted_roles & set(r.split(";"))))
    for column, chosen in (
        ("organisation", organisation),
        ("field", field),
        ("preparation", prepared),
    ):
        if chosen:
            keep &= frame[column].isin(list(chosen))
    return frame[keep].reset_index(drop=True)


def staff_not_prepared(session: Session, *, principal: Principal, today: date) -> pd.DataFrame:
    """Active staff whose preparation for their role is not recorded (or still ahead): they
    may not supervise or assess anyone yet (the Home card)."""
    frame = practice_staff_register(
        session, principal=principal, today=today, prepared=[NOT_PREPARED]
    )
    return frame[frame["active"].astype(bool)].reset_index(drop=True)


def assign_staff(session: Session, *, principal: Principal) -> pd.DataFrame:
    """Active practice staff as the ``assign`` command's staff file, so the register feeds
    stage 2 of the allocator as it is (``max_learners`` counts all the person's settings)."""
    frame = practice_staff_register(session, principal=principal, today=date.max)
    frame = frame[frame["active"].astype(bool) & (frame["settings"] != "")]
    out = pd.DataFrame(
        {
            "staff_id": frame["staff_ref"],
            "setting_id": frame["settings"],
            "roles": frame["roles"],
            "field": frame["field"].fillna(""),
            "prepared_on": frame["prepared_on"].map(lambda d: "" if d is None else d.isoformat()),
            "max_learners": frame["max_learners"],
        },
        columns=ASSIGN_COLUMNS,
    )
    return out.reset_index(drop=True)


def academic_assessors_register(
    session: Session, *, principal: Principal, hei: Sequence[str] = ()
) -> pd.DataFrame:
    """Academic assessors with their HEI: an HEI user reads only its own HEI's."""
    require_academic_assessor_reader(principal)
    query = (
        select(AcademicAssessor, Organisation.code)
        .join(Organisation, col(Organisation.id) == AcademicAssessor.hei_id)
        .order_by(col(Organisation.code), col(AcademicAssessor.staff_ref))
    )
    scope = hei_scope(principal)
    if scope is not None:
        query = query.where(AcademicAssessor.hei_id == scope)
    query = narrowed(query, {"hei": Organisation.code}, {"hei": hei})
    rows = [
        {
            "id": a.id,
            "hei": code,
            "staff_ref": a.staff_ref,
            "display_name": a.display_name,
            "assessed_programmes": a.programmes,
            "active": a.active,
            "version": a.version,
        }
        for a, code in session.exec(query).all()
    ]
    return frame_of(rows, ASSESSOR_COLUMNS)


#: Profession groups whose learners need a practice assessor in their own field (NMC).
NMC_GROUPS = frozenset({"nursing", "midwifery", "nursing_associate"})


def _offered_fields(session: Session) -> dict[int, set[str]]:
    """Per setting, the NMC fields it offers places for: programmes it hosts (or every one,
    if it hosts any) of the profession groups its capacity offers places to."""
    programmes = session.exec(select(Programme)).all()
    hosted: dict[int, set[int]] = defaultdict(set)
    for link in session.exec(select(SettingProgramme)).all():
        hosted[link.setting_id].add(link.programme_id)
    groups: dict[int, set[str]] = defaultdict(set)
    for cap in session.exec(select(SupervisionCapacity)).all():
        if cap.places > 0 and cap.profession_group in NMC_GROUPS:
            groups[cap.setting_id].add(cap.profession_group)
    hosts_any = col(PlacementSetting.hosts_any_programme).is_(True)
    any_programme = set(session.exec(select(PlacementSetting.id).where(hosts_any)).all())
    return {
        setting: {
            p.field
            for p in programmes
            if p.profession_group in wanted
            and (setting in any_programme or p.id in hosted[setting])
        }
        for setting, wanted in groups.items()
    }


def fields_without_assessor(session: Session, *, principal: Principal) -> pd.DataFrame:
    """Settings with named staff that offer places in an NMC field but have no active
    practice assessor in it (``setting_id``, ``field``): learners of that field could not be
    assessed there. Settings with no named staff are "unnamed" and not listed."""
    require_practice_staff_reader(principal)
    assessed: dict[int, set[str]] = defaultdict(set)
    named: set[int] = set()
    query = select(PracticeStaffSetting.setting_id, PracticeStaff).join(
        PracticeStaff, col(PracticeStaff.id) == PracticeStaffSetting.staff_id
    )
    for setting_id, person in session.exec(query).all():
        if person.active:
            named.add(setting_id)
            if person.is_assessor and person.field:
                assessed[setting_id].add(person.field.lower())
    codes = dict(session.exec(select(PlacementSetting.id, PlacementSetting.code)).all())
    rows = [
        {"setting_id": codes[setting], "field": field}
        for setting, fields in _offered_fields(session).items()
        if setting in named
        for field in sorted(fields)
        if field.lower() not in assessed[setting]
    ]
    frame = frame_of(rows, ["setting_id", "field"])
    return frame.sort_values(["setting_id", "field"]).reset_index(drop=True)


UNNAMED = "unnamed"


def _spoken(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def named_staff_counts(session: Session, *, principal: Principal) -> pd.DataFrame:
    """Per setting and profession group, its active named staff in words ("4 supervisors,
    2 assessors"; "2 educators"), beside the capacity register's numeric counts; a setting
    and group with no named staff is absent (the capacity page says "unnamed")."""
    require_practice_staff_reader(principal)
    query = (
        select(PlacementSetting.code, PracticeStaff)
        .join(PracticeStaffSetting, col(PracticeStaffSetting.setting_id) == PlacementSetting.id)
        .join(PracticeStaff, col(PracticeStaff.id) == PracticeStaffSetting.staff_id)
        .where(col(PracticeStaff.active).is_(True))
    )
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for code, person in session.exec(query).all():
        tally = counts[(code, person.profession_group)]
        for i, has in enumerate((person.is_supervisor, person.is_assessor, person.is_educator)):
            tally[i] += int(has)
    rows = [
        {
            "setting_id": code,
            "profession_group": group,
            "named_staff": ", ".join(
                _spoken(n, noun)
                for n, noun in zip(tally, ("supervisor", "assessor", "educator"), strict=True)
                if n
            ),
        }
        for (code, group), tally in counts.items()
    ]
    return frame_of(rows, ["setting_id", "profession_group", "named_staff"])


def with_named_staff(frame: pd.DataFrame, named: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (rows with ``setting_id`` and ``profession_group``) with its setting's named
    staff in that group, or "unnamed" where the setting lists none (today's numeric capacity
    then stands alone)."""
    merged = frame.merge(named, on=["setting_id", "profession_group"], how="left")
    return merged.assign(named_staff=merged["named_staff"].fillna(UNNAMED))
