"""Sessions that end at sign-out, and sign-in throttled by account and client address.

``app_user.session_generation`` is written into each session at sign-in and checked on every
request; sign-out, deactivation and a password change raise it, ending every session of that
user. ``sign_in_throttle`` replaces the per-account lock-out (``failed_logins``,
``locked_until``), which anyone could trigger against any account.

Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_check_constraint("session_generation_nonneg", "session_generation >= 0")
        batch_op.drop_constraint(op.f("ck_app_user_failed_logins_nonneg"), type_="check")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("locked_until")
    op.create_table(
        "sign_in_throttle",
        sa.Column("username", AutoString(length=64), nullable=False),
        sa.Column("client", AutoString(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", UTCDateTime(), nullable=False),
        sa.Column("wait_until", UTCDateTime(), nullable=True),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_sign_in_throttle_failures_nonneg")),
        sa.PrimaryKeyConstraint("username", "client", name=op.f("pk_sign_in_throttle")),
    )
    with op.batch_alter_table("sign_in_throttle") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_in_throttle_last_failure_at"), ["last_failure_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sign_in_throttle") as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_throttle_last_failure_at"))
    op.drop_table("sign_in_throttle")
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("locked_until", UTCDateTime(), nullable=True))
        batch_op.create_check_constraint("failed_logins_nonneg", "failed_logins >= 0")
        batch_op.drop_constraint(op.f("ck_app_user_session_generation_nonneg"), type_="check")
        batch_op.drop_column("session_generation")
