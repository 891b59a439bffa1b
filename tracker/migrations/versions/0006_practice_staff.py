"""The practice staff and academic assessors registers (NMC SSSA, HCPC, Social Work England).

Practice staff are one row per person and organisation, linked to the settings they work at;
academic assessors are one row per person and HEI. Stage 2 of the allocator reads the first
(``optimise.practice_tables.read_staff`` columns).

Create Date: 2026-12-02
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"

GROUPS = "profession_group IN ('nursing', 'midwifery', 'ahp', 'nursing_associate', 'social_work')"
Text = sqlmodel.sql.sqltypes.AutoString


def _practice_staff() -> None:
    op.create_table(
        "practice_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("staff_ref", Text(length=32), nullable=False),
        sa.Column("display_name", Text(length=100), nullable=True),
        sa.Column("profession_group", Text(length=32), nullable=False),
        sa.Column("field", Text(length=100), nullable=True),
        sa.Column("is_supervisor", sa.Boolean(), nullable=False),
        sa.Column("is_assessor", sa.Boolean(), nullable=False),
        sa.Column("is_educator", sa.Boolean(), nullable=False),
        sa.Column("prepared_on", sa.Date(), nullable=True),
        sa.Column("max_learners", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(GROUPS, name=op.f("ck_practice_staff_profession_group_code")),
        sa.CheckConstraint(
            "is_supervisor OR is_assessor OR is_educator", name=op.f("ck_practice_staff_has_role")
        ),
        sa.CheckConstraint(
            "field IS NOT NULL OR NOT (is_assessor OR is_educator)",
            name=op.f("ck_practice_staff_assessor_field"),
        ),
        sa.CheckConstraint("max_learners <= 20", name=op.f("ck_practice_staff_max_learners_range")),
        sa.CheckConstraint("max_learners >= 0", name=op.f("ck_practice_staff_max_learners_nonneg")),
        sa.CheckConstraint("version >= 0", name=op.f("ck_practice_staff_version_nonneg")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_practice_staff_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_staff")),
        sa.UniqueConstraint(
            "organisation_id", "staff_ref", name=op.f("uq_practice_staff_organisation_id_staff_ref")
        ),
    )
    with op.batch_alter_table("practice_staff") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_practice_staff_organisation_id"), ["organisation_id"], unique=False
        )
    op.create_table(
        "practice_staff_setting",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("setting_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["practice_staff.id"],
            name=op.f("fk_practice_staff_setting_staff_id_practice_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["setting_id"],
            ["placement_setting.id"],
            name=op.f("fk_practice_staff_setting_setting_id_placement_setting"),
        ),
        sa.PrimaryKeyConstraint("staff_id", "setting_id", name=op.f("pk_practice_staff_setting")),
    )
    with op.batch_alter_table("practice_staff_setting") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_practice_staff_setting_setting_id"), ["setting_id"], unique=False
        )


def _academic_assessor() -> None:
    op.create_table(
        "academic_assessor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hei_id", sa.Integer(), nullable=False),
        sa.Column("staff_ref", Text(length=32), nullable=False),
        sa.Column("display_name", Text(length=100), nullable=True),
        sa.Column("programmes", Text(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "length(programmes) > 0", name=op.f("ck_academic_assessor_programmes_given")
        ),
        sa.CheckConstraint("version >= 0", name=op.f("ck_academic_assessor_version_nonneg")),
        sa.ForeignKeyConstraint(
            ["hei_id"], ["organisation.id"], name=op.f("fk_academic_assessor_hei_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_academic_assessor")),
        sa.UniqueConstraint(
            "hei_id", "staff_ref", name=op.f("uq_academic_assessor_hei_id_staff_ref")
        ),
    )
    with op.batch_alter_table("academic_assessor") as batch_op:
        batch_op.create_index(batch_op.f("ix_academic_assessor_hei_id"), ["hei_id"], unique=False)


def upgrade() -> None:
    _practice_staff()
    _academic_assessor()


def downgrade() -> None:
    with op.batch_alter_table("academic_assessor") as batch_op:
        batch_op.drop_index(batch_op.f("ix_academic_assessor_hei_id"))
    op.drop_table("academic_assessor")
    with op.batch_alter_table("practice_staff_setting") as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_staff_setting_setting_id"))
    op.drop_table("practice_staff_setting")
    with op.batch_alter_table("practice_staff") as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_staff_organisation_id"))
    op.drop_table("practice_staff")
