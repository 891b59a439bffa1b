"""Organisations (trusts, practices, councils, HEIs ...), programmes and cohorts."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.models.vocabulary import OrgKind, ProfessionGroup, Route, non_negative, one_of


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
