"""Practice hours and practice requirements.

``practice-hours`` reads the HEI's practice assessment record export (PARE, InPlace and the
like, saved as CSV or Excel): one row per learner and week (or shift) with the attended
hours, births for midwifery, absent hours with their reason and the sign-off. Rows are keyed
by learner, day and period, so a re-export of the same weeks changes only what changed. HEI
users import their own learners' hours only: another HEI's learner reads exactly as a
reference that exists nowhere (``access.may_edit_hours``).

``practice-requirements`` sets what each programme's learners must complete (hours, days or
births), optionally split by year of study, and the margin beyond which a learner is behind;
coordinators and administrators keep it.
"""

from __future__ import annotations

import math
from typing import Any

from sqlmodel import Session

from tracker.access import HOURS_KEEPERS, REQUIREMENT_KEEPERS, may_edit_hours
from tracker.data.importers.common import (
    OWN_LEARNER,
    PROGRAMME,
    codes,
    editable_learners,
    learner_named,
    rows_where,
    stamped,
)
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
from tracker.measures.hours import year_split
from tracker.models import (
    AbsenceReason,
    HoursPeriod,
    Learner,
    PracticeHours,
    PracticeRequirement,
    Programme,
    RequirementUnit,
    SignOff,
)

#: The most hours one record may hold: a week's (12-hour shifts, seven days), or a shift's.
MOST_HOURS = {HoursPeriod.WEEK.value: 84.0, HoursPeriod.SHIFT.value: 24.0}
MOST_BIRTHS = 50


def hours_values(row: Row) -> dict[str, Any]:
    """A row's hours, births, absence and sign-off, each checked against the others."""
    period = row.choice("period", HoursPeriod, required=False) or HoursPeriod.WEEK.value
    most = MOST_HOURS[period]
    hours = row.decimal("hours", minimum=0, maximum=most)
    births = row.integer("births", required=False, maximum=MOST_BIRTHS) or 0
    absent = row.decimal("absence_hours", minimum=0, maximum=most, required=False) or 0.0
    reason = row.choice("absence_reason", AbsenceReason, required=False)
    if absent > 0 and reason is None and not row.bad:
        row.problem("absence_reason", "absent hours need their reason")
    if absent == 0 and reason is not None:
        row.problem("absence_reason", "give absence_hours with a reason, or leave both empty")
    status = row.choice("sign_off", SignOff, required=False) or SignOff.PENDING.value
    limit = max_length(PracticeHours.signed_off_by)
    by = row.text("signed_off_by", required=False, limit=limit)
    if status == SignOff.SIGNED_OFF.value and by is None:
        row.problem(
            "signed_off_by", "signed off needs the practice supervisor's or assessor's reference"
        )
    note = row.text("note", required=False, limit=max_length(PracticeHours.note))
    return {
        "hours": hours,
        "births": births,
        "absence_hours": absent,
        "absence_reason": reason,
        "status": status,
        "signed_off_by": by,
        "note": note,
        "period": period,
    }


def _stored_hours(
    session: Session, learners: list[Learner]
) -> dict[tuple[int, str, str], PracticeHours]:
    ids = [lr.id for lr in learners if lr.id is not None]
    found = rows_where(session, PracticeHours, PracticeHours.learner_id, ids)
    return {(h.learner_id, h.worked_on.isoformat(), h.period): h for h in found}


def plan_hours(ctx: Context, rows: list[Row]) -> list[Action]:
    editable = editable_learners(ctx, rows, may_edit_hours)
    stored = _stored_hours(ctx.session, list(editable.values()))
    seen: dict[object, int] = {}
    actions = []
    for row in rows:
        ref, learner = learner_named(row, editable)
        day = row.day("worked_on")
        values = hours_values(row)
        if learner is None or learner.id is None or day is None:
            continue
        key = (learner.id, day.isoformat(), values["period"])
        if not row.first_time(seen, key, "worked_on", "learner, day and period") or row.bad:
            continue
        label = f"{ref}/{day.isoformat()}/{values['period']}"
        create = {"learner_id": learner.id, "worked_on": day}
        actions.append(
            upsert(
                PracticeHours,
                stored.get(key),
                label,
                values,
                create=create,
                bump_version=True,
                after=stamped(ctx.now),
            )
        )
    return actions


