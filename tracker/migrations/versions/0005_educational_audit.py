"""The educational audits register: a setting's audits, their outcome, expiry and actions.

A setting takes learners of a programme only while an approved audit covering it is in date;
runs read this table into their snapshot (``services.allocation_inputs``).

Create Date: 2026-12-02
"""

from tracker.migrations import columns as col

revision: str = "0005"
down_revision: str | None = "0004"

TABLE = "educational_audit"
OUTCOMES = "outcome IN ('approved', 'approved_with_actions', 'not_approved')"


def upgrade() -> None:
    col.create_table(
        TABLE,
        col.reference(TABLE, "setting_id", "placement_setting"),
        col.day("audited_on"),
        col.text("outcome", 32),
        col.day("expires_on"),
        col.text("programmes", 500),
        col.text("action_plan", 2000, nullable=True),
        col.day("action_due_on", nullable=True),
        *col.version(TABLE),
        col.check(TABLE, "outcome_code", OUTCOMES),
        col.check(TABLE, "dates", "expires_on >= audited_on"),
        col.check(TABLE, "programmes_given", "length(programmes) > 0"),
        col.unique(TABLE, "setting_id", "audited_on"),
        indexed=("expires_on", "setting_id"),
    )


def downgrade() -> None:
    col.drop_table(TABLE, "setting_id", "expires_on")
