"""Longer solver description on runs; range checks on a request's travel origin.

Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    _solver_length(32, 100)
    with op.batch_alter_table("placement_request") as batch_op:
        batch_op.create_check_constraint("lat", sa.text("lat IS NULL OR (lat BETWEEN -90 AND 90)"))
        batch_op.create_check_constraint(
            "lon", sa.text("lon IS NULL OR (lon BETWEEN -180 AND 180)")
        )


def downgrade() -> None:
    with op.batch_alter_table("placement_request") as batch_op:
        batch_op.drop_constraint(op.f("ck_placement_request_lon"), type_="check")
        batch_op.drop_constraint(op.f("ck_placement_request_lat"), type_="check")
    _solver_length(100, 32)


def _solver_length(old: int, new: int) -> None:
    """Resize ``allocation_run.solver``: the upgrade and the downgrade differ only in direction."""
    with op.batch_alter_table("allocation_run") as batch_op:
        batch_op.alter_column(
            "solver",
            existing_type=AutoString(length=old),
            type_=AutoString(length=new),
            existing_nullable=True,
        )
