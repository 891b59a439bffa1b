"""Names, labels and one-line definitions of every measure.

Pages, exports and tests read labels from here so that a number is never shown without
saying which definition it follows: published attrition figures use several incompatible
definitions, and a bare "attrition %" invites comparing unlike with unlike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

MeasureKind = Literal["count", "rate"]

#: Row value used in the grouping columns of margin (total) rows.
TOTAL: Final = "All"

#: Columns a measures table may be grouped by.
GROUP_COLUMNS: Final = ("hei", "programme", "profession_group", "route", "intake", "intake_year")

#: Events that set a learner's current status, mapped to the status they set.
STATUS_EVENTS: Final[dict[str, str]] = {
    "started": "active",
    "transferred_in": "active",
    "returned": "active",
    "interrupted": "interrupted",
    "withdrew": "withdrawn",
    "transferred_out": "transferred_out",
    "completed": "completed",
}

#: Order of events recorded on the same day. An interruption and a return on one day mean a
#: (corrected) short break that has ended, so "returned" sorts after "interrupted"; endings
#: sort after everything that can precede them, and employment after completion.
EVENT_PRECEDENCE: Final[dict[str, int]] = {
    "transferred_in": 0,
    "started": 1,
    "interrupted": 2,
    "returned": 3,
    "withdrew": 4,
    "transferred_out": 5,
    "completed": 6,
    "employed_local": 7,
    "employed_elsewhere": 8,
}

STATUSES: Final = (
    "not_started",
    "active",
    "interrupted",
    "withdrawn",
    "transferred_out",
    "completed",
)

WITHDRAWAL_REASONS: Final = (
    "academic",
    "personal_health",
    "financial",
    "caring_responsibilities",
    "placement_experience",
    "wrong_career_choice",
    "other",
)
#: Reason shown when a withdrawal was recorded without one.
REASON_NOT_RECORDED: Final = "not_recorded"


@dataclass(frozen=True)
class Measure:
    """A measure as users see it: label, one-line definition and, for rates, its parts."""

    name: str
    label: str
    definition: str
    kind: MeasureKind
    numerator: str | None = None
    denominator: str | None = None


def _count(name: str, label: str, definition: str) -> Measure:
    return Measure(name, label, definition, "count")


def _rate(
    name: str, label: str, definition: str, numerator: str | None, denominator: str | None
) -> Measure:
    return Measure(name, label, definition, "rate", numerator, denominator)


_MEASURES: Final = (
    _count("starters", "Starters", "Learners with a start recorded in the cohort."),
    _count("withdrawn", "Withdrawn", "Starters whose current status is withdrawn."),
    _count(
        "transferred_out",
        "Transferred out",
        "Starters who transferred to another programme or HEI; not counted as attrition.",
    ),
    _count(
        "transferred_in",
        "Transferred in",
        "Learners who joined by transfer; they belong to the cohort where they started.",
    ),
    _count("interrupted", "Currently interrupted", "Starters whose current status is interrupted."),
    _count("completed", "Completed", "Starters whose current status is completed."),
    _count(
        "completed_on_time",
        "Completed on time",
        "Completed by start date + standard programme length.",
    ),
    _count("employed_local", "Employed locally", "Completers with a local employment recorded."),
    _count("active", "On programme", "Starters currently studying (not interrupted)."),
    _count(
        "due",
        "Due to have completed",
        "Starters whose standard end date has passed (transfers out excluded).",
    ),
    _count(
        "not_completed_on_time",
        "Not completed on time",
        "Due starters (excluding transfers out) not completed by their standard end date.",
    ),
    _count("commissioned_places", "Commissioned places", "Places commissioned for the cohort."),
    _rate(
        "attrition_rate",
        "Cohort attrition rate (withdrawals ÷ starters)",
        "Starters whose current status is withdrawn, divided by starters.",
        "withdrawn",
        "starters",
    ),
    _rate(
        "non_completion_rate",
        "Non-completion within standard pathway (RePAIR)",
        "Due starters not completed by start date + programme length, whatever the cause.",
        "not_completed_on_time",
        "due",
    ),
    _rate(
        "fill_rate",
        "Recruitment fill rate (starters ÷ commissioned places)",
        "Starters divided by commissioned places.",
        "starters",
        "commissioned_places",
    ),
    _rate(
        "local_retention",
        "Local retention (employed locally ÷ completed)",
        "Completers employed locally, divided by completers.",
        "employed_local",
        "completed",
    ),
    _count(
        "at_risk",
        "Learners at risk in the year",
        "On programme at the start of the academic year, or starting during it.",
    ),
    _count("withdrawn_in_year", "Withdrawals in the year", "Withdrawals dated in the year."),
    _rate(
        "in_year_attrition_rate",
        "In-year attrition (withdrawals in year ÷ learners at risk)",
        "Withdrawals in the academic year (Sep–Aug) divided by learners at risk in it.",
        "withdrawn_in_year",
        "at_risk",
    ),
    _rate(
        "retention",
        "Retention (Kaplan–Meier, withdrawal only)",
        "Estimated share not yet withdrawn by a given month since start.",
        None,
        None,
    ),
)

#: Every measure by name.
DEFINITIONS: Final[dict[str, Measure]] = {m.name: m for m in _MEASURES}
#: Human label of every measure by name (what pages put on axes, cards and headers).
MEASURE_LABELS: Final[dict[str, str]] = {m.name: m.label for m in _MEASURES}
#: Rate name -> (numerator column, denominator column), for disclosure control.
RATE_PARTS: Final[dict[str, tuple[str, str]]] = {
    m.name: (m.numerator, m.denominator)
    for m in _MEASURES
    if m.kind == "rate" and m.numerator and m.denominator
}

#: Columns of `python -m tracker export attrition`, in order.
ATTRITION_EXPORT_COLUMNS: Final = (
    "starters",
    "withdrawn",
    "transferred_out",
    "interrupted",
    "completed",
    "attrition_rate",
)
