"""Cohorts and learners: the learner pipeline (their events are in ``events``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from tracker.data.importers.common import (
    HEI,
    PROGRAMME,
    by_key_with_hei,
    find_cohort,
    of_hei_programme,
    rows_where,
)
from tracker.data.importers.core import (
    Action,
    Column,
    Context,
    KindSpec,
    chunks,
    keys,
    max_length,
    upsert,
)
from tracker.data.importers.registers import Named
from tracker.data.importers.rows import Row
from tracker.models import (
    Cohort,
    Learner,
    LearnerEvent,
    Programme,
)

CohortKey = tuple[int, int, int, int]


def load_cohorts(session: Session, hei_ids: Iterable[int]) -> dict[CohortKey, Cohort]:
    """The cohorts of these HEIs by natural key (hei, programme, intake year and month)."""
    found = rows_where(session, Cohort, Cohort.hei_id, sorted(set(hei_ids)))
    return {(c.hei_id, c.programme_id, c.intake_year, c.intake_month): c for c in found}


def plan_cohorts(ctx: Context, rows: list[Row]) -> list[Action]:
    named = Named.load(ctx, rows)
    existing = load_cohorts(ctx.session, named.hei_ids())
    seen: dict[CohortKey, int] = {}
    actions = []
    for row in rows:
        hei, programme = named.resolve(row)
        intake = row.intake("intake")
        places = row.integer("commissioned_places")
        if hei is not None:
            row.own_hei("hei", hei.id, "cohorts")
        if hei is None or programme is None or intake is None:
            continue
        assert hei.id is not None and programme.id is not None
        key = (hei.id, programme.id, *intake)
        row.first_time(seen, key, "intake", "cohort (same hei, programme and intake)")
        if row.bad:
            continue
        label, create = of_hei_programme(
            hei, programme, row.raw("intake"), intake_year=intake[0], intake_month=intake[1]
        )
        values = {"commissioned_places": places}
        actions.append(upsert(Cohort, existing.get(key), label, values, create=create))
    return actions


def _stored_learners(
    ctx: Context, rows: list[Row]
) -> tuple[dict[str, tuple[Learner, int]], dict[int, date]]:
    """Learners the file names, with their HEI, and the date of each one's first event."""
    refs = [r.raw("learner_ref") for r in rows]
    existing = by_key_with_hei(ctx.session, Learner, Learner.learner_ref, refs)
    first_event: dict[int, date] = {}
    for batch in chunks(keys(refs)):
        events = (
            select(LearnerEvent.learner_id, func.min(LearnerEvent.event_date))
            .join(Learner)
            .where(col(Learner.learner_ref).in_(batch))
            .group_by(col(LearnerEvent.learner_id))
        )
        first_event.update(dict(ctx.session.exec(events).all()))
    return existing, first_event


def _learner_details(row: Row) -> dict[str, object]:
    """The optional columns the file has (a column left out leaves the field as it is)."""
    values: dict[str, object] = {}
    if row.has("home_postcode_district"):
        values["home_postcode_district"] = row.postcode_district(
            "home_postcode_district", limit=max_length(Learner.home_postcode_district)
        )
    if row.has("reasonable_adjustments"):
        values["reasonable_adjustments"] = row.flag("reasonable_adjustments", default=False)
    if row.has("max_travel_km"):
        values["max_travel_km"] = row.decimal(
            "max_travel_km", minimum=0, maximum=1000, required=False
        )
    if row.has("driver"):
        values["driver"] = row.flag("driver", default=False)
    return values


def _check_start(row: Row, cohort: Cohort, programme: Programme, start: date) -> None:
    opens = date(cohort.intake_year, cohort.intake_month, 1) - timedelta(days=31)
    closes = date(cohort.intake_year, cohort.intake_month, 1) + timedelta(
        days=round(365.25 * programme.years)
    )
    if not opens <= start <= closes:
        row.problem(
            "start_date",
            f"outside the intake: expected between {opens} and {closes} "
            "(a month before the intake to the programme's standard end)",
        )


def plan_learners(ctx: Context, rows: list[Row]) -> list[Action]:
    named = Named.load(ctx, rows)
    cohorts = load_cohorts(ctx.session, named.hei_ids())
    existing, first_event = _stored_learners(ctx, rows)
    seen: dict[str, int] = {}
    actions = []
    for row in rows:
        ref = row.text("learner_ref", limit=max_length(Learner.learner_ref))
        hei, programme = named.resolve(row)
        intake = row.intake("intake")
        start = row.day("start_date")
        values: dict[str, object] = {"start_date": start, **_learner_details(row)}
        if hei is not None and not row.own_hei("hei", hei.id, "learners"):
            hei = None  # another HEI's: its cohorts are not looked up
        known = row.claim("learner_ref", existing, ref, seen, "learner reference")
        cohort = None
        if hei is not None and programme is not None and intake is not None:
            cohort = find_cohort(row, cohorts, hei, programme, intake)
        if cohort is not None and programme is not None and start is not None:
            _check_start(row, cohort, programme, start)
        first = first_event.get(known.id or 0) if known is not None else None
        if first is not None and start is not None and first < start:
            row.problem("start_date", f"this learner has events recorded before it (from {first})")
        if row.bad or ref is None or cohort is None:
            continue
        values["cohort_id"] = cohort.id
        actions.append(upsert(Learner, known, ref, values, create={"learner_ref": ref}))
    return actions


COHORTS = KindSpec(
    kind="cohorts",
    description="One intake of one programme at one HEI, with its commissioned places.",
    access="hei",
    planner=plan_cohorts,
    columns=(
        HEI,
        PROGRAMME,
        Column("intake", "intake month YYYY-MM, e.g. 2024-09", required=True),
        Column(
            "commissioned_places", "places commissioned for this intake (0 or more)", required=True
        ),
    ),
)

LEARNERS = KindSpec(
    kind="learners",
    description="Pseudonymous learners, each in one cohort (no names or personal details).",
    access="hei",
    planner=plan_learners,
    columns=(
        Column(
            "learner_ref",
            "unique pseudonymous reference (never a name or student number)",
            required=True,
        ),
        HEI,
        PROGRAMME,
        Column("intake", "intake month YYYY-MM of an existing cohort", required=True),
        Column("start_date", "YYYY-MM-DD, from a month before the intake", required=True),
        Column("home_postcode_district", "outward code only, e.g. LS6"),
        Column("reasonable_adjustments", "yes/no (default no)"),
        Column("max_travel_km", "personal travel limit in km"),
        Column("driver", "yes/no (default no)"),
    ),
)
