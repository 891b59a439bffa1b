"""Learners, the append-only history of their events (the pipeline) and their readiness for
placement."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.models.vocabulary import EventType, WithdrawalReason, non_negative, one_of


class Learner(SQLModel, table=True):
    """A pseudonymous learner: no names, only what pipeline measures and placements need."""

    __table_args__ = (*non_negative("max_travel_km"),)

    id: int | None = Field(default=None, primary_key=True)
    learner_ref: str = Field(max_length=64, unique=True, index=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    start_date: date
    home_postcode_district: str | None = Field(default=None, max_length=8)
    reasonable_adjustments: bool = False
    max_travel_km: float | None = Field(
        default=None, description="Personal travel limit, e.g. from reasonable adjustments"
    )
    driver: bool = False


class LearnerEvent(SQLModel, table=True):
    """Append-only history of a learner; the current status is derived, never stored."""

    __tablename__ = "learner_event"
    __table_args__ = (
        one_of("event", EventType),
        one_of("reason", WithdrawalReason, nullable=True),
        CheckConstraint(
            "(event = 'withdrew' AND reason IS NOT NULL)"
            " OR (event <> 'withdrew' AND reason IS NULL)",
            name="reason_for_withdrawal",
        ),
        UniqueConstraint("learner_id", "event_date", "event"),
    )

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True)
    event_date: date = Field(index=True)
    event: str = Field(max_length=32)
    reason: str | None = Field(default=None, max_length=32)
    recorded_at: datetime | None = None
    recorded_by: str | None = Field(default=None, max_length=64)


class LearnerReadiness(SQLModel, table=True):
    """A learner's pre-placement checks, each with the last day it is in date.

    One row per learner, kept by the learner's HEI. A check with no date has not been done
    (or not recorded), and the learner is then not ready: the learner may start a placement
    only while all three are in date through its last day (``measures.readiness``).
    """

    __tablename__ = "learner_readiness"
    __table_args__ = (*non_negative("version"),)

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", unique=True, index=True)
    dbs_valid_until: date | None = None
    occupational_health_valid_until: date | None = None
    mandatory_training_valid_until: date | None = None
    note: str | None = Field(default=None, max_length=500)
    version: int = Field(default=1, description="Optimistic lock: bumped on every edit")
    updated_at: datetime | None = None


#: Every status a learner can be in (``tracker.measures.definitions.STATUSES``).
LEARNER_STATUSES = (
    "not_started",
    "active",
    "interrupted",
    "withdrawn",
    "transferred_out",
    "completed",
)
#: The projection's withdrawal reason when none was given
#: (``tracker.measures.definitions.REASON_NOT_RECORDED``).
REASON_NOT_RECORDED = "not_recorded"


class LearnerStatus(SQLModel, table=True):
    """Each learner's event log folded once (``measures.status.status_projection``): derived,
    never edited by hand.

    Kept by ``services.learner_status`` in the transaction of every import of learners or
    their events, rebuilt by ``python -m tracker rebuild-status``. It holds only what no
    as-of date changes (an open interruption is its start date), and the cohort's HEI,
    programme and intake beside it, so figures can be grouped without replaying events.
    """

    __tablename__ = "learner_status"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in LEARNER_STATUSES) + ")",
            name="status_known",
        ),
        CheckConstraint(
            "withdrawal_reason IS NULL OR withdrawal_reason IN ("
            + ", ".join(f"'{r}'" for r in (*WithdrawalReason, REASON_NOT_RECORDED))
            + ")",
            name="withdrawal_reason_known",
        ),
        *non_negative("interrupted_closed"),
    )

    learner_id: int = Field(foreign_key="learner.id", primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    hei_id: int = Field(foreign_key="organisation.id", index=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    intake: str = Field(max_length=7, description="YYYY-MM")
    intake_year: str = Field(max_length=7, index=True, description="academic year, 2023/24")
    start_date: date
    due_date: date | None = None
    status: str = Field(max_length=16)
    status_date: date | None = None
    start_event_date: date | None = None
    withdrawal_reason: str | None = Field(default=None, max_length=32)
    transferred_in: bool = False
    employed_local: bool = False
    employed_elsewhere: bool = False
    completed_on_time: bool = False
    interrupted_closed: int = Field(default=0, description="days in interruptions ended")
    interrupted_since: date | None = Field(default=None, description="open interruption's start")
