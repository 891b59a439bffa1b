"""Allocation runs, the placements they propose, confirm and complete, and the learners stage 2
could not assign."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.models.vocabulary import PlacementStatus, RunStatus, one_of


class AllocationRun(SQLModel, table=True):
    """One run of the allocator: what went in, what came out, and who asked for it."""

    __tablename__ = "allocation_run"
    __table_args__ = (one_of("status", RunStatus),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="", max_length=200)
    status: str = Field(default=RunStatus.QUEUED.value, max_length=16, index=True)
    created_at: datetime
    started_at: datetime | None = None
    heartbeat_at: datetime | None = Field(
        default=None, description="Last sign of life of the job solving it (stale detection)"
    )
    finished_at: datetime | None = None
    created_by: str | None = Field(default=None, max_length=64)
    parent_run_id: int | None = Field(default=None, foreign_key="allocation_run.id")
    is_scenario: bool = Field(default=False, description="What-if run on edited capacity")
    scope: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    policy: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    inputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    solver: str | None = Field(default=None, max_length=100)
    seconds: float | None = None
    error: str | None = None
    approved_at: datetime | None = None
    approved_by: str | None = Field(default=None, max_length=64)


class Placement(SQLModel, table=True):
    """Learners of a request (or one named learner) placed in a setting for a block.

    A named row (``learner_id`` set) records the learner's practice supervisor and practice
    assessor from the practice staff register; for allied health and social work learners the
    assessor column holds their practice educator and the supervisor is empty. Both are empty
    where the setting lists no named staff ("unnamed": today's counts stand alone).
    """

    __table_args__ = (
        one_of("status", PlacementStatus),
        CheckConstraint("learners > 0", name="learners_positive"),
        CheckConstraint(
            "request_id IS NOT NULL OR learner_id IS NOT NULL",
            name="has_request_or_learner",
        ),
        CheckConstraint(
            "(start_date IS NULL AND end_date IS NULL) OR "
            "(start_date IS NOT NULL AND end_date IS NOT NULL AND end_date >= start_date)",
            name="dates",
        ),
        Index("ix_placement_run_status", "run_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = Field(default=None, foreign_key="allocation_run.id")
    request_id: int | None = Field(default=None, foreign_key="placement_request.id", index=True)
    learner_id: int | None = Field(default=None, foreign_key="learner.id", index=True)
    setting_id: int = Field(foreign_key="placement_setting.id", index=True)
    block_id: int = Field(foreign_key="placement_block.id", index=True)
    learners: int = 1
    status: str = Field(default=PlacementStatus.PROPOSED.value, max_length=16)
    pinned: bool = False
    updated_at: datetime | None = None
    practice_supervisor_id: int | None = Field(default=None, foreign_key="practice_staff.id")
    practice_assessor_id: int | None = Field(default=None, foreign_key="practice_staff.id")
    #: A placement of a run on the programme calendars: its own first and last day (the
    #: request's calendar dates; ``block_id`` is the request's block). Empty for placements
    #: made by block, whose dates are the block's.
    start_date: date | None = None
    end_date: date | None = None


class UnassignedLearner(SQLModel, table=True):
    """A learner stage 2 could not fully assign in a run (no place, supervisor or assessor),
    with the rule's code and the reason in words.

    Its own table, not a placement row: such a learner has no setting or block, and a
    placement without them would break what every placement list relies on. Replaced with the
    run's names each time learners are named.
    """

    __tablename__ = "unassigned_learner"
    __table_args__ = (UniqueConstraint("run_id", "learner_id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="allocation_run.id", index=True)
    learner_id: int = Field(foreign_key="learner.id")
    request_id: int | None = Field(default=None, foreign_key="placement_request.id")
    reason_code: str = Field(max_length=32)
    reason: str = Field(sa_column=Column(Text, nullable=False))
