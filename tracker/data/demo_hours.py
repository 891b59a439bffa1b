"""The demo's practice hours: each programme's requirement and the weekly hours records of
every learner in training on DEMO_AS_OF.

Requirements follow the regulators (tracker/data/README.md, "Practice hours"): 2,300 hours for
the nursing degrees, apprenticeship and MSc (700, 800 and 800 by year of study for the
three-year degrees), midwifery 2,300 hours and 40 births, the nursing associate half of its
2,300-hour programme, physiotherapy, occupational therapy and dietetics 1,000 hours, social
work 200 days. Paramedic science, radiography and speech and language therapy have no
national hours minimum, so they carry no requirement (and no records).

A learner's records are one week each (37.5 hours, a practice day being 7.5), spread evenly
over each year of study so that, untouched, a learner keeps within half a week of the expected
position. Within each cohort's learners in training, every 14th (from the 4th) missed the last
six to eight weeks before the demo's date (absent, with the reason), so learners with enough
practice behind them are behind by more than the margin; every 14th from the 10th missed half
the margin's worth (below expected, not flagged); every 23rd has one week queried. Currently
interrupted learners stop at their interruption. The last three weeks are pending sign-off,
earlier ones signed off by a practice supervisor's reference. Positions, not the seeded
generator, decide everything, so adding hours changed no other demo row.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from tracker.data import demo_reference as ref
from tracker.data.demo_people import CohortPlan, LearnerPlan
from tracker.measures.hours import DAY_HOURS, YEAR_DAYS

WEEK_HOURS: Final = 37.5
PENDING_DAYS: Final = 21
ENDED: Final = frozenset({"withdrew", "completed", "transferred_out"})
ABSENCES: Final = ("sickness", "caring_responsibilities", "bereavement", "sickness", "other")


@dataclass(frozen=True)
class Need:
    """One programme's requirement in the demo (``split`` by year of study, may be empty)."""

    unit: str
    required: float
    split: tuple[float, ...]
    margin: float


NURSING_DEGREE: Final = Need("hours", 2300, (700, 800, 800), 150)
NEEDS: Final[dict[str, tuple[Need, ...]]] = {
    "ADN": (NURSING_DEGREE,),
    "CHN": (NURSING_DEGREE,),
    "MHN": (NURSING_DEGREE,),
    "LDN": (NURSING_DEGREE,),
    "ADA": (Need("hours", 2300, (), 150),),
    "ADP": (Need("hours", 2300, (), 150),),
    "MID": (Need("hours", 2300, (), 150), Need("births", 40, (), 5)),
    "NAA": (Need("hours", 1150, (), 75),),
    "PHY": (Need("hours", 1000, (), 75),),
    "OCT": (Need("hours", 1000, (), 75),),
    "DIE": (Need("hours", 1000, (), 75),),
    "SWD": (Need("days", 200, (), 10),),
    "SWP": (Need("days", 200, (), 10),),
}


def requirement_rows(programme_ids: dict[str, int], as_of: date) -> list[dict[str, Any]]:
    """``PracticeRequirement`` rows for the programmes the demo holds."""
    stamp = datetime.combine(as_of, time(9, 0), tzinfo=UTC)
    return [
        {
            "programme_id": programme_ids[code],
            "unit": need.unit,
            "required": need.required,
            "year_split": ";".join(f"{v:g}" for v in need.split) or None,
            "behind_margin": need.margin,
            "version": 1,
            "updated_at": stamp,
        }
        for code, needs in NEEDS.items()
        if code in programme_ids
        for need in needs
    ]


def _hours_need(needs: tuple[Need, ...]) -> Need:
    """The requirement the weeks are paced by, in hours (days read as 7.5 hours each)."""
    need = next(n for n in needs if n.unit != "births")
    if need.unit == "days":
        return Need("hours", need.required * DAY_HOURS, (), need.margin * DAY_HOURS)
    return need


def _weeks(start: date, years: float, need: Need) -> Iterator[tuple[date, float]]:
    """Every placement week of the whole programme (its Monday, its hours), each year of
    study's amount spread evenly over that year."""
    count = math.ceil(years)
    for y in range(count):
        length = min(1.0, years - y)
        amount = need.split[y] if need.split else need.required * length / years
        weeks = max(1, math.ceil(amount / WEEK_HOURS))
        span = length * YEAR_DAYS
        for k in range(weeks):
            day = start + timedelta(days=y * YEAR_DAYS + (k + 0.5) * span / weeks)
            yield day - timedelta(days=day.weekday()), round(amount / weeks * 2) / 2


def _stopped(learner: LearnerPlan, as_of: date) -> date:
    """The last day a learner's records run to: an open interruption's date, else as_of."""
    if learner.status == "interrupted":
        return max(d for d, event, _ in learner.events if event == "interrupted")
    return as_of


def _missed(position: int, margin_hours: float) -> int:
    """How many of the latest weeks this learner missed (see the module's note)."""
    if position % 14 == 3:
        return math.ceil(margin_hours / WEEK_HOURS) + 2 + position % 3
    if position % 14 == 9:
        return max(1, math.floor(margin_hours / WEEK_HOURS / 2))
    return 0


def _rows(
    learner_id: int,
    learner: LearnerPlan,
    needs: tuple[Need, ...],
    years: float,
    position: int,
    as_of: date,
) -> list[dict[str, Any]]:
    """One learner's weekly records up to ``as_of`` (or their interruption)."""
    pace = _hours_need(needs)
    stop = _stopped(learner, as_of)
    whole = list(_weeks(learner.start, years, pace))
    weeks = [(day, hours) for day, hours in whole if day <= stop]
    births = next((n.required for n in needs if n.unit == "births"), 0.0)
    missed = len(weeks) - _missed(position, pace.margin)
    rows = []
    for i, (day, hours) in enumerate(weeks):
        absent = i >= missed
        pending = (as_of - day).days < PENDING_DAYS
        queried = position % 23 == 11 and i == missed - 4
        born = math.floor((i + 1) * births / len(whole)) - math.floor(i * births / len(whole))
        rows.append(
            {
                "learner_id": learner_id,
                "worked_on": day,
                "period": "week",
                "hours": 0.0 if absent else hours,
                "births": 0 if absent else born,
                "absence_hours": hours if absent else 0.0,
                "absence_reason": ABSENCES[position % len(ABSENCES)] if absent else None,
                "status": "queried" if queried else "pending" if pending else "signed_off",
                "signed_off_by": None if pending or queried else f"PS-{position % 97 + 100:04d}",
                "note": "Hours do not match the rota" if queried else None,
                "version": 1,
                "updated_at": datetime.combine(day + timedelta(days=6), time(17, 0), tzinfo=UTC),
            }
        )
    return rows


def hours_rows(
    cohorts: list[CohortPlan], learners: list[LearnerPlan], learner_ids: list[int], as_of: date
) -> list[dict[str, Any]]:
    """``PracticeHours`` rows for the learners in training on ``as_of``, cohort by cohort."""
    by_cohort: dict[int, list[tuple[int, LearnerPlan]]] = {}
    for lid, learner in zip(learner_ids, learners, strict=True):
        if learner.status not in ENDED:
            by_cohort.setdefault(learner.cohort, []).append((lid, learner))
    rows: list[dict[str, Any]] = []
    for cohort, members in by_cohort.items():
        programme = cohorts[cohort].programme
        needs = NEEDS.get(programme)
        if not needs:
            continue
        years = ref.PROGRAMME_BY_CODE[programme].years
        for position, (lid, learner) in enumerate(members):
            rows += _rows(lid, learner, needs, years, position, as_of)
    return rows
