"""Organisations and programmes: the registers every other kind refers to by code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import func, select

from tracker.data.importers.common import codes, organisations_named, plan_coded
from tracker.data.importers.core import Action, Column, Context, KindSpec, by_key, max_length
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


def resolve_hei(row: Row, column: str, orgs: dict[str, Organisation]) -> Organisation | None:
    """The HEI a row names by code: it must exist and be an HEI, not e.g. a trust."""
    org = row.lookup(column, orgs, "no organisation with this code; import organisations first")
    if org is not None and org.kind != OrgKind.HEI.value:
        row.problem(column, f"{org.code} is a {org.kind}, not an HEI")
        return None
    return org


def resolve_programme(row: Row, column: str, programmes: dict[str, Programme]) -> Programme | None:
    return row.lookup(column, programmes, "no programme with this code; import programmes first")


@dataclass(frozen=True)
class Named:
    """The HEIs and programmes a file's ``hei`` and ``programme`` columns name, loaded once."""

    orgs: dict[str, Organisation]
    programmes: dict[str, Programme]

    @classmethod
    def load(cls, ctx: Context, rows: list[Row]) -> Named:
        orgs = organisations_named(ctx, rows, "hei")
        programmes = by_key(
            ctx.session, Programme, Programme.code, (r.raw("programme") for r in rows)
        )
        return cls(orgs, programmes)

    def hei_ids(self) -> list[int]:
        """The named organisations' ids: whose cohorts the file may refer to."""
        return [o.id for o in self.orgs.values() if o.id is not None]

    def resolve(self, row: Row) -> tuple[Organisation | None, Programme | None]:
        """The row's HEI and programme, each a problem on its cell when it is not known."""
        return resolve_hei(row, "hei", self.orgs), resolve_programme(
            row, "programme", self.programmes
        )


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


def _organisation_values(row: Row) -> dict[str, Any]:
    return {
        "name": row.text("name", limit=max_length(Organisation.name)),
        "kind": row.choice("kind", OrgKind),
        "place": row.text("place", limit=max_length(Organisation.place)),
    }


def _keeps_hei(ctx: Context) -> Callable[[Row, Organisation | None, dict[str, Any]], None]:
    """An HEI that cohorts, calendars or users point at may not become another kind."""

    def check(row: Row, org: Organisation | None, values: dict[str, Any]) -> None:
        if (
            org is not None
            and org.kind == OrgKind.HEI.value
            and values["kind"] not in (None, OrgKind.HEI.value)
            and _hei_in_use(ctx, org)
        ):
            row.problem("kind", "this HEI has cohorts, calendars or users, so it must stay an hei")

    return check


def plan_organisations(ctx: Context, rows: list[Row]) -> list[Action]:
    return plan_coded(
        ctx, rows, Organisation, "organisation code", _organisation_values, _keeps_hei(ctx)
    )


def _programme_values(row: Row) -> dict[str, Any]:
    return {
        "name": row.text("name", limit=max_length(Programme.name)),
        "profession_group": row.choice("profession_group", ProfessionGroup),
        "field": row.text("field", limit=max_length(Programme.field)),
        "route": row.choice("route", Route),
        "years": row.decimal("years", minimum=0.5, maximum=6),
    }


def plan_programmes(ctx: Context, rows: list[Row]) -> list[Action]:
    return plan_coded(ctx, rows, Programme, "programme code", _programme_values)


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
        Column("kind", f"one of {codes(OrgKind)}", required=True),
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
        Column("profession_group", f"one of {codes(ProfessionGroup)}", required=True),
        Column("field", "field or profession, e.g. adult nursing, physiotherapy", required=True),
        Column("route", f"one of {codes(Route)}", required=True),
        Column("years", "standard length in years, 0.5 to 6 (e.g. 3 or 2.5)", required=True),
    ),
)
