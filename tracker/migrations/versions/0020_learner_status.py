"""Learner status projection: each learner's event log folded once, kept beside the events.

Derived, never edited by hand: ``services.learner_status`` keeps it in the transaction of
every import of learners or events, and fills it here for the learners already recorded
(``python -m tracker rebuild-status`` does the same at any time).

Create Date: 2026-12-03
"""

from alembic import op
from sqlmodel import Session

from tracker.migrations import columns as col

revision: str = "0020"
down_revision: str | None = "0019"

TABLE = "learner_status"
STATUSES = ("not_started", "active", "interrupted", "withdrawn", "transferred_out", "completed")
#: The withdrawal reasons as this migration knows them, and the projection's "not recorded".
REASONS = "'academic', 'personal_health', 'financial', 'caring_responsibilities', " + (
    "'placement_experience', 'wrong_career_choice', 'other', 'not_recorded'"
)


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade() -> None:
    col.create_table(
        TABLE,
        col.reference(TABLE, "learner_id", "learner"),
        col.reference(TABLE, "cohort_id", "cohort"),
        col.reference(TABLE, "hei_id", "organisation"),
        col.reference(TABLE, "programme_id", "programme"),
        col.text("intake", 7),
        col.text("intake_year", 7),
        col.day("start_date"),
        col.day("due_date", nullable=True),
        col.text("status", 16),
        col.day("status_date", nullable=True),
        col.day("start_event_date", nullable=True),
        col.text("withdrawal_reason", 32, nullable=True),
        col.flag("transferred_in"),
        col.flag("employed_local"),
        col.flag("employed_elsewhere"),
        col.flag("completed_on_time"),
        col.number("interrupted_closed"),
        col.day("interrupted_since", nullable=True),
        col.check(TABLE, "status_known", f"status IN ({_listed(STATUSES)})"),
        col.check(
            TABLE,
            "withdrawal_reason_known",
            f"withdrawal_reason IS NULL OR withdrawal_reason IN ({REASONS})",
        ),
        col.check(TABLE, "interrupted_closed_nonneg", "interrupted_closed >= 0"),
        primary=("learner_id",),
        indexed=("cohort_id", "hei_id", "programme_id", "intake_year"),
    )
    from tracker.services.learner_status import rebuild_learner_status

    with Session(bind=op.get_bind()) as session:
        rebuild_learner_status(session)
        session.flush()


def downgrade() -> None:
    col.drop_table(TABLE, "cohort_id", "hei_id", "programme_id", "intake_year")
