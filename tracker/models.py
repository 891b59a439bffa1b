"""Every table of the tracker, with the vocabularies (enums) beside them.

The codes of each enum are the exact strings used in import files, exports, the demo data and
the database, so one vocabulary runs through the product. Constraints live in the schema
(foreign keys, uniqueness, non-negative counts, checks on enumerations) so that no path into
the database, not even a hand-written SQL fix, can store a value the product cannot read.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class OrgKind(StrEnum):
    HEI = "hei"
    NHS_TRUST = "nhs_trust"
    GP_PRACTICE = "gp_practice"
    PCN = "pcn"
    CARE_HOME_PROVIDER = "care_home_provider"
    LOCAL_AUTHORITY = "local_authority"
    VCSE = "vcse"


class Sector(StrEnum):
    ACUTE = "acute"
    PRIMARY_CARE = "primary_care"
    COMMUNITY = "community"
    MENTAL_HEALTH = "mental_health"
    CARE_HOME = "care_home"
    SOCIAL_CARE = "social_care"
    VCSE = "vcse"


class ProfessionGroup(StrEnum):
    NURSING = "nursing"
    MIDWIFERY = "midwifery"
    AHP = "ahp"
    NURSING_ASSOCIATE = "nursing_associate"
    SOCIAL_WORK = "social_work"


class Route(StrEnum):
    DEGREE = "degree"
    APPRENTICESHIP = "apprenticeship"
    POSTGRADUATE = "postgraduate"


class EventType(StrEnum):
    STARTED = "started"
    INTERRUPTED = "interrupted"
    RETURNED = "returned"
    WITHDREW = "withdrew"
    TRANSFERRED_IN = "transferred_in"
    TRANSFERRED_OUT = "transferred_out"
    COMPLETED = "completed"
    EMPLOYED_LOCAL = "employed_local"
    EMPLOYED_ELSEWHERE = "employed_elsewhere"


class WithdrawalReason(StrEnum):
    ACADEMIC = "academic"
    PERSONAL_HEALTH = "personal_health"
    FINANCIAL = "financial"
    CARING_RESPONSIBILITIES = "caring_responsibilities"
    PLACEMENT_EXPERIENCE = "placement_experience"
    WRONG_CAREER_CHOICE = "wrong_career_choice"
    OTHER = "other"


class PlacementStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    APPROVED = "approved"


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    COLLABORATIVE = "collaborative"
    HEI = "hei"


# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def one_of(column: str, values: type[StrEnum], *, nullable: bool = False) -> CheckConstraint:
    """A CHECK constraint that keeps ``column`` inside an enumeration's codes."""
    codes = ", ".join(f"'{member.value}'" for member in values)
    condition = f"{column} IN ({codes})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=f"{column}_code")


def non_negative(*columns: str) -> list[CheckConstraint]:
    return [CheckConstraint(f"{c} >= 0", name=f"{c}_nonneg") for c in columns]


# --- organisations and programmes -------------------------------------------------------------


class Organisation(SQLModel, table=True):
    """An NHS trust, practice, care home provider, council, VCSE body or university (HEI)."""

    __table_args__ = (one_of("kind", OrgKind),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=32, index=True)
    place: str = Field(max_length=100, description="Borough or place within the ICS")


