"""The education and training tariff: DHSC's rate per financial year for a profession group
or one programme, keyed by (financial year, profession group, programme).

A rate is per full-time-equivalent placement week, or per full-time-equivalent placement year
with the weeks that year is taken to hold (``weeks_per_year``), so the tariff measure converts
it without a number in code. Coordinators and administrators keep the table (staff access);
the import's audit row records every rate added or changed.
"""

from __future__ import annotations

import re

from sqlmodel import Session, select

from tracker.data.importers.common import codes
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
from tracker.models import ProfessionGroup, Programme, TariffRate, TariffUnit

_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
#: Pounds per week or year beyond this are typing errors (the non-medical placement tariff was
#: a few thousand pounds per placement year; DOMAIN.md).
MAX_RATE = 1_000_000.0
#: A placement year holds at most the weeks of a calendar year.
MAX_WEEKS = 52.0


def _financial_year(row: Row) -> str | None:
    """``YYYY/YY``, April to March: the second year must follow the first (2026/27)."""
    text = row.text("financial_year")
    if text is None:
        return None
    match = _YEAR.match(text)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        row.problem("financial_year", "not a financial year: write YYYY/YY, e.g. 2026/27")
        return None
    return text


def _weeks(row: Row, unit: str | None) -> float | None:
    """Required with a yearly rate (how many weeks its year holds); empty with a weekly one."""
    if unit == TariffUnit.WEEK.value:
        if row.raw("weeks_per_year"):
            row.problem("weeks_per_year", "only for a rate per year; leave empty for per week")
        return None
    return row.decimal("weeks_per_year", minimum=1, maximum=MAX_WEEKS, required=unit is not None)


def _programme(row: Row, programmes: dict[str, Programme], group: str | None) -> int | None:
    """The programme a programme-level rate names; it must belong to the row's group."""
    if not row.raw("programme"):
        return None
    programme = row.lookup("programme", programmes, "no programme with this code")
    if programme is not None and group is not None and programme.profession_group != group:
        row.problem("programme", f"is a {programme.profession_group} programme, not {group}")
    return programme.id if programme is not None else None


def _stored(session: Session) -> dict[tuple[str, str, int | None], TariffRate]:
    """Every stored rate by natural key (the table holds a few rows per financial year)."""
    found = session.exec(select(TariffRate)).all()
    return {(r.financial_year, r.profession_group, r.programme_id): r for r in found}


def plan_tariff(ctx: Context, rows: list[Row]) -> list[Action]:
    programmes = by_key(ctx.session, Programme, Programme.code, (r.raw("programme") for r in rows))
    stored = _stored(ctx.session)
    seen: dict[tuple[str, str, str], int] = {}
    actions = []
    for row in rows:
        year = _financial_year(row)
        group = row.choice("profession_group", ProfessionGroup)
        programme_id = _programme(row, programmes, group)
        unit = row.choice("unit", TariffUnit)
        values: dict[str, object] = {
            "rate": row.decimal("rate", minimum=0.01, maximum=MAX_RATE),
            "unit": unit,
            "weeks_per_year": _weeks(row, unit),
            "source": row.text("source", limit=max_length(TariffRate.source)),
        }
        key = (row.raw("financial_year"), row.raw("profession_group"), row.raw("programme"))
        row.first_time(seen, key, "financial_year", "rate for this year, group and programme")
        if row.bad or year is None or group is None:
            continue
        label = "/".join(part for part in (year, group, row.raw("programme")) if part)
        natural = {"financial_year": year, "profession_group": group, "programme_id": programme_id}
        existing = stored.get((year, group, programme_id))
        actions.append(upsert(TariffRate, existing, label, values, create=natural))
    return actions


TARIFF = KindSpec(
    kind="tariff",
    description="Education and training tariff rates, by financial year and profession group",
    columns=(
        Column("financial_year", "financial year, April to March, e.g. 2026/27", required=True),
        Column("profession_group", codes(ProfessionGroup), required=True),
        Column("programme", "programme code, for a rate of one programme only"),
        Column("rate", "pounds per full-time-equivalent placement week or year", required=True),
        Column("unit", codes(TariffUnit), required=True),
        Column("weeks_per_year", "weeks one full-time-equivalent placement year holds (per year)"),
        Column("source", "where the rate was published (DHSC tariff guidance)", required=True),
    ),
    access="staff",
    planner=plan_tariff,
)
