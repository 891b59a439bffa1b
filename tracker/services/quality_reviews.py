"""Putting a setting under quality review and taking it off, each audited.

Coordinators and administrators do both (``services.registers.require_staff``): the review
is the collaborative's decision, recorded with its reason and day, and while it is open the
allocator offers the setting no new learners (or prefers other settings, by the run's
policy). A setting has at most one open review; ending one keeps its row, so the history of
a setting's reviews stays.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from tracker.access import Principal
from tracker.models import PlacementSetting, QualityReview
from tracker.services import registers
from tracker.services.registers import SaveRefused

REASON_LIMIT = 500


def _text(value: str | None, what: str, problems: list[str]) -> str:
    text = (value or "").strip()
    if not text:
        problems.append(f"give the {what}")
    elif len(text) > REASON_LIMIT:
        problems.append(f"the {what} may be at most {REASON_LIMIT} characters")
    return text


def _snapshot(review: QualityReview, code: str) -> dict[str, Any]:
    return {
        "setting_id": code,
        "reason": review.reason,
        "started_on": review.started_on.isoformat(),
        "ended_on": None if review.ended_on is None else review.ended_on.isoformat(),
        "outcome": review.outcome,
    }


def start_review(
    session: Session, principal: Principal, *, setting: str, reason: str | None, started_on: date
) -> QualityReview:
    """Put the setting under quality review from ``started_on`` for ``reason``."""
    registers.require_staff(principal, "put a setting under quality review")
    problems: list[str] = []
    text = _text(reason, "reason for the review", problems)
    found = session.exec(
        select(PlacementSetting).where(PlacementSetting.code == (setting or "").strip())
    ).first()
    if found is None or found.id is None:
        problems.append("no placement setting with this code")
    elif session.exec(
        select(QualityReview).where(
            QualityReview.setting_id == found.id, col(QualityReview.ended_on).is_(None)
        )
    ).first():
        problems.append(f"{found.code} is already under quality review")
    if problems:
        raise SaveRefused(problems)
    assert found is not None and found.id is not None
    review = QualityReview(
        setting_id=found.id, reason=text, started_on=started_on, started_by=principal.username
    )
    session.add(review)
    session.flush()
    registers.record_saved(
        session,
        principal,
        "quality_review.start",
        entity="quality_review",
        entity_id=found.code,
        old=None,
        new=_snapshot(review, found.code),
    )
    return review


def end_review(
    session: Session,
    principal: Principal,
    *,
    review_id: int,
    version: int | None,
    ended_on: date,
    outcome: str | None,
) -> QualityReview:
    """Take the setting off quality review on ``ended_on``, saying why (the outcome)."""
    registers.require_staff(principal, "take a setting off quality review")
    review = session.get(QualityReview, review_id)
    if review is None:
        raise registers.no_longer_exists("quality review")
    registers.require_current(version, review.version)
    problems: list[str] = []
    text = _text(outcome, "outcome of the review", problems)
    if review.ended_on is not None:
        problems.append("this review has already ended")
    elif ended_on < review.started_on:
        problems.append(f"the review began on {review.started_on.isoformat()}; end it after")
    if problems:
        raise SaveRefused(problems)
    setting = session.get(PlacementSetting, review.setting_id)
    code = setting.code if setting else "?"
    old = _snapshot(review, code)
    registers.conditional_update(
        session,
        QualityReview,
        review_id,
        review.version,
        {"ended_on": ended_on, "ended_by": principal.username, "outcome": text},
    )
    session.refresh(review)
    registers.record_saved(
        session,
        principal,
        "quality_review.end",
        entity="quality_review",
        entity_id=code,
        old=old,
        new=_snapshot(review, code),
    )
    return review
