"""Practice staff and academic assessors: the people named to support learners.

Practice staff are keyed by organisation and staff reference (``staff_id``, the pseudonymous
reference the organisation issues); ``setting_id`` lists the settings they work at, all the
organisation's own, ``;``-separated like the ``assign`` command's staff file, whose columns
(``staff_id, setting_id, roles, field, prepared_on, max_learners``) this file holds. Academic
assessors are keyed by HEI and reference; HEI users import only their own HEI's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import delete
from sqlmodel import Session, col, select

from tracker.data.importers.common import (
    ANY_PROGRAMME,
    HEI,
    NO_SETTING,
    codes,
    organisations_named,
    programme_list,
    rows_where,
)
from tracker.data.importers.core import (
    Action,
    Column,
    Context,
    KindSpec,
    by_key,
    chunks,
    max_length,
    upsert,
)
from tracker.data.importers.registers import resolve_hei
from tracker.data.importers.rows import Row
from tracker.models import (
    AcademicAssessor,
    Organisation,
    OrgKind,
    PlacementSetting,
    PracticeStaff,
    PracticeStaffSetting,
    ProfessionGroup,
    Programme,
    StaffRole,
)

#: Each role's flag on the practice staff row.
ROLE_FLAGS: dict[str, str] = {
    StaffRole.PRACTICE_SUPERVISOR.value: "is_supervisor",
    StaffRole.PRACTICE_ASSESSOR.value: "is_assessor",
    StaffRole.PRACTICE_EDUCATOR.value: "is_educator",
}
#: Learners a person supports at once when the file leaves it blank: one, as for supervision
#: capacity (DOMAIN: 1:1 unless the setting runs a coaching model; raise it there).
DEFAULT_MAX_LEARNERS = 1
MAX_LEARNERS = 20


def split(cell: str) -> list[str]:
    """The entries of a ``;``-separated cell, stripped, blanks dropped."""
    return [part.strip() for part in cell.split(";") if part.strip()]


def _roles(row: Row) -> dict[str, bool] | None:
    """The ``roles`` cell as the three role flags; "supervisor" reads as practice_supervisor."""
    text = row.text("roles")
    if text is None:
        return None
    flags = dict.fromkeys(ROLE_FLAGS.values(), False)
    for entry in split(text):
        code = entry.lower().replace(" ", "_").replace("-", "_")
        code = code if code.startswith("practice_") else f"practice_{code}"
        if code not in ROLE_FLAGS:
            row.problem("roles", f"not one of: {codes(StaffRole)} (separate several with ;)")
            return None
        flags[ROLE_FLAGS[code]] = True
    if not any(flags.values()):
        row.problem("roles", f"name at least one of: {codes(StaffRole)}")
        return None
    return flags


def programme_fields(session: Session) -> dict[str, str]:
    """The programmes register's fields by their lower-case spelling."""
    return {f.lower(): f for f in session.exec(select(Programme.field)).all()}


def _field(row: Row, fields: dict[str, str], roles: dict[str, bool] | None) -> str | None:
    """The staff member's field as the programmes register spells it; assessors and educators
    must have one (they assess learners of their own field)."""
    if not row.raw("field"):
        if roles and (roles["is_assessor"] or roles["is_educator"]):
            row.problem("field", "a practice assessor or educator needs their field")
        return None
    text = row.text("field", limit=max_length(PracticeStaff.field))
    if text is None:
        return None
    if text.lower() not in fields:
        row.problem("field", "not a field of any programme (see the programmes register)")
        return None
    return fields[text.lower()]


def _settings(row: Row, found: dict[str, PlacementSetting], org: Organisation | None) -> set[int]:
    """The settings the row names: each must exist and belong to the row's organisation."""
    wanted = split(row.raw("setting_id"))
    if not wanted:
        row.text("setting_id")  # records "required"
        return set()
    ids: set[int] = set()
    for code in wanted:
        setting = found.get(code)
        if setting is None or setting.id is None:
            row.problem("setting_id", NO_SETTING, code)
        elif org is not None and setting.organisation_id != org.id:
            row.problem("setting_id", f"{code} is not a setting of {org.code}", code)
        else:
            ids.add(setting.id)
    return ids


def _linked(session: Session, staff_ids: list[int]) -> dict[int, set[int]]:
    linked: dict[int, set[int]] = defaultdict(set)
    for batch in chunks(staff_ids):
        query = select(PracticeStaffSetting).where(col(PracticeStaffSetting.staff_id).in_(batch))
        for link in session.exec(query).all():
            linked[link.staff_id].add(link.setting_id)
    return linked


def link_settings(setting_ids: set[int]) -> Callable[[Session, PracticeStaff], None]:
    """Replace a person's settings: the file (or the form) states the whole list."""

    def link(session: Session, person: PracticeStaff) -> None:
        assert person.id is not None
        session.exec(
            delete(PracticeStaffSetting).where(col(PracticeStaffSetting.staff_id) == person.id)
        )
        for sid in sorted(setting_ids):
            session.add(PracticeStaffSetting(staff_id=person.id, setting_id=sid))

    return link


def _staff_values(row: Row, fields: dict[str, str]) -> dict[str, object]:
    roles = _roles(row)
    limit = row.integer("max_learners", required=False, maximum=MAX_LEARNERS)
    return {
        "display_name": row.text(
            "display_name", required=False, limit=max_length(PracticeStaff.display_name)
        ),
        "profession_group": row.choice("profession_group", ProfessionGroup),
        "field": _field(row, fields, roles),
        **(roles or {}),
        "prepared_on": row.day("prepared_on", required=False),
        "max_learners": DEFAULT_MAX_LEARNERS if limit is None else limit,
        "active": row.flag("active", default=True),
    }


