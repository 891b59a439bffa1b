"""Initial schema: the reference registers, users and audit log, the learner pipeline, the
placement registers and the allocation runs, one group of tables each.

Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from tracker.migrations import columns as col

revision: str = "0001"
down_revision: str | None = None

GROUPS = "('nursing', 'midwifery', 'ahp', 'nursing_associate', 'social_work')"
SECTORS = (
    "('acute', 'primary_care', 'community', 'mental_health', 'care_home', 'social_care', 'vcse')"
)
KINDS = (
    "('hei', 'nhs_trust', 'gp_practice', 'pcn', 'care_home_provider', 'local_authority', 'vcse')"
)
EVENTS = (
    "('started', 'interrupted', 'returned', 'withdrew', 'transferred_in', 'transferred_out', "
    "'completed', 'employed_local', 'employed_elsewhere')"
)
REASONS = (
    "('academic', 'personal_health', 'financial', 'caring_responsibilities', "
    "'placement_experience', 'wrong_career_choice', 'other')"
)
RUN_STATUSES = "('queued', 'running', 'succeeded', 'failed', 'cancelled', 'approved')"

# Created in this order (each after the tables it refers to), dropped in the reverse.
TABLES = (
    "organisation",
    "placement_block",
    "programme",
    "app_user",
    "audit_log",
    "cohort",
    "learner",
    "learner_event",
    "placement_setting",
    "programme_calendar",
    "setting_programme",
    "supervision_capacity",
    "allocation_run",
    "placement_request",
    "placement",
)


def _hei_programme(table: str) -> tuple[sa.Column, sa.Column]:
    """Cohorts and calendars belong to one HEI's running of one programme."""
    return (
        col.reference(table, "hei_id", "organisation"),
        col.reference(table, "programme_id", "programme"),
    )


def _reference() -> None:
    """Organisations, system placement blocks and programmes: what every other table names."""
    col.create_table(
        "organisation",
        col.text("code", 32),
        col.text("name", 200),
        col.text("kind", 32),
        col.text("place", 100),
        col.check("organisation", "kind_code", f"kind IN {KINDS}"),
        unique_indexed=("code",),
        indexed=("kind",),
    )
    col.create_table(
        "placement_block",
        col.text("code", 32),
        col.text("name", 100),
        col.day("start_date"),
        col.day("end_date"),
        col.check("placement_block", "dates", "end_date >= start_date"),
        unique_indexed=("code",),
    )
    col.create_table(
        "programme",
        col.text("code", 32),
        col.text("name", 200),
        col.text("profession_group", 32),
        col.text("field", 100),
        col.text("route", 32),
        col.real("years"),
        col.check("programme", "profession_group_code", f"profession_group IN {GROUPS}"),
        col.check(
            "programme", "route_code", "route IN ('degree', 'apprenticeship', 'postgraduate')"
        ),
        col.check("programme", "years_range", "years > 0 AND years <= 6"),
        unique_indexed=("code",),
    )


def _users_and_audit() -> None:
    """Who signs in, and the record of every change."""
    col.create_table(
        "app_user",
        col.text("username", 64),
        col.text("password_hash", 255),
        col.text("role", 16),
        col.reference("app_user", "hei_id", "organisation", nullable=True),
        col.flag("active"),
        col.flag("is_demo"),
        col.number("failed_logins"),
        col.moment("locked_until"),
        col.moment("created_at"),
        col.moment("last_login_at"),
        col.check(
            "app_user",
            "hei_binding",
            "(role = 'hei' AND hei_id IS NOT NULL) OR (role <> 'hei' AND hei_id IS NULL)",
        ),
        col.check(
            "app_user", "role_code", "role IN ('admin', 'coordinator', 'collaborative', 'hei')"
        ),
        col.check("app_user", "failed_logins_nonneg", "failed_logins >= 0"),
        unique_indexed=("username",),
    )
    col.create_table(
        "audit_log",
        col.moment("at", nullable=False),
        col.text("username", 64, nullable=True),
        col.text("action", 64),
        col.text("entity", 64, nullable=True),
        col.text("entity_id", 64, nullable=True),
        col.json("old", nullable=True),
        col.json("new", nullable=True),
        col.text("detail", nullable=True),
        indexed=("action", "at", "username"),
    )


