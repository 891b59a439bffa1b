"""Longer solver description on runs; range checks on a request's travel origin.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("allocation_run") as batch_op:
        batch_op.alter_column(
            "solver",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=32),
            type_=sqlmodel.sql.sqltypes.AutoString(length=100),
            existing_nullable=True,
        )
    with op.batch_alter_table("placement_request") as batch_op:
        batch_op.create_check_constraint("lat", sa.text("lat IS NULL OR (lat BETWEEN -90 AND 90)"))
        batch_op.create_check_constraint(
            "lon", sa.text("lon IS NULL OR (lon BETWEEN -180 AND 180)")
        )


def downgrade() -> None:
    with op.batch_alter_table("placement_request") as batch_op:
        batch_op.drop_constraint(op.f("ck_placement_request_lon"), type_="check")
        batch_op.drop_constraint(op.f("ck_placement_request_lat"), type_="check")
    with op.batch_alter_table("allocation_run") as batch_op:
        batch_op.alter_column(
            "solver",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=100),
            type_=sqlmodel.sql.sqltypes.AutoString(length=32),
            existing_nullable=True,
        )