class Programme(SQLModel, table=True):
    """A pre-registration programme, e.g. BSc adult nursing (degree) or nursing associate."""

    __table_args__ = (
        one_of("profession_group", ProfessionGroup),
        one_of("route", Route),
        CheckConstraint("years > 0 AND years <= 6", name="years_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=200)
    profession_group: str = Field(max_length=32)
    field: str = Field(max_length=100, description="e.g. adult nursing, physiotherapy")
    route: str = Field(max_length=32)
    years: float


class Cohort(SQLModel, table=True):
    """One intake of one programme at one HEI, with the places commissioned for it."""

    __table_args__ = (
        UniqueConstraint("hei_id", "programme_id", "intake_year", "intake_month"),
        CheckConstraint("intake_month BETWEEN 1 AND 12", name="intake_month"),
        *non_negative("commissioned_places"),
    )

    id: int | None = Field(default=None, primary_key=True)
    hei_id: int = Field(foreign_key="organisation.id", index=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    intake_year: int
    intake_month: int
    commissioned_places: int = 0

    @property
    def intake(self) -> str:
        return f"{self.intake_year:04d}-{self.intake_month:02d}"


# --- learners and their events ------------------------------------------------------------------


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


# --- placement capacity ---------------------------------------------------------------------------


class PlacementSetting(SQLModel, table=True):
    """A ward, team, practice or home where learners are placed."""

    __tablename__ = "placement_setting"
    __table_args__ = (
        one_of("sector", Sector),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat"),
        CheckConstraint("lon IS NULL OR (lon BETWEEN -180 AND 180)", name="lon"),
        *non_negative("version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    sector: str = Field(max_length=32, index=True)
    hosts_any_programme: bool = False
    lat: float | None = None
    lon: float | None = None
    postcode_district: str | None = Field(default=None, max_length=8)
    active: bool = True
    version: int = Field(default=1, description="Optimistic lock: bumped on every edit")


class SettingProgramme(SQLModel, table=True):
    """Which programmes a setting can host (unless it hosts any programme)."""

    __tablename__ = "setting_programme"

    setting_id: int = Field(foreign_key="placement_setting.id", primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", primary_key=True)


class PlacementBlock(SQLModel, table=True):
    """A system placement period that capacity is offered for and requests are made against."""

    __tablename__ = "placement_block"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=100)
    start_date: date
    end_date: date


class ProgrammeCalendar(SQLModel, table=True):
    """An HEI programme's own placement weeks inside a system block (its calendar)."""

    __tablename__ = "programme_calendar"
    __table_args__ = (
        UniqueConstraint("hei_id", "programme_id", "block_id", "year_of_study"),
        CheckConstraint("end_date >= start_date", name="dates"),
        CheckConstraint("year_of_study BETWEEN 1 AND 6", name="year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    hei_id: int = Field(foreign_key="organisation.id", index=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    block_id: int = Field(foreign_key="placement_block.id", index=True)
    year_of_study: int = 1
    start_date: date
    end_date: date


class SupervisionCapacity(SQLModel, table=True):
    """Supervisors in a setting for one block and profession group, and learners each supports.

    Places are derived (practice supervisors x learners per supervisor), never stored, so the
    register cannot disagree with itself.
    """

    __tablename__ = "supervision_capacity"
    __table_args__ = (
        UniqueConstraint("setting_id", "block_id", "profession_group"),
        one_of("profession_group", ProfessionGroup),
        *non_negative(
            "practice_supervisors",
            "practice_assessors",
            "practice_educators",
            "learners_per_supervisor",
            "version",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    setting_id: int = Field(foreign_key="placement_setting.id", index=True)
    block_id: int = Field(foreign_key="placement_block.id", index=True)
    profession_group: str = Field(max_length=32)
    practice_supervisors: int = 0
    practice_assessors: int = 0
    practice_educators: int = 0
    learners_per_supervisor: int = 1
    version: int = 1

    @property
    def places(self) -> int:
        return self.practice_supervisors * self.learners_per_supervisor


class PlacementRequest(SQLModel, table=True):
    """An HEI's request for placements for some learners of one cohort in one block."""

    __tablename__ = "placement_request"
    __table_args__ = (
        one_of("required_sector", Sector, nullable=True),
        one_of("status", RequestStatus),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat"),
        CheckConstraint("lon IS NULL OR (lon BETWEEN -180 AND 180)", name="lon"),
        CheckConstraint("learners > 0", name="learners_positive"),
        *non_negative("version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    block_id: int = Field(foreign_key="placement_block.id", index=True)
    learners: int
    required_sector: str | None = Field(default=None, max_length=32)
    lat: float | None = None
    lon: float | None = None
    status: str = Field(default=RequestStatus.SUBMITTED.value, max_length=16)
    created_at: datetime | None = None
    created_by: str | None = Field(default=None, max_length=64)
    version: int = 1


# --- allocation ---------------------------------------------------------------------------------


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
    """Learners of a request (or one named learner) placed in a setting for a block."""

    __table_args__ = (
        one_of("status", PlacementStatus),
        CheckConstraint("learners > 0", name="learners_positive"),
        CheckConstraint(
            "request_id IS NOT NULL OR learner_id IS NOT NULL",
            name="has_request_or_learner",
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


# --- people and accountability ---------------------------------------------------------------


class User(SQLModel, table=True):
    """A person who signs in. HEI users are bound to exactly one HEI."""

    __tablename__ = "app_user"
    __table_args__ = (
        one_of("role", Role),
        CheckConstraint(
            "(role = 'hei' AND hei_id IS NOT NULL) OR (role <> 'hei' AND hei_id IS NULL)",
            name="hei_binding",
        ),
        *non_negative("session_generation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16)
    hei_id: int | None = Field(default=None, foreign_key="organisation.id")
    active: bool = True
    is_demo: bool = Field(default=False, description="Demo account: signs in only in demo mode")
    session_generation: int = Field(
        default=0, description="Written into each session at sign-in; raising it ends them all"
    )
    created_at: datetime | None = None
    last_login_at: datetime | None = None


class SignInThrottle(SQLModel, table=True):
    """Recent failed sign-ins of one username from one client address, and how long it waits.

    Keyed by both, so failures from one address never slow down the account's owner at
    another; kept in the database so that every web worker agrees.
    """

    __tablename__ = "sign_in_throttle"
    __table_args__ = (*non_negative("failures"),)

    username: str = Field(max_length=64, primary_key=True)
    client: str = Field(max_length=64, primary_key=True)
    failures: int = 0
    last_failure_at: datetime = Field(index=True)
    wait_until: datetime | None = None


class AuditLog(SQLModel, table=True):
    """Append-only record of who did what, when, with old and new values."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    username: str | None = Field(default=None, max_length=64, index=True)
    action: str = Field(max_length=64, index=True)
    entity: str | None = Field(default=None, max_length=64)
    entity_id: str | None = Field(default=None, max_length=64)
    old: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    new: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    detail: str | None = None
