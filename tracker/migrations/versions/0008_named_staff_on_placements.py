"""Stage 2 with named staff: a named placement records its practice supervisor and practice
assessor (the practice educator for allied health and social work), and the learners a run
could not fully assign are kept with the rule's code and the reason in words.

Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0008"
down_revision: str | None = "0007"

STAFF_COLUMNS = ("practice_supervisor_id", "practice_assessor_id")


def upgrade() -> None:
    with op.batch_alter_table("placement") as batch_op:
        for column in STAFF_COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_placement_{column}_practice_staff"),
                "practice_staff",
                [column],
                ["id"],
            )
    op.create_table(
        "unassigned_learner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("reason_code", AutoString(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["allocation_run.id"],
            name=op.f("fk_unassigned_learner_run_id_allocation_run"),
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learner.id"], name=op.f("fk_unassigned_learner_learner_id_learner")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["placement_request.id"],
            name=op.f("fk_unassigned_learner_request_id_placement_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unassigned_learner")),
        sa.UniqueConstraint(
            "run_id", "learner_id", name=op.f("uq_unassigned_learner_run_id_learner_id")
        ),
    )
    with op.batch_alter_table("unassigned_learner") as batch_op:
        batch_op.create_index(batch_op.f("ix_unassigned_learner_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unassigned_learner") as batch_op:
        batch_op.drop_index(batch_op.f("ix_unassigned_learner_run_id"))
    op.drop_table("unassigned_learner")
    with op.batch_alter_table("placement") as batch_op:
        for column in reversed(STAFF_COLUMNS):
            batch_op.drop_constraint(
                batch_op.f(f"fk_placement_{column}_practice_staff"), type_="foreignkey"
            )
            batch_op.drop_column(column)
