"""Practice hours: attended hours of learners on placement, with their sign-off and absences,
and each programme's practice learning requirement."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.models.vocabulary import (
    AbsenceReason,
    HoursPeriod,
    RequirementUnit,
    SignOff,
    non_negative,
    one_of,
)


class PracticeHours(SQLModel, table=True):
    """One week's or one shift's attended practice hours of a learner, as the practice
    assessment record (PARE and the like) holds them.

    Kept by the learner's HEI (imported from its practice assessment record export or typed
    in). Only hours not queried count towards the requirement; ``signed_off_by`` names the
    practice supervisor's or assessor's reference and is required once signed off, so a
    signed-off record always says who vouched for it. Absent hours carry their reason.
    """

    __tablename__ = "practice_hours"
    __table_args__ = (
        UniqueConstraint("learner_id", "worked_on", "period"),
        one_of("period", HoursPeriod),
        one_of("status", SignOff),
        one_of("absence_reason", AbsenceReason, nullable=True),
        CheckConstraint(
            "(absence_hours = 0 AND absence_reason IS NULL)"
            " OR (absence_hours > 0 AND absence_reason IS NOT NULL)",
            name="reason_for_absence",
        ),
        CheckConstraint(
            "status <> 'signed_off' OR signed_off_by IS NOT NULL", name="signed_off_by_given"
        ),
        CheckConstraint("hours <= 168 AND absence_hours <= 168", name="hours_in_a_week"),
        *non_negative("hours", "absence_hours", "births", "version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True)
    placement_id: int | None = Field(default=None, foreign_key="placement.id", index=True)
    worked_on: date = Field(description="The shift's day, or the first day of the week")
    period: str = Field(default=HoursPeriod.WEEK.value, max_length=16)
    hours: float = Field(default=0, description="Attended practice hours")
    births: int = Field(default=0, description="Births facilitated (midwifery)")
    absence_hours: float = 0
    absence_reason: str | None = Field(default=None, max_length=32)
    status: str = Field(default=SignOff.PENDING.value, max_length=16)
    signed_off_by: str | None = Field(
        default=None, max_length=64, description="Practice supervisor's or assessor's reference"
    )
    note: str | None = Field(default=None, max_length=500)
    version: int = Field(default=1, description="Optimistic lock: bumped on every edit")
    updated_at: datetime | None = None


class PracticeRequirement(SQLModel, table=True):
    """What a programme's learners must complete in practice, in one unit (a programme may
    have several: midwifery counts hours and births).

    ``year_split`` (``;``-separated amounts, year 1 first) divides ``required`` by year of
    study where the programme sets a per-year minimum; empty means the total only.
    ``behind_margin`` (in the same unit) is how far below the expected position a learner may
    be before being flagged behind.
    """

    __tablename__ = "practice_requirement"
    __table_args__ = (
        UniqueConstraint("programme_id", "unit"),
        one_of("unit", RequirementUnit),
        CheckConstraint("required > 0", name="required_positive"),
        *non_negative("behind_margin", "version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    unit: str = Field(default=RequirementUnit.HOURS.value, max_length=16)
    required: float
    year_split: str | None = Field(default=None, max_length=100)
    behind_margin: float = 0
    version: int = Field(default=1, description="Optimistic lock: bumped on every edit")
    updated_at: datetime | None = None
