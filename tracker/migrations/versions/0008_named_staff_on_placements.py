"""Stage 2 with named staff: a named placement records its practice supervisor and practice
assessor (the practice educator for allied health and social work), and the learners a run
could not fully assign are kept with the rule's code and the reason in words.

Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from tracker.migrations import columns as col

revision: str = "0008"
down_revision: str | None = "0007"

STAFF_COLUMNS = ("practice_supervisor_id", "practice_assessor_id")
TABLE = "unassigned_learner"


def upgrade() -> None:
    with op.batch_alter_table("placement") as batch_op:
        for column in STAFF_COLUMNS:
            batch_op.add_column(col.number(column, nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_placement_{column}_practice_staff"),
                "practice_staff",
                [column],
                ["id"],
            )
    col.create_table(
        TABLE,
        col.reference(TABLE, "run_id", "allocation_run"),
        col.reference(TABLE, "learner_id", "learner"),
        col.reference(TABLE, "request_id", "placement_request", nullable=True),
        col.text("reason_code", 32),
        sa.Column("reason", sa.Text(), nullable=False),
        col.unique(TABLE, "run_id", "learner_id"),
        indexed=("run_id",),
    )


def downgrade() -> None:
    col.drop_table(TABLE, "run_id")
    with op.batch_alter_table("placement") as batch_op:
        for column in reversed(STAFF_COLUMNS):
            batch_op.drop_constraint(
                batch_op.f(f"fk_placement_{column}_practice_staff"), type_="foreignkey"
            )
            batch_op.drop_column(column)
