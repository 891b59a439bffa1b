"""The educational audits register: a setting's audits, their outcome, expiry and actions.

A setting takes learners of a programme only while an approved audit covering it is in date;
runs read this table into their snapshot (``services.allocation_inputs``).

Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0005"
down_revision: str | None = "0004"

OUTCOMES = "outcome IN ('approved', 'approved_with_actions', 'not_approved')"


def upgrade() -> None:
    op.create_table(
        "educational_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("setting_id", sa.Integer(), nullable=False),
        sa.Column("audited_on", sa.Date(), nullable=False),
        sa.Column("outcome", AutoString(length=32), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("programmes", AutoString(length=500), nullable=False),
        sa.Column("action_plan", AutoString(length=2000), nullable=True),
        sa.Column("action_due_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(OUTCOMES, name=op.f("ck_educational_audit_outcome_code")),
        sa.CheckConstraint("expires_on >= audited_on", name=op.f("ck_educational_audit_dates")),
        sa.CheckConstraint(
            "length(programmes) > 0", name=op.f("ck_educational_audit_programmes_given")
        ),
        sa.CheckConstraint("version >= 0", name=op.f("ck_educational_audit_version_nonneg")),
        sa.ForeignKeyConstraint(
            ["setting_id"],
            ["placement_setting.id"],
            name=op.f("fk_educational_audit_setting_id_placement_setting"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_educational_audit")),
        sa.UniqueConstraint(
            "setting_id", "audited_on", name=op.f("uq_educational_audit_setting_id_audited_on")
        ),
    )
    with op.batch_alter_table("educational_audit") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_educational_audit_expires_on"), ["expires_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_educational_audit_setting_id"), ["setting_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("educational_audit") as batch_op:
        batch_op.drop_index(batch_op.f("ix_educational_audit_setting_id"))
        batch_op.drop_index(batch_op.f("ix_educational_audit_expires_on"))
    op.drop_table("educational_audit")
