"""The people who support learners: practice staff at settings and academic assessors at HEIs.

NMC SSSA names a practice supervisor and a practice assessor for every nursing, midwifery and
nursing associate learner, and an academic assessor at the HEI; HCPC and Social Work England
name one practice educator. The registers hold pseudonymous references chosen by the
organisation (``RXK-PS-0142``), never a person's real identity beyond an optional display name.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.models.vocabulary import ProfessionGroup, non_negative, one_of


class PracticeStaff(SQLModel, table=True):
    """One member of a placement provider's staff and the SSSA roles they hold.

    A person is one row per organisation, whatever the number of its settings they work at
    (``PracticeStaffSetting``): their field, preparation date and learner limit are the
    person's, and the limit counts learners at all their settings together, as stage 2 of the
    allocator reads it (``optimise.practice_tables.read_staff``). ``max_learners`` is how many
    learners they can support at once in any role; 0 means not taking learners just now.
    """

    __tablename__ = "practice_staff"
    __table_args__ = (
        UniqueConstraint("organisation_id", "staff_ref"),
        one_of("profession_group", ProfessionGroup),
        CheckConstraint("is_supervisor OR is_assessor OR is_educator", name="has_role"),
        CheckConstraint(
            "field IS NOT NULL OR NOT (is_assessor OR is_educator)", name="assessor_field"
        ),
        CheckConstraint("max_learners <= 20", name="max_learners_range"),
        *non_negative("max_learners", "version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    staff_ref: str = Field(max_length=32)
    display_name: str | None = Field(default=None, max_length=100)
    profession_group: str = Field(max_length=32)
    field: str | None = Field(default=None, max_length=100)
    is_supervisor: bool = False
    is_assessor: bool = False
    is_educator: bool = False
    prepared_on: date | None = None
    max_learners: int = 1
    active: bool = True
    version: int = Field(default=1, description="Optimistic lock: bumped on every edit")


class PracticeStaffSetting(SQLModel, table=True):
    """Which settings a member of practice staff supports learners at."""

    __tablename__ = "practice_staff_setting"

    staff_id: int = Field(foreign_key="practice_staff.id", primary_key=True)
    setting_id: int = Field(foreign_key="placement_setting.id", primary_key=True, index=True)


class AcademicAssessor(SQLModel, table=True):
    """An HEI's academic assessor and the programmes they assess learners of.

    ``programmes`` is ``*`` (every programme of the HEI) or ``;``-separated programme codes,
    as the import file writes it.
    """

    __tablename__ = "academic_assessor"
    __table_args__ = (
        UniqueConstraint("hei_id", "staff_ref"),
        CheckConstraint("length(programmes) > 0", name="programmes_given"),
        *non_negative("version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    hei_id: int = Field(foreign_key="organisation.id", index=True)
    staff_ref: str = Field(max_length=32)
    display_name: str | None = Field(default=None, max_length=100)
    programmes: str = Field(default="*", max_length=500)
    active: bool = True
    version: int = Field(default=1, description="Optimistic lock: bumped on every edit")


class AcademicAssessment(SQLModel, table=True):
    """Which academic assessor assesses a learner for one part of their programme (NMC SSSA).

    A part is a year of study (part 1 is the first year), the progression point at which an
    NMC programme confirms a learner's achievement. The assessor must be of the learner's HEI,
    and may not be the same person for consecutive parts (NMC SSSA); the services check
    both, the schema keeps one assessor per learner and part.
    """

    __tablename__ = "academic_assessment"
    __table_args__ = (
        UniqueConstraint("learner_id", "part"),
        CheckConstraint("part >= 1 AND part <= 6", name="part_range"),
        *non_negative("version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True)
    part: int
    assessor_id: int = Field(foreign_key="academic_assessor.id", index=True)
    version: int = Field(default=1, description="Optimistic lock: bumped on every edit")
