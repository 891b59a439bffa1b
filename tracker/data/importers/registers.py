"""Organisations and programmes: the registers every other kind refers to by code."""

from __future__ import annotations

from sqlmodel import func, select

from tracker.data.importers.core import (
    Action,
    Column,
    Context,
    KindSpec,
    by_key,
    max_length,
    upsert,
)
from tracker.data.importers.rows import Row
from tracker.models import (
    Cohort,
    Organisation,
    OrgKind,
    ProfessionGroup,
    Programme,
    ProgrammeCalendar,
    Route,
    User,
)


def _codes(values: type[OrgKind] | type[ProfessionGroup] | type[Route]) -> str:
    return ", ".join(member.value for member in values)


def resolve_hei(row: Row, column: str, orgs: dict[str, Organisation]) -> Organisation | None:
    """The HEI a row names by code: it must exist and be an HEI, not e.g. a trust."""
    code = row.text(column)
    if code is None:
        return None
    org = orgs.get(code)
    if org is None:
        row.problem(column, "no organisation with this code; import organisations first")
        return None
    if org.kind != OrgKind.HEI.value:
        row.problem(column, f"{code} is a {org.kind}, not an HEI")
        return None
    return org


def resolve_programme(row: Row, column: str, programmes: dict[str, Programme]) -> Programme | None:
    code = row.text(column)
    if code is None:
        return None
    programme = programmes.get(code)
    if programme is None:
        row.problem(column, "no programme with this code; import programmes first")
    return programme


def _hei_in_use(ctx: Context, org: Organisation) -> bool:
    for model, column in (
        (Cohort, Cohort.hei_id),
        (ProgrammeCalendar, ProgrammeCalendar.hei_id),
        (User, User.hei_id),
    ):
        count = ctx.session.exec(
            select(func.count()).select_from(model).where(column == org.id)
        ).one()
        if count:
            return True
    return False


def plan_organisations(ctx: Context, rows: list[Row]) -> list[Action]:
    existing = by_key(ctx.session, Organisation, Organisation.code, (r.raw("code") for r in rows))
    seen: dict[str, int] = {}
    actions = []
    for row in rows:
        code = row.text("code", limit=max_length(Organisation.code))
        values = {
            "name": row.text("name", limit=max_length(Organisation.name)),
            "kind": row.choice("kind", OrgKind),
            "place": row.text("place", limit=max_length(Organisation.place)),
        }
        if code is not None:
            row.first_time(seen, code, "code", "organisation code")
        org = existing.get(code) if code else None
        if (
            org is not None
            and org.kind == OrgKind.HEI.value
            and values["kind"] not in (None, OrgKind.HEI.value)
            and _hei_in_use(ctx, org)
        ):
            row.problem("kind", "this HEI has cohorts, calendars or users, so it must stay an hei")
        if row.bad or code is None:
            continue
        actions.append(upsert(Organisation, org, code, values, create={"code": code}))
    return actions


def plan_programmes(ctx: Context, rows: list[Row]) -> list[Action]:
    existing = by_key(ctx.session, Programme, Programme.code, (r.raw("code") for r in rows))
    seen: dict[str, int] = {}
    actions = []
    for row in rows:
        code = row.text("code", limit=max_length(Programme.code))
        values = {
            "name": row.text("name", limit=max_length(Programme.name)),
            "profession_group": row.choice("profession_group", ProfessionGroup),
            "field": row.text("field", limit=max_length(Programme.field)),
            "route": row.choice("route", Route),
            "years": row.decimal("years", minimum=0.5, maximum=6),
        }
        if code is not None:
            row.first_time(seen, code, "code", "programme code")
        if row.bad or code is None:
            continue
        actions.append(upsert(Programme, existing.get(code), code, values, create={"code": code}))
    return actions


ORGANISATIONS = KindSpec(
    kind="organisations",
    description="NHS trusts, practices, care home providers, councils, VCSE bodies and HEIs.",
    access="staff",
    planner=plan_organisations,
    columns=(
        Column(
            "code",
            "unique organisation code, e.g. RR8 or UNI-LEEDS; used by other files",
            required=True,
        ),
        Column("name", "organisation name", required=True),
        Column("kind", f"one of {_codes(OrgKind)}", required=True),
        Column("place", "borough or place within the ICS, e.g. Leeds", required=True),
    ),
)

PROGRAMMES = KindSpec(
    kind="programmes",
    description="Pre-registration programmes (the same programme may run at several HEIs).",
    access="staff",
    planner=plan_programmes,
    columns=(
        Column("code", "unique programme code, e.g. BSC-ADULT; used by other files", required=True),
        Column("name", "programme name, e.g. BSc (Hons) Adult Nursing", required=True),
        Column("profession_group", f"one of {_codes(ProfessionGroup)}", required=True),
        Column("field", "field or profession, e.g. adult nursing, physiotherapy", required=True),
        Column("route", f"one of {_codes(Route)}", required=True),
        Column("years", "standard length in years, 0.5 to 6 (e.g. 3 or 2.5)", required=True),
    ),
)
