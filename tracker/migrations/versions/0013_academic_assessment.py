"""Academic assessments: which academic assessor assesses a learner for each part of their
programme (NMC SSSA: not the same person for consecutive parts, checked by the services).

Create Date: 2026-12-02
"""

from tracker.migrations import columns as col

revision: str = "0013"
down_revision: str | None = "0012"

TABLE = "academic_assessment"


def upgrade() -> None:
    col.create_table(
        TABLE,
        col.reference(TABLE, "learner_id", "learner"),
        col.number("part"),
        col.reference(TABLE, "assessor_id", "academic_assessor"),
        *col.version(TABLE),
        col.check(TABLE, "part_range", "part >= 1 AND part <= 6"),
        col.unique(TABLE, "learner_id", "part"),
        indexed=("learner_id", "assessor_id"),
    )


def downgrade() -> None:
    col.drop_table(TABLE, "learner_id", "assessor_id")
