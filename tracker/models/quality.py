"""Placement quality: learners' end-of-placement evaluations and settings under quality
review."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.models.vocabulary import EvaluationItem, non_negative

ITEMS: tuple[str, ...] = tuple(item.value for item in EvaluationItem)


def _score_checks() -> list[CheckConstraint]:
    return [
        CheckConstraint(f"{item} IS NULL OR {item} BETWEEN 1 AND 5", name=f"{item}_scale")
        for item in ITEMS
    ]


class PlacementEvaluation(SQLModel, table=True):
    """One learner's evaluation of one placement, as the HEI's survey export holds it.

    Items are scored 1 (strongly disagree) to 5 (strongly agree), modelled on the National
    Education and Training Survey (NETS); an item the learner skipped is empty, and at least
    one is answered. The row names the setting and block evaluated and, where the tracker
    holds it, the learner's published placement there (``placement_id``; empty for placements
    arranged before the tracker was used, which HEIs' survey exports also hold). No page or
    download ever names the learner. ``response_ref`` is the survey's own response id: a
    re-export updates, never duplicates.
    """

    __tablename__ = "placement_evaluation"
    __table_args__ = (
        UniqueConstraint("hei_id", "response_ref"),
        *_score_checks(),
        CheckConstraint(
            " OR ".join(f"{item} IS NOT NULL" for item in ITEMS), name="an_item_answered"
        ),
        *non_negative("version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    hei_id: int = Field(foreign_key="organisation.id", index=True)
    response_ref: str = Field(max_length=64)
    placement_id: int | None = Field(default=None, foreign_key="placement.id", index=True)
    setting_id: int = Field(foreign_key="placement_setting.id", index=True)
    block_id: int = Field(foreign_key="placement_block.id", index=True)
    submitted_on: date
    supervision: int | None = None
    learning_opportunities: int | None = None
    induction: int | None = None
    feeling_valued: int | None = None
    would_recommend: int | None = None
    comment: str | None = Field(default=None, max_length=1000)
    version: int = Field(default=1, description="Optimistic lock: bumped on every edit")
    updated_at: datetime | None = None


class QualityReview(SQLModel, table=True):
    """A period a setting is under quality review: from ``started_on`` until ``ended_on``
    (open while empty), with the reason, who started and ended it.

    While a review is open the allocator offers the setting no new learners (or, by policy,
    prefers other settings). Rows are kept after the review ends, so the history stays.
    """

    __tablename__ = "quality_review"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="dates"),
        CheckConstraint(
            "(ended_on IS NULL AND ended_by IS NULL) OR (ended_on IS NOT NULL "
            "AND ended_by IS NOT NULL)",
            name="ended_by_given",
        ),
        *non_negative("version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    setting_id: int = Field(foreign_key="placement_setting.id", index=True)
    reason: str = Field(max_length=500)
    started_on: date
    started_by: str = Field(max_length=64)
    ended_on: date | None = None
    ended_by: str | None = Field(default=None, max_length=64)
    outcome: str | None = Field(default=None, max_length=500, description="Why it ended")
    version: int = Field(default=1, description="Optimistic lock: bumped on every edit")