def _pipeline() -> None:
    """Cohorts, their learners and each learner's append-only events."""
    col.create_table(
        "cohort",
        *_hei_programme("cohort"),
        col.number("intake_year"),
        col.number("intake_month"),
        col.number("commissioned_places"),
        col.check("cohort", "commissioned_places_nonneg", "commissioned_places >= 0"),
        col.check("cohort", "intake_month", "intake_month BETWEEN 1 AND 12"),
        col.unique("cohort", "hei_id", "programme_id", "intake_year", "intake_month"),
        indexed=("hei_id", "programme_id"),
    )
    col.create_table(
        "learner",
        col.text("learner_ref", 64),
        col.reference("learner", "cohort_id", "cohort"),
        col.day("start_date"),
        col.text("home_postcode_district", 8, nullable=True),
        col.flag("reasonable_adjustments"),
        col.real("max_travel_km", nullable=True),
        col.flag("driver"),
        col.check("learner", "max_travel_km_nonneg", "max_travel_km >= 0"),
        unique_indexed=("learner_ref",),
        indexed=("cohort_id",),
    )
    col.create_table(
        "learner_event",
        col.reference("learner_event", "learner_id", "learner"),
        col.day("event_date"),
        col.text("event", 32),
        col.text("reason", 32, nullable=True),
        col.moment("recorded_at"),
        col.text("recorded_by", 64, nullable=True),
        col.check(
            "learner_event",
            "reason_for_withdrawal",
            "(event = 'withdrew' AND reason IS NOT NULL) "
            "OR (event <> 'withdrew' AND reason IS NULL)",
        ),
        col.check("learner_event", "event_code", f"event IN {EVENTS}"),
        col.check("learner_event", "reason_code", f"reason IS NULL OR reason IN {REASONS}"),
        col.unique("learner_event", "learner_id", "event_date", "event"),
        indexed=("event_date", "learner_id"),
    )


def _placement_registers() -> None:
    """Placement settings, the programmes they host, their capacity and the HEIs' calendars."""
    col.create_table(
        "placement_setting",
        col.text("code", 32),
        col.reference("placement_setting", "organisation_id", "organisation"),
        col.text("name", 200),
        col.text("sector", 32),
        col.flag("hosts_any_programme"),
        col.real("lat", nullable=True),
        col.real("lon", nullable=True),
        col.text("postcode_district", 8, nullable=True),
        col.flag("active"),
        *col.version("placement_setting"),
        col.check("placement_setting", "sector_code", f"sector IN {SECTORS}"),
        col.check("placement_setting", "lat", "lat IS NULL OR (lat BETWEEN -90 AND 90)"),
        col.check("placement_setting", "lon", "lon IS NULL OR (lon BETWEEN -180 AND 180)"),
        unique_indexed=("code",),
        indexed=("organisation_id", "sector"),
    )
    col.create_table(
        "programme_calendar",
        *_hei_programme("programme_calendar"),
        col.reference("programme_calendar", "block_id", "placement_block"),
        col.number("year_of_study"),
        col.day("start_date"),
        col.day("end_date"),
        col.check("programme_calendar", "dates", "end_date >= start_date"),
        col.check("programme_calendar", "year", "year_of_study BETWEEN 1 AND 6"),
        col.unique("programme_calendar", "hei_id", "programme_id", "block_id", "year_of_study"),
        indexed=("block_id", "hei_id", "programme_id"),
    )
    col.create_table(
        "setting_programme",
        col.reference("setting_programme", "setting_id", "placement_setting"),
        col.reference("setting_programme", "programme_id", "programme"),
        primary=("setting_id", "programme_id"),
    )
    _supervision_capacity()


