"""The education and training tariff: DHSC's rate per financial year for a profession group
(or one programme), per full-time-equivalent placement week or year, with its source.

Create Date: 2026-12-02
"""

from tracker.migrations import columns as col

revision: str = "0011"
down_revision: str | None = "0010"

TABLE = "tariff_rate"
GROUPS = "'nursing', 'midwifery', 'ahp', 'nursing_associate', 'social_work'"


def upgrade() -> None:
    col.create_table(
        TABLE,
        col.text("financial_year", 7),
        col.text("profession_group", 32),
        col.reference(TABLE, "programme_id", "programme", nullable=True),
        col.real("rate"),
        col.text("unit", 8),
        col.real("weeks_per_year", nullable=True),
        col.text("source", 500),
        col.unique(TABLE, "financial_year", "profession_group", "programme_id"),
        col.check(TABLE, "profession_group_code", f"profession_group IN ({GROUPS})"),
        col.check(TABLE, "unit_code", "unit IN ('week', 'year')"),
        col.check(TABLE, "rate_positive", "rate > 0"),
        col.check(
            TABLE,
            "weeks_per_year",
            "unit = 'week' OR (weeks_per_year IS NOT NULL AND weeks_per_year > 0)",
        ),
        col.check(TABLE, "financial_year", "length(financial_year) = 7"),
        indexed=("financial_year",),
    )


def downgrade() -> None:
    col.drop_table(TABLE, "financial_year")