def plan_practice_staff(ctx: Context, rows: list[Row]) -> list[Action]:
    session = ctx.session
    orgs = organisations_named(ctx, rows)
    settings = by_key(
        session,
        PlacementSetting,
        PlacementSetting.code,
        (code for r in rows for code in split(r.raw("setting_id"))),
    )
    org_ids = [o.id for o in orgs.values() if o.id is not None]
    stored = {
        (p.organisation_id, p.staff_ref): p
        for p in rows_where(session, PracticeStaff, PracticeStaff.organisation_id, org_ids)
    }
    linked = _linked(session, [p.id for p in stored.values() if p.id is not None])
    code_of = {s.id: s.code for s in settings.values()}
    fields = programme_fields(session)
    seen: dict[tuple[str, str], int] = {}
    actions = []
    for row in rows:
        ref = row.text("staff_id", limit=max_length(PracticeStaff.staff_ref))
        org = row.lookup("organisation", orgs, "no organisation with this code; import it first")
        if org is not None and org.kind == OrgKind.HEI.value:
            row.problem("organisation", f"{org.code} is an HEI: its staff are academic assessors")
            org = None
        setting_ids = _settings(row, settings, org)
        values = _staff_values(row, fields)
        if ref is not None and org is not None:
            row.first_time(seen, (org.code, ref), "staff_id", "staff_id at this organisation")
        if row.bad or ref is None or org is None:
            continue
        person = stored.get((org.id or 0, ref))
        old = (
            sorted(code_of.get(s, "?") for s in linked.get(person.id or 0, set())) if person else []
        )
        actions.append(
            upsert(
                PracticeStaff,
                person,
                f"{org.code}/{ref}",
                values,
                create={"organisation_id": org.id, "staff_ref": ref},
                bump_version=True,
                after=link_settings(setting_ids),
                extra_old={"settings": ";".join(old)} if person else None,
                extra_new={"settings": ";".join(sorted(code_of[s] for s in setting_ids))},
            )
        )
    return actions


PRACTICE_STAFF = KindSpec(
    kind="practice-staff",
    description="Practice supervisors, assessors and educators, by organisation and reference",
    columns=(
        Column("staff_id", "the organisation's pseudonymous staff reference", required=True),
        Column("organisation", "code of the organisation employing them", required=True),
        Column("setting_id", "setting codes of that organisation, separated by ;", required=True),
        Column("roles", f"{codes(StaffRole)}, separated by ;", required=True),
        Column("profession_group", codes(ProfessionGroup), required=True),
        Column(
            "field", "field as in the programmes register (required for assessors and educators)"
        ),
        Column("prepared_on", "date prepared for the role, YYYY-MM-DD (blank: not prepared)"),
        Column(
            "max_learners",
            f"learners supported at once, 0 to {MAX_LEARNERS} (blank: {DEFAULT_MAX_LEARNERS})",
        ),
        Column("display_name", "a name the organisation chooses to show"),
        Column("active", "yes or no (blank: yes)"),
    ),
    access="staff",
    planner=plan_practice_staff,
)


def _assessor_programmes(row: Row, known: set[str]) -> str | None:
    entries = programme_list(row, known.__contains__, limit=max_length(AcademicAssessor.programmes))
    return None if entries is None else ";".join(entries)


def plan_academic_assessors(ctx: Context, rows: list[Row]) -> list[Action]:
    session = ctx.session
    orgs = organisations_named(ctx, rows, "hei")
    known = set(session.exec(select(Programme.code)).all()) | {ANY_PROGRAMME}
    visible = [o.id for o in orgs.values() if o.id is not None and ctx.sees(o.id)]
    stored = {
        (a.hei_id, a.staff_ref): a
        for a in rows_where(session, AcademicAssessor, AcademicAssessor.hei_id, visible)
    }
    seen: dict[tuple[str, str], int] = {}
    actions = []
    for row in rows:
        ref = row.text("staff_id", limit=max_length(AcademicAssessor.staff_ref))
        hei = resolve_hei(row, "hei", orgs)
        if hei is not None and not row.own_hei("hei", hei.id, "academic assessors"):
            hei = None
        values: dict[str, object] = {
            "display_name": row.text(
                "display_name", required=False, limit=max_length(AcademicAssessor.display_name)
            ),
            "programmes": _assessor_programmes(row, known),
            "active": row.flag("active", default=True),
        }
        if ref is not None and hei is not None:
            row.first_time(seen, (hei.code, ref), "staff_id", "staff_id at this HEI")
        if row.bad or ref is None or hei is None:
            continue
        actions.append(
            upsert(
                AcademicAssessor,
                stored.get((hei.id or 0, ref)),
                f"{hei.code}/{ref}",
                values,
                create={"hei_id": hei.id, "staff_ref": ref},
                bump_version=True,
            )
        )
    return actions


ACADEMIC_ASSESSORS = KindSpec(
    kind="academic-assessors",
    description="HEIs' academic assessors and the programmes they assess, by HEI and reference",
    columns=(
        HEI,
        Column("staff_id", "the HEI's pseudonymous staff reference", required=True),
        Column(
            "programmes",
            "programmes assessed: * for all, or programme codes separated by ;",
            required=True,
        ),
        Column("display_name", "a name the HEI chooses to show"),
        Column("active", "yes or no (blank: yes)"),
    ),
    access="hei",
    planner=plan_academic_assessors,
)
