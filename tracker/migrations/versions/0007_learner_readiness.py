"""Learner readiness: each learner's DBS check, occupational health clearance and mandatory
training, with the last day each is in date.

A learner may start a placement only while all three are in date through its end; the HEI
keeps its own learners' rows (``services.readiness``).

Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"


def upgrade() -> None:
    op.create_table(
        "learner_readiness",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("dbs_valid_until", sa.Date(), nullable=True),
        sa.Column("occupational_health_valid_until", sa.Date(), nullable=True),
        sa.Column("mandatory_training_valid_until", sa.Date(), nullable=True),
        sa.Column("note", AutoString(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("version >= 0", name=op.f("ck_learner_readiness_version_nonneg")),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name=op.f("fk_learner_readiness_learner_id_learner"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_readiness")),
    )
    with op.batch_alter_table("learner_readiness") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learner_readiness_learner_id"), ["learner_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("learner_readiness") as batch_op:
        batch_op.drop_index(batch_op.f("ix_learner_readiness_learner_id"))
    op.drop_table("learner_readiness")
