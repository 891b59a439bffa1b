"""Practice hours: learners' attended hours per week or shift with sign-off and absences, and
each programme's practice learning requirement (hours, days or births; a year split and the
margin beyond which a learner is behind).

Create Date: 2026-12-02
"""

from tracker.migrations import columns as col

revision: str = "0009"
down_revision: str | None = "0008"

HOURS = "practice_hours"
REQUIREMENT = "practice_requirement"
ABSENCES = (
    "'sickness', 'caring_responsibilities', 'bereavement', 'authorised_leave', "
    "'unauthorised', 'other'"
)


def upgrade() -> None:
    col.create_table(
        HOURS,
        col.reference(HOURS, "learner_id", "learner"),
        col.reference(HOURS, "placement_id", "placement", nullable=True),
        col.day("worked_on"),
        col.text("period", 16),
        col.real("hours"),
        col.number("births"),
        col.real("absence_hours"),
        col.text("absence_reason", 32, nullable=True),
        col.text("status", 16),
        col.text("signed_off_by", 64, nullable=True),
        col.text("note", 500, nullable=True),
        *col.version(HOURS),
        col.moment("updated_at"),
        col.check(HOURS, "period_code", "period IN ('week', 'shift')"),
        col.check(HOURS, "status_code", "status IN ('pending', 'signed_off', 'queried')"),
        col.check(
            HOURS, "absence_reason_code", f"absence_reason IS NULL OR absence_reason IN ({ABSENCES})"
        ),
        col.check(
            HOURS,
            "reason_for_absence",
            "(absence_hours = 0 AND absence_reason IS NULL)"
            " OR (absence_hours > 0 AND absence_reason IS NOT NULL)",
        ),
        col.check(
            HOURS, "signed_off_by_given", "status <> 'signed_off' OR signed_off_by IS NOT NULL"
        ),
        col.check(HOURS, "hours_in_a_week", "hours <= 168 AND absence_hours <= 168"),
        col.check(HOURS, "hours_nonneg", "hours >= 0"),
        col.check(HOURS, "absence_hours_nonneg", "absence_hours >= 0"),
        col.check(HOURS, "births_nonneg", "births >= 0"),
        col.unique(HOURS, "learner_id", "worked_on", "period"),
        indexed=("learner_id", "placement_id"),
    )
    col.create_table(
        REQUIREMENT,
        col.reference(REQUIREMENT, "programme_id", "programme"),
        col.text("unit", 16),
        col.real("required"),
        col.text("year_split", 100, nullable=True),
        col.real("behind_margin"),
        *col.version(REQUIREMENT),
        col.moment("updated_at"),
        col.check(REQUIREMENT, "unit_code", "unit IN ('hours', 'days', 'births')"),
        col.check(REQUIREMENT, "required_positive", "required > 0"),
        col.check(REQUIREMENT, "behind_margin_nonneg", "behind_margin >= 0"),
        col.unique(REQUIREMENT, "programme_id", "unit"),
        indexed=("programme_id",),
    )


def downgrade() -> None:
    col.drop_table(REQUIREMENT, "programme_id")
    col.drop_table(HOURS, "learner_id", "placement_id")
