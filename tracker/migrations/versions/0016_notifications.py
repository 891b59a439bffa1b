"""E-mail notifications: the durable outbox, each user's choice per kind, the users' and
settings' contact addresses.

Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from tracker.migrations import columns as col

revision: str = "0016"
down_revision: str | None = "0015"

OUTBOX = "outbox_message"
PREFERENCE = "notification_preference"
KINDS = "kind IN ('request', 'plan_published', 'import_done', 'audit_due', 'readiness_expiring', 'digest')"
STATUSES = "status IN ('queued', 'sending', 'sent', 'failed', 'held', 'gathered')"
MODES = "mode IN ('off', 'immediate', 'digest')"


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.add_column(col.text("email", 255, nullable=True))
    with op.batch_alter_table("placement_setting") as batch_op:
        batch_op.add_column(col.text("contact_email", 255, nullable=True))
    col.create_table(
        OUTBOX,
        col.moment("created_at", nullable=False),
        col.text("kind", 32),
        col.reference(OUTBOX, "user_id", "app_user", nullable=True),
        col.text("address", 255),
        col.text("subject", 255),
        sa.Column("body", sa.Text(), nullable=False),
        col.text("status", 16),
        col.number("attempts"),
        col.moment("next_attempt_at", nullable=False),
        col.moment("claimed_at"),
        col.text("last_error", 1000, nullable=True),
        col.moment("sent_at"),
        col.text("idempotency_key", 200),
        col.check(OUTBOX, "kind_code", KINDS),
        col.check(OUTBOX, "status_code", STATUSES),
        col.check(OUTBOX, "attempts_nonneg", "attempts >= 0"),
        indexed=("user_id", "status", "next_attempt_at"),
        unique_indexed=("idempotency_key",),
    )
    col.create_table(
        PREFERENCE,
        col.reference(PREFERENCE, "user_id", "app_user"),
        col.text("kind", 32),
        col.text("mode", 16),
        col.check(PREFERENCE, "kind_code", KINDS),
        col.check(PREFERENCE, "mode_code", MODES),
        primary=("user_id", "kind"),
    )


def downgrade() -> None:
    op.drop_table(PREFERENCE)
    col.drop_table(OUTBOX, "user_id", "status", "next_attempt_at", "idempotency_key")
    with op.batch_alter_table("placement_setting") as batch_op:
        batch_op.drop_column("contact_email")
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.drop_column("email")
