"""Headline cards: this academic year to date against the same point last year."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tracker.measures.attrition import cohorts_with_groups, in_year_part, learner_flags
from tracker.measures.definitions import MEASURE_LABELS
from tracker.measures.status import (
    academic_year,
    academic_year_start,
    learner_status,
    sort_events,
)

HEADLINE_MEASURES = (
    "starters",
    "commissioned_places",
    "fill_rate",
    "on_programme",
    "withdrawn_in_year",
    "in_year_attrition_rate",
    "due_starters",
    "due_withdrawn",
    "attrition_rate",
    "non_completion_rate",
    "completed_in_year",
    "employed_local",
    "local_retention",
)


def _headline_values(
    learners: pd.DataFrame,
    events: pd.DataFrame,
    cohorts: pd.DataFrame | None,
    as_of: pd.Timestamp,
    status: pd.DataFrame | None = None,
) -> dict[str, tuple[float, float | None]]:
    """Headline value and its denominator (for rates) for the academic year to `as_of`."""
    label = academic_year(as_of)
    year_start = academic_year_start(label)
    if status is None:
        status = learner_status(learners, events, as_of=as_of.date())
    flags = learner_flags(status)
    started = status["started"]
    intake_in_year = started & status["start_event_date"].between(year_start, as_of)
    starters = int(intake_in_year.sum())

    places: float = np.nan
    if cohorts is not None and len(cohorts):
        c = cohorts_with_groups(cohorts, learners)
        intake_day = pd.to_datetime(c["intake"].astype(str) + "-01")
        places = float(
            c.loc[(c["intake_year"] == label) & (intake_day <= as_of)]["commissioned_places"].sum()
        )

    sorted_events = sort_events(events.loc[pd.to_datetime(events["date"]) <= as_of])
    this = in_year_part(status, sorted_events, [], year_start, as_of)
    at_risk = float(this["at_risk"].sum())
    withdrawn_in_year = float(this["withdrawn_in_year"].sum())

    due_in_year = started & status["due_date"].between(year_start, as_of)
    due_flags = flags.loc[due_in_year]
    completed_in_year = started & status["completion_date"].between(year_start, as_of)
    completers = float(completed_in_year.sum())
    local = float((completed_in_year & status["employed_local"]).sum())

    def rate(num: float, den: float) -> float:
        return num / den if den > 0 else np.nan

    due_starters = float(due_flags["starters"].sum())
    due_withdrawn = float(due_flags["withdrawn"].sum())
    due_base = float(due_flags["due"].sum())
    return {
        "starters": (starters, None),
        "commissioned_places": (places, None),
        "fill_rate": (rate(starters, places), places),
        "on_programme": (float(flags["active"].sum() + flags["interrupted"].sum()), None),
        "withdrawn_in_year": (withdrawn_in_year, None),
        "in_year_attrition_rate": (rate(withdrawn_in_year, at_risk), at_risk),
        "due_starters": (due_starters, None),
        "due_withdrawn": (due_withdrawn, None),
        "attrition_rate": (rate(due_withdrawn, due_starters), due_starters),
        "non_completion_rate": (
            rate(float(due_flags["not_completed_on_time"].sum()), due_base),
            due_base,
        ),
        "completed_in_year": (completers, None),
        "employed_local": (local, None),
        "local_retention": (rate(local, completers), completers),
    }


_HEADLINE_LABELS = {
    "on_programme": "On programme (active or interrupted)",
    "due_starters": "Starters due to finish this year",
    "due_withdrawn": "Of whom withdrawn",
    "completed_in_year": "Completed this year",
}


def headline_figures(
    learners: pd.DataFrame,
    events: pd.DataFrame,
    cohorts: pd.DataFrame | None = None,
    *,
    as_of: date,
    status: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Headline cards for the academic year to `as_of`, with change on last year.

    "Last year" is the previous academic year up to the same day (`as_of` minus one
    year), so a part-year is compared like for like. Cohort attrition and RePAIR
    non-completion are both reported for the cohort due to finish in the year (standard
    end date in the year to date), side by side, so the two definitions describe the same
    learners. Filter the inputs to show one HEI or programme.

    Returns one row per measure: measure, label, kind ('count' or 'rate'), period,
    value, denominator, previous_period, previous, previous_denominator, change
    (absolute; for rates a difference of fractions, i.e. percentage points / 100).
    """
    now = pd.Timestamp(as_of)
    then = now - pd.DateOffset(years=1)
    current = _headline_values(learners, events, cohorts, now, status)
    previous = _headline_values(learners, events, cohorts, then)
    rows = []
    for name in HEADLINE_MEASURES:
        value, den = current[name]
        prev, prev_den = previous[name]
        rows.append(
            {
                "measure": name,
                "label": _HEADLINE_LABELS.get(name, MEASURE_LABELS.get(name, name)),
                "kind": "rate" if name.endswith("rate") or name == "local_retention" else "count",
                "period": f"{academic_year(now)} to {now.date().isoformat()}",
                "value": value,
                "denominator": den,
                "previous_period": f"{academic_year(then)} to {then.date().isoformat()}",
                "previous": prev,
                "previous_denominator": prev_den,
                "change": value - prev,
            }
        )
    return pd.DataFrame(rows)