def _supervision_capacity() -> None:
    """Each setting's practice staff and learners per supervisor, by block and group."""
    table = "supervision_capacity"
    staff = ("practice_supervisors", "practice_assessors", "practice_educators")
    col.create_table(
        table,
        col.reference(table, "setting_id", "placement_setting"),
        col.reference(table, "block_id", "placement_block"),
        col.text("profession_group", 32),
        *(col.number(count) for count in staff),
        col.number("learners_per_supervisor"),
        *col.version(table),
        col.check(table, "profession_group_code", f"profession_group IN {GROUPS}"),
        *(
            col.check(table, f"{count}_nonneg", f"{count} >= 0")
            for count in (*staff, "learners_per_supervisor")
        ),
        col.unique(table, "setting_id", "block_id", "profession_group"),
        indexed=("block_id", "setting_id"),
    )


def _allocation() -> None:
    """Allocation runs, the HEIs' placement requests and the placements runs propose."""
    col.create_table(
        "allocation_run",
        col.text("name", 200),
        col.text("status", 16),
        col.moment("created_at", nullable=False),
        col.moment("started_at"),
        col.moment("finished_at"),
        col.text("created_by", 64, nullable=True),
        col.reference("allocation_run", "parent_run_id", "allocation_run", nullable=True),
        col.flag("is_scenario"),
        *(col.json(document) for document in ("scope", "policy", "inputs", "figures")),
        col.text("solver", 32, nullable=True),
        col.real("seconds", nullable=True),
        col.text("error", nullable=True),
        col.moment("approved_at"),
        col.text("approved_by", 64, nullable=True),
        col.check("allocation_run", "status_code", f"status IN {RUN_STATUSES}"),
        indexed=("status",),
    )
    col.create_table(
        "placement_request",
        col.text("code", 64),
        col.reference("placement_request", "cohort_id", "cohort"),
        col.reference("placement_request", "block_id", "placement_block"),
        col.number("learners"),
        col.text("required_sector", 32, nullable=True),
        col.real("lat", nullable=True),
        col.real("lon", nullable=True),
        col.text("status", 16),
        col.moment("created_at"),
        col.text("created_by", 64, nullable=True),
        *col.version("placement_request"),
        col.check(
            "placement_request",
            "required_sector_code",
            f"required_sector IS NULL OR required_sector IN {SECTORS}",
        ),
        col.check("placement_request", "status_code", "status IN ('submitted', 'withdrawn')"),
        col.check("placement_request", "learners_positive", "learners > 0"),
        unique_indexed=("code",),
        indexed=("block_id", "cohort_id"),
    )
    _placement()


def _placement() -> None:
    """A run's proposed placements, request-level or for one named learner."""
    col.create_table(
        "placement",
        col.reference("placement", "run_id", "allocation_run", nullable=True),
        col.reference("placement", "request_id", "placement_request", nullable=True),
        col.reference("placement", "learner_id", "learner", nullable=True),
        col.reference("placement", "setting_id", "placement_setting"),
        col.reference("placement", "block_id", "placement_block"),
        col.number("learners"),
        col.text("status", 16),
        col.flag("pinned"),
        col.moment("updated_at"),
        col.check(
            "placement",
            "status_code",
            "status IN ('proposed', 'confirmed', 'cancelled', 'completed')",
        ),
        col.check("placement", "learners_positive", "learners > 0"),
        col.check(
            "placement",
            "has_request_or_learner",
            "request_id IS NOT NULL OR learner_id IS NOT NULL",
        ),
        indexed=("block_id", "learner_id", "request_id", "setting_id"),
    )
    with op.batch_alter_table("placement") as batch_op:
        batch_op.create_index("ix_placement_run_status", ["run_id", "status"], unique=False)


def upgrade() -> None:
    _reference()
    _users_and_audit()
    _pipeline()
    _placement_registers()
    _allocation()


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
