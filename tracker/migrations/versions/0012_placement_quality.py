"""Placement quality: learners' end-of-placement evaluations (items 1-5 modelled on NETS, a
comment, linked to the placement and its setting) and settings' quality reviews.

Create Date: 2026-12-02
"""

from tracker.migrations import columns as col

revision: str = "0012"
down_revision: str | None = "0011"

EVALUATION = "placement_evaluation"
REVIEW = "quality_review"
ITEMS = ("supervision", "learning_opportunities", "induction", "feeling_valued", "would_recommend")


def upgrade() -> None:
    col.create_table(
        EVALUATION,
        col.reference(EVALUATION, "hei_id", "organisation"),
        col.text("response_ref", 64),
        col.reference(EVALUATION, "placement_id", "placement", nullable=True),
        col.reference(EVALUATION, "setting_id", "placement_setting"),
        col.reference(EVALUATION, "block_id", "placement_block"),
        col.day("submitted_on"),
        *(col.number(item, nullable=True) for item in ITEMS),
        col.text("comment", 1000, nullable=True),
        *col.version(EVALUATION),
        col.moment("updated_at"),
        *(
            col.check(EVALUATION, f"{item}_scale", f"{item} IS NULL OR {item} BETWEEN 1 AND 5")
            for item in ITEMS
        ),
        col.check(
            EVALUATION, "an_item_answered", " OR ".join(f"{item} IS NOT NULL" for item in ITEMS)
        ),
        col.unique(EVALUATION, "hei_id", "response_ref"),
        indexed=("hei_id", "placement_id", "setting_id", "block_id"),
    )
    col.create_table(
        REVIEW,
        col.reference(REVIEW, "setting_id", "placement_setting"),
        col.text("reason", 500),
        col.day("started_on"),
        col.text("started_by", 64),
        col.day("ended_on", nullable=True),
        col.text("ended_by", 64, nullable=True),
        col.text("outcome", 500, nullable=True),
        *col.version(REVIEW),
        col.check(REVIEW, "dates", "ended_on IS NULL OR ended_on >= started_on"),
        col.check(
            REVIEW,
            "ended_by_given",
            "(ended_on IS NULL AND ended_by IS NULL) OR (ended_on IS NOT NULL "
            "AND ended_by IS NOT NULL)",
        ),
        indexed=("setting_id",),
    )


def downgrade() -> None:
    col.drop_table(REVIEW, "setting_id")
    col.drop_table(EVALUATION, "hei_id", "placement_id", "setting_id", "block_id")
