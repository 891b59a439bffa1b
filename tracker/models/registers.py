"""The placement capacity registers: settings, blocks, calendars, supervision, requests and
educational audits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.models.vocabulary import (
    AuditOutcome,
    ProfessionGroup,
    RequestStatus,
    Sector,
    non_negative,
    one_of,
)


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
    #: The setting's contact for notifications: who is coming, audits falling due.
    contact_email: str | None = Field(default=None, max_length=255)
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
        CheckConstraint(
            "makeup_learners >= 0 AND makeup_learners <= learners", name="makeup_learners"
        ),
        *non_negative("version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    block_id: int = Field(foreign_key="placement_block.id", index=True)
    learners: int
    makeup_learners: int = Field(
        default=0,
        sa_column_kwargs={"server_default": "0"},
        description="How many of the learners make up practice hours: placed first within "
        "their HEI's share",
    )
    required_sector: str | None = Field(default=None, max_length=32)
    lat: float | None = None
    lon: float | None = None
    status: str = Field(default=RequestStatus.SUBMITTED.value, max_length=16)
    created_at: datetime | None = None
    created_by: str | None = Field(default=None, max_length=64)
    version: int = 1


class EducationalAudit(SQLModel, table=True):
    """A setting's educational audit (learning-environment profile) and its outcome.

    A setting takes learners of a programme only while an approved audit (with or without
    actions) covering that programme is in date. ``programmes`` holds what the audit approved
    as the import file writes it: ``*`` (every programme) or ``;``-separated programme codes
    or programme fields (``adult nursing``), checked by the importer's rules.
    """

    __tablename__ = "educational_audit"
    __table_args__ = (
        UniqueConstraint("setting_id", "audited_on"),
        one_of("outcome", AuditOutcome),
        CheckConstraint("expires_on >= audited_on", name="dates"),
        CheckConstraint("length(programmes) > 0", name="programmes_given"),
        *non_negative("version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    setting_id: int = Field(foreign_key="placement_setting.id", index=True)
    audited_on: date
    outcome: str = Field(max_length=32)
    expires_on: date = Field(index=True)
    programmes: str = Field(default="*", max_length=500)
    action_plan: str | None = Field(default=None, max_length=2000)
    action_due_on: date | None = None
    version: int = Field(default=1, description="Optimistic lock: bumped on every edit")
