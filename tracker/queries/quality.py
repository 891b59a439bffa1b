"""What the quality view reads: learners' evaluations by setting, with each setting's
organisation and sector, and the settings' quality reviews.

Evaluations are read without any learner or response reference: the quality measure needs
the setting, the day and the scores, and what is never read cannot leak.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.models import PlacementEvaluation, PlacementSetting, QualityReview
from tracker.models.quality import ITEMS
from tracker.queries.joins import SETTING_OWNER, with_setting

REVIEW_COLUMNS = [
    "id",
    "version",
    "setting",
    "setting_name",
    "reason",
    "started_on",
    "started_by",
    "ended_on",
    "ended_by",
    "outcome",
]


def evaluation_frame(session: Session, *, organisation_id: int | None = None) -> pd.DataFrame:
    """Every evaluation's setting (code), organisation (code), sector, day and scores, and
    the comment; no learner, placement or response reference. ``organisation_id`` keeps one
    organisation's settings (a placement provider's own)."""
    query = with_setting(
        sa_select(
            col(PlacementSetting.code),
            SETTING_OWNER.code,
            col(PlacementSetting.sector),
            col(PlacementEvaluation.submitted_on),
            *[col(getattr(PlacementEvaluation, item)) for item in ITEMS],
            col(PlacementEvaluation.comment),
        ),
        PlacementEvaluation.setting_id,
        owner=True,
    )
    if organisation_id is not None:
        query = query.where(PlacementSetting.organisation_id == organisation_id)
    columns = ["setting", "organisation", "sector", "submitted_on", *ITEMS, "comment"]
    frame = pd.DataFrame([tuple(r) for r in session.execute(query).all()], columns=columns)
    for item in ITEMS:
        frame[item] = pd.to_numeric(frame[item], errors="coerce").astype(float)
    return frame


def setting_names(session: Session) -> dict[str, str]:
    """Each setting's name by code (the quality tables name settings as people know them)."""
    rows = session.exec(select(PlacementSetting.code, PlacementSetting.name)).all()
    return dict(rows)


def quality_reviews(
    session: Session, *, open_only: bool = False, organisation_id: int | None = None
) -> pd.DataFrame:
    """Settings' quality reviews, open ones first and the newest first (``organisation_id``:
    one organisation's settings only)."""
    query = select(QualityReview, PlacementSetting.code, PlacementSetting.name).join(
        PlacementSetting, col(PlacementSetting.id) == QualityReview.setting_id
    )
    if organisation_id is not None:
        query = query.where(PlacementSetting.organisation_id == organisation_id)
    if open_only:
        query = query.where(col(QualityReview.ended_on).is_(None))
    rows: list[dict[str, Any]] = [
        {
            "id": review.id,
            "version": review.version,
            "setting": code,
            "setting_name": name,
            "reason": review.reason,
            "started_on": review.started_on,
            "started_by": review.started_by,
            "ended_on": review.ended_on,
            "ended_by": review.ended_by,
            "outcome": review.outcome,
        }
        for review, code, name in session.exec(query).all()
    ]
    frame = pd.DataFrame(rows, columns=REVIEW_COLUMNS)
    if frame.empty:
        return frame
    frame["open"] = frame["ended_on"].isna()
    frame = frame.sort_values(["open", "started_on", "id"], ascending=[False, False, False])
    return frame.drop(columns="open").reset_index(drop=True)


def open_review_reasons(session: Session) -> dict[int, str]:
    """The reason of each setting's open quality review, by setting id (the allocator's
    input: a setting under review is offered no new learners, or is avoided, by policy)."""
    query = select(QualityReview.setting_id, QualityReview.reason).where(
        col(QualityReview.ended_on).is_(None)
    )
    return {int(setting_id): str(reason) for setting_id, reason in session.exec(query).all()}