def requirement_values(row: Row, programme: Programme | None) -> dict[str, Any]:
    """A requirement row's amount, year split (summing to it, no more years than the
    programme has) and behind margin."""
    required = row.decimal("required", minimum=0.5, maximum=10_000)
    split_text = row.text("year_split", required=False, limit=100)
    split: tuple[float, ...] = ()
    if split_text is not None:
        try:
            split = year_split(split_text)
        except ValueError:
            row.problem(
                "year_split", "write the amount of each year separated by ;, e.g. 700;800;800"
            )
    if split and required is not None and not math.isclose(sum(split), required):
        row.problem(
            "year_split", f"the years add up to {sum(split):g}, not the required {required:g}"
        )
    if split and programme is not None and len(split) > math.ceil(programme.years):
        row.problem("year_split", f"the programme has {math.ceil(programme.years)} years of study")
    if any(part < 0 for part in split):
        row.problem("year_split", "amounts may not be negative")
    margin = row.decimal("behind_margin", minimum=0, maximum=10_000, required=False) or 0.0
    return {
        "required": required,
        "year_split": ";".join(f"{part:g}" for part in split) or None,
        "behind_margin": margin,
    }


def plan_requirements(ctx: Context, rows: list[Row]) -> list[Action]:
    programmes = by_key(ctx.session, Programme, Programme.code, (r.raw("programme") for r in rows))
    ids = [p.id for p in programmes.values() if p.id is not None]
    found = rows_where(ctx.session, PracticeRequirement, PracticeRequirement.programme_id, ids)
    stored = {(r.programme_id, r.unit): r for r in found}
    seen: dict[object, int] = {}
    actions = []
    for row in rows:
        programme = row.lookup(
            "programme", programmes, "no programme with this code; import programmes first"
        )
        unit = row.choice("unit", RequirementUnit, required=False) or RequirementUnit.HOURS.value
        values = requirement_values(row, programme)
        if programme is None or programme.id is None:
            continue
        key = (programme.id, unit)
        if not row.first_time(seen, key, "unit", "programme and unit") or row.bad:
            continue
        actions.append(
            upsert(
                PracticeRequirement,
                stored.get(key),
                f"{programme.code}/{unit}",
                values,
                create={"programme_id": programme.id, "unit": unit},
                bump_version=True,
                after=stamped(ctx.now),
            )
        )
    return actions


PRACTICE_REQUIREMENTS = KindSpec(
    kind="practice-requirements",
    description=(
        "What each programme's learners must complete in practice (hours, days or births), "
        "optionally by year of study, and how far below the expected position a learner may "
        "be before being flagged behind."
    ),
    access="staff",
    roles=REQUIREMENT_KEEPERS,
    planner=plan_requirements,
    columns=(
        PROGRAMME,
        Column("unit", f"one of {codes(RequirementUnit)}; empty: hours"),
        Column("required", "the amount over the whole programme, e.g. 2300", required=True),
        Column("year_split", "optional: each year's amount separated by ;, adding up to required"),
        Column("behind_margin", "in the same unit; empty: 0 (behind as soon as below expected)"),
    ),
)

PRACTICE_HOURS = KindSpec(
    kind="practice-hours",
    description=(
        "Learners' attended practice hours per week or shift from the practice assessment "
        "record export, with births (midwifery), absences and the sign-off."
    ),
    access="hei",
    roles=HOURS_KEEPERS,
    planner=plan_hours,
    columns=(
        OWN_LEARNER,
        Column("worked_on", "the shift's day or the week's first day, YYYY-MM-DD", required=True),
        Column("period", f"one of {codes(HoursPeriod)}; empty: week"),
        Column("hours", "attended hours: at most 84 a week, 24 a shift", required=True),
        Column("births", "births facilitated (midwifery); empty: 0"),
        Column("absence_hours", "hours absent; empty: 0"),
        Column("absence_reason", f"with absent hours: one of {codes(AbsenceReason)}"),
        Column("sign_off", f"one of {codes(SignOff)}; empty: pending"),
        Column(
            "signed_off_by",
            "practice supervisor's or assessor's reference; required when signed off",
        ),
        Column("note", "optional, at most 500 characters; no health or personal details"),
    ),
)
