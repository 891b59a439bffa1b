"""Placements on real calendars: a placement of a run made on the programme calendars keeps
its own first and last day (the request's calendar dates), which the run review, the
placements grid and the calendar file show instead of its block's. Both empty for every
placement made by block, which keeps meaning the block's dates.

Create Date: 2026-12-03
"""

from alembic import op

from tracker.migrations import columns as col

revision: str = "0019"
down_revision: str | None = "0018"

DATES = ("start_date", "end_date")


def upgrade() -> None:
    with op.batch_alter_table("placement") as batch_op:
        for column in DATES:
            batch_op.add_column(col.day(column, nullable=True))
        batch_op.create_check_constraint(
            "dates",
            "(start_date IS NULL AND end_date IS NULL) OR "
            "(start_date IS NOT NULL AND end_date IS NOT NULL AND end_date >= start_date)",
        )


def downgrade() -> None:
    with op.batch_alter_table("placement") as batch_op:
        batch_op.drop_constraint(op.f("ck_placement_dates"), type_="check")
        for column in reversed(DATES):
            batch_op.drop_column(column)
