"""Saved outlook scenarios: a name, a description, the scenario editor's numbers as JSON, who
saved it and when; shared by the collaborative's planners, or an HEI user's own.

Create Date: 2026-12-02
"""

from tracker.migrations import columns as col

revision: str = "0010"
down_revision: str | None = "0009"

TABLE = "outlook_scenario"


def upgrade() -> None:
    col.create_table(
        TABLE,
        col.text("name", 80),
        col.text("description", 500),
        col.json("scenario"),
        col.text("owner", 64),
        col.text("saved_by", 64, nullable=True),
        col.moment("saved_at", nullable=False),
        col.unique(TABLE, "owner", "name"),
        indexed=("owner",),
    )


def downgrade() -> None:
    col.drop_table(TABLE, "owner")
