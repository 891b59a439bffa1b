"""Learner readiness: each learner's DBS check, occupational health clearance and mandatory
training, with the last day each is in date.

A learner may start a placement only while all three are in date through its end; the HEI
keeps its own learners' rows (``services.readiness``).

Create Date: 2026-12-02
"""

from tracker.migrations import columns as col

revision: str = "0007"
down_revision: str | None = "0006"

TABLE = "learner_readiness"


def upgrade() -> None:
    col.create_table(
        TABLE,
        col.reference(TABLE, "learner_id", "learner"),
        col.day("dbs_valid_until", nullable=True),
        col.day("occupational_health_valid_until", nullable=True),
        col.day("mandatory_training_valid_until", nullable=True),
        col.text("note", 500, nullable=True),
        *col.version(TABLE),
        col.moment("updated_at"),
        unique_indexed=("learner_id",),
    )


def downgrade() -> None:
    col.drop_table(TABLE, "learner_id")
