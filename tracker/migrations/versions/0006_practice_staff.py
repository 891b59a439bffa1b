"""The practice staff and academic assessors registers (NMC SSSA, HCPC, Social Work England).

Practice staff are one row per person and organisation, linked to the settings they work at;
academic assessors are one row per person and HEI. Stage 2 of the allocator reads the first
(``optimise.practice_tables.read_staff`` columns).

Create Date: 2026-12-02
"""

import sqlalchemy as sa

from tracker.migrations import columns as col

revision: str = "0006"
down_revision: str | None = "0005"

GROUPS = "profession_group IN ('nursing', 'midwifery', 'ahp', 'nursing_associate', 'social_work')"
STAFF = "practice_staff"
STAFF_SETTING = "practice_staff_setting"
ASSESSOR = "academic_assessor"


def _person(table: str, owner: str) -> tuple[sa.Column, ...]:
    """Both registers know a person by the owner's pseudonymous reference, a name optional."""
    return (
        col.reference(table, owner, "organisation"),
        col.text("staff_ref", 32),
        col.text("display_name", 100, nullable=True),
    )


def _practice_staff() -> None:
    col.create_table(
        STAFF,
        *_person(STAFF, "organisation_id"),
        col.text("profession_group", 32),
        col.text("field", 100, nullable=True),
        col.flag("is_supervisor"),
        col.flag("is_assessor"),
        col.flag("is_educator"),
        col.day("prepared_on", nullable=True),
        col.number("max_learners"),
        col.flag("active"),
        *col.version(STAFF),
        col.check(STAFF, "profession_group_code", GROUPS),
        col.check(STAFF, "has_role", "is_supervisor OR is_assessor OR is_educator"),
        col.check(STAFF, "assessor_field", "field IS NOT NULL OR NOT (is_assessor OR is_educator)"),
        col.check(STAFF, "max_learners_range", "max_learners <= 20"),
        col.check(STAFF, "max_learners_nonneg", "max_learners >= 0"),
        col.unique(STAFF, "organisation_id", "staff_ref"),
        indexed=("organisation_id",),
    )
    col.create_table(
        STAFF_SETTING,
        col.reference(STAFF_SETTING, "staff_id", STAFF),
        col.reference(STAFF_SETTING, "setting_id", "placement_setting"),
        primary=("staff_id", "setting_id"),
        indexed=("setting_id",),
    )


def _academic_assessor() -> None:
    col.create_table(
        ASSESSOR,
        *_person(ASSESSOR, "hei_id"),
        col.text("programmes", 500),
        col.flag("active"),
        *col.version(ASSESSOR),
        col.check(ASSESSOR, "programmes_given", "length(programmes) > 0"),
        col.unique(ASSESSOR, "hei_id", "staff_ref"),
        indexed=("hei_id",),
    )


def upgrade() -> None:
    _practice_staff()
    _academic_assessor()


def downgrade() -> None:
    col.drop_table(ASSESSOR, "hei_id")
    col.drop_table(STAFF_SETTING, "setting_id")
    col.drop_table(STAFF, "organisation_id")
