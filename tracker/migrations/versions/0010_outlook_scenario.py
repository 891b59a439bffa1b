"""Saved outlook scenarios: a name, a description, the scenario editor's numbers as JSON, who
saved it and when; shared by the collaborative's planners, or an HEI user's own.

Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"


def upgrade() -> None:
    op.create_table(
        "outlook_scenario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", AutoString(length=80), nullable=False),
        sa.Column("description", AutoString(length=500), nullable=False),
        sa.Column("scenario", sa.JSON(), nullable=False),
        sa.Column("owner", AutoString(length=64), nullable=False),
        sa.Column("saved_by", AutoString(length=64), nullable=True),
        sa.Column("saved_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outlook_scenario")),
        sa.UniqueConstraint("owner", "name", name=op.f("uq_outlook_scenario_owner_name")),
    )
    with op.batch_alter_table("outlook_scenario") as batch_op:
        batch_op.create_index(batch_op.f("ix_outlook_scenario_owner"), ["owner"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outlook_scenario") as batch_op:
        batch_op.drop_index(batch_op.f("ix_outlook_scenario_owner"))
    op.drop_table("outlook_scenario")
