"""Cohorts, learners and their event histories for the demo system.

Each learner's whole journey is drawn first (withdraw, interrupt, transfer, finish late or on
time) and only then cut at the reference date, so a cohort that is still on programme looks
exactly like the early part of a finished one, as real data does.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from tracker.data import demo_reference as ref
from tracker.data.demo_reference import PLACES, HeiSpec
from tracker.measures.definitions import STATUS_EVENTS


@dataclass(frozen=True)
class CohortPlan:
    hei_code: str
    hei_place: str
    programme: str
    intake_year: int
    intake_month: int
    places: int
    starters: int
    start: date


@dataclass
class LearnerPlan:
    cohort: int  # index into the cohort plans
    ref: str
    start: date
    district: str | None
    adjustments: bool
    max_travel_km: float | None
    driver: bool
    events: list[tuple[date, str, str | None]] = field(default_factory=list)
    status: str = "active"  # as of the reference date
    interrupted_ever: bool = False


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _first_monday(year: int, month: int, day: int) -> date:
    first = date(year, month, day)
    return date.fromordinal(first.toordinal() + (7 - first.weekday()) % 7)


def plan_cohorts(
    rng: np.random.Generator, heis: list[tuple[HeiSpec, str]], *, as_of: date
) -> list[CohortPlan]:
    """Five annual intakes per HEI programme; places grow a little each year, as commissioned.

    Intakes that would start after ``as_of`` (a later apprenticeship intake) are not planned:
    the data describes what had happened by then."""
    plans: list[CohortPlan] = []
    for hei, code in heis:
        for programme, (places, extra_month, extra_places) in hei.offers.items():
            for year in ref.INTAKE_YEARS:
                intakes = [(year, 9, places)]
                if extra_month:
                    intakes.append((year + 1, extra_month, extra_places))
                for intake_year, month, base in intakes:
                    if date(intake_year, month, 1) > as_of:
                        continue
                    commissioned = round(base * (1 + 0.03 * (year - ref.INTAKE_YEARS[0])))
                    fill = float(np.clip(rng.normal(0.96, 0.045), 0.85, 1.05))
                    if rng.random() < 0.06:
                        fill = float(rng.uniform(0.66, 0.82))
                    poor_hei, poor_prog, poor_year, poor_fill = ref.POOR_RECRUITMENT
                    if (hei.code, programme, year, month) == (poor_hei, poor_prog, poor_year, 9):
                        fill = poor_fill
                    day = {9: 15, 1: 8, 3: 1}[month]
                    plans.append(
                        CohortPlan(
                            hei_code=code,
                            hei_place=hei.place,
                            programme=programme,
                            intake_year=intake_year,
                            intake_month=month,
                            places=commissioned,
                            starters=max(1, round(commissioned * fill)),
                            start=_first_monday(intake_year, month, day),
                        )
                    )
    return plans


def _choice(rng: np.random.Generator, weights: Mapping[str, float], n: int) -> list[str]:
    p = np.array(list(weights.values()))
    return [str(x) for x in rng.choice(list(weights), size=n, p=p / p.sum())]


def simulate_learners(
    rng: np.random.Generator, cohorts: list[CohortPlan], *, as_of: date
) -> list[LearnerPlan]:
    learners: list[LearnerPlan] = []
    serial: dict[str, int] = {}
    for index, cohort in enumerate(cohorts):
        spec = ref.PROGRAMME_BY_CODE[cohort.programme]
        factor = spec.withdrawal_factor
        outlier_hei, outlier_prog, outlier_factor = ref.OUTLIER
        if cohort.hei_code == outlier_hei and cohort.programme == outlier_prog:
            factor *= outlier_factor
        n_in = int(rng.binomial(cohort.starters, ref.TRANSFER_IN))
        n = cohort.starters + n_in
        p_w = ref.BASE_WITHDRAWAL * factor
        p_i = ref.INTERRUPTION * (0.6 + 0.4 * factor)
        p_t, p_late = ref.TRANSFER_OUT, ref.LATE_COMPLETION
        outcome = rng.choice(
            ["withdraw", "interrupt", "transfer", "late", "complete"],
            size=n,
            p=[p_w, p_i, p_t, p_late, 1 - p_w - p_i - p_t - p_late],
        )
        u = rng.random((n, 8))
        reasons = _choice(rng, ref.WITHDRAWAL_REASONS, n)
        health = _choice(rng, ref.REASONS_AFTER_INTERRUPTION, n)
        home = _home_districts(rng, cohort.hei_place, n)
        adjust = rng.random(n) < ref.REASONABLE_ADJUSTMENTS
        travel = rng.choice([15.0, 20.0, 25.0, 30.0], size=n)
        driver = rng.random(n) < ref.DRIVER
        late_start = rng.random(n) < 0.05
        hei_short = cohort.hei_code.replace("-", "")
        key = f"{cohort.intake_year}-{hei_short}-{cohort.programme}"
        for i in range(n):
            serial[key] = serial.get(key, 0) + 1
            transfer_in = i >= cohort.starters
            start = cohort.start
            if late_start[i] and not transfer_in:
                start = date.fromordinal(start.toordinal() + int(u[i, 7] * 14) + 1)
            learner = LearnerPlan(
                cohort=index,
                ref=f"L{cohort.intake_year}-{hei_short}-{cohort.programme}-{serial[key]:04d}",
                start=start,
                district=home[i],
                adjustments=bool(adjust[i]),
                max_travel_km=float(travel[i]) if adjust[i] else None,
                driver=bool(driver[i]),
            )
            kind = "complete" if transfer_in and outcome[i] != "late" else str(outcome[i])
            _journey(learner, spec.years, kind, u[i], reasons[i], health[i], transfer_in)
            _cut(learner, as_of)
            if learner.events:
                learners.append(learner)
    return learners


def _home_districts(rng: np.random.Generator, hei_place: str, n: int) -> list[str | None]:
    """Mostly from the HEI's own half of the ICS, some from the other, a few unrecorded."""
    own = ref.BSOL_PLACES if PLACES[hei_place].region == "bsol" else ref.HW_PLACES
    other = ref.HW_PLACES if own is ref.BSOL_PLACES else ref.BSOL_PLACES
    own_d = [d for p in own for d in PLACES[p].districts]
    other_d = [d for p in other for d in PLACES[p].districts]
    pick = rng.random(n)
    a = rng.choice(own_d, size=n)
    b = rng.choice(other_d, size=n)
    return [None if x < 0.05 else str(a[k] if x < 0.85 else b[k]) for k, x in enumerate(pick)]


