"""Sessions that end at sign-out, and sign-in throttled by account and client address.

``app_user.session_generation`` is written into each session at sign-in and checked on every
request; sign-out, deactivation and a password change raise it, ending every session of that
user. ``sign_in_throttle`` replaces the per-account lock-out (``failed_logins``,
``locked_until``), which anyone could trigger against any account.

Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from tracker.migrations import columns as col

revision: str = "0004"
down_revision: str | None = "0003"

THROTTLE = "sign_in_throttle"


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_check_constraint("session_generation_nonneg", "session_generation >= 0")
        batch_op.drop_constraint(op.f("ck_app_user_failed_logins_nonneg"), type_="check")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("locked_until")
    col.create_table(
        THROTTLE,
        col.text("username", 64),
        col.text("client", 64),
        col.number("failures"),
        col.moment("last_failure_at", nullable=False),
        col.moment("wait_until"),
        col.check(THROTTLE, "failures_nonneg", "failures >= 0"),
        primary=("username", "client"),
        indexed=("last_failure_at",),
    )


def downgrade() -> None:
    col.drop_table(THROTTLE, "last_failure_at")
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(col.moment("locked_until"))
        batch_op.create_check_constraint("failed_logins_nonneg", "failed_logins >= 0")
        batch_op.drop_constraint(op.f("ck_app_user_session_generation_nonneg"), type_="check")
        batch_op.drop_column("session_generation")