def _journey(
    learner: LearnerPlan,
    years: float,
    kind: str,
    u: np.ndarray,
    reason: str,
    health_reason: str,
    transfer_in: bool,
) -> None:
    """Write the learner's whole history (before cutting at the reference date)."""
    start = learner.start.toordinal()
    due = add_months(learner.start, round(years * 12)).toordinal()
    length = due - start
    ev = learner.events

    def add(offset: int, event: str, why: str | None = None) -> None:
        ev.append((date.fromordinal(start + offset), event, why))

    if transfer_in:
        # Joined in year 2 from another HEI: they belong to the cohort they started with.
        add(365 + int(u[0] * 20), "transferred_in")
    else:
        add(0, "started")
    if kind == "withdraw":
        n_years = int(np.ceil(years))
        weights = np.array(ref.WITHDRAWAL_YEAR[n_years])
        year = int(np.searchsorted(np.cumsum(weights), u[0] * weights.sum()))
        offset = int(365 * year + 365 * u[1] ** 1.3)
        add(int(np.clip(offset, 10, length - 30)), "withdrew", reason)
        return
    if kind == "transfer":
        add(int(60 + u[0] * min(length - 90, 600)), "transferred_out")
        return
    finish = due - int(u[2] * 21)  # exam boards sit a little before the standard end date
    if kind == "late":
        finish = due + 60 + int(u[3] * 150)
    if kind == "interrupt":
        learner.interrupted_ever = True
        at = int(30 + u[0] * (length - 90))
        add(at, "interrupted")
        if u[1] >= ref.INTERRUPTED_RETURN:
            add(at + 180 + int(u[3] * 270), "withdrew", health_reason)
            return
        gap = int(np.interp(u[4], [0, 0.25, 0.85, 1], [120, 180, 380, 730]))
        add(at + gap, "returned")
        if u[5] < ref.RETURNER_LATER_WITHDRAWS:
            add(
                at + gap + 60 + int(u[3] * 180),
                "withdrew",
                "academic" if u[6] < 0.5 else "personal_health",
            )
            return
        finish = due + gap + int(u[3] * 30)
    ev.append((date.fromordinal(finish), "completed", None))
    if u[6] < ref.EMPLOYED_LOCAL:
        ev.append((date.fromordinal(finish + 14 + int(u[7] * 75)), "employed_local", None))
    elif u[6] < ref.EMPLOYED_LOCAL + ref.EMPLOYED_ELSEWHERE:
        ev.append((date.fromordinal(finish + 14 + int(u[7] * 75)), "employed_elsewhere", None))


def _cut(learner: LearnerPlan, as_of: date) -> None:
    learner.events = [e for e in learner.events if e[0] <= as_of]
    for _, event, _ in learner.events:
        learner.status = STATUS_EVENTS.get(event, learner.status)
    if not any(e[1] == "interrupted" for e in learner.events):
        learner.interrupted_ever = False
