"""Reads of a run's second stage: the learners it named (with their practice supervisor and
assessor) and those it left unassigned, with why. Staff only, like the rest of a run."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from tracker.access import Principal
from tracker.models import (
    Learner,
    Placement,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    UnassignedLearner,
)
from tracker.queries.joins import (
    HEI,
    named_staff_columns,
    with_block,
    with_cohort,
    with_named_staff,
    with_setting,
)
from tracker.queries.runs import require_reviewer

#: A run's named learners as the workspace lists them (``placement_id`` first, unshown).
NAMED_COLUMNS: tuple[str, ...] = (
    "learner",
    "hei",
    "request",
    "setting",
    "setting_name",
    "sector",
    "block",
    "status",
    "practice_supervisor",
    "practice_assessor",
)


def named_learners(
    session: Session, *, principal: Principal, run_id: int, hei: str | None = None
) -> pd.DataFrame:
    """Learner-level placements of a run (second stage) with their practice supervisor and
    assessor (empty where the setting names no staff), for review per HEI."""
    require_reviewer(principal)
    query = sa_select(  # type: ignore[call-overload]  # SQLModel fields are typed as values
        Placement.id,
        Learner.learner_ref,
        HEI.code,
        PlacementRequest.code,
        PlacementSetting.code,
        PlacementSetting.name,
        PlacementSetting.sector,
        PlacementBlock.code,
        Placement.status,
        *named_staff_columns(),
    )
    query = with_cohort(
        query.join(Learner, col(Learner.id) == Placement.learner_id), Learner.cohort_id
    ).join(PlacementRequest, col(PlacementRequest.id) == Placement.request_id)
    query = with_named_staff(query)
    query = (
        with_block(with_setting(query, Placement.setting_id), Placement.block_id)
        .where(Placement.run_id == run_id)
        .order_by(HEI.code, Learner.learner_ref)
    )
    if hei:
        query = query.where(HEI.code == hei)
    return pd.DataFrame(session.execute(query).all(), columns=["placement_id", *NAMED_COLUMNS])


UNASSIGNED_COLUMNS = ["learner", "hei", "request", "reason_code", "reason"]


def unassigned_learners(
    session: Session, *, principal: Principal, run_id: int, hei: str | None = None
) -> pd.DataFrame:
    """The learners stage 2 left without a place, supervisor or assessor in a run, with the
    rule's code and the reason in words, for review per HEI."""
    require_reviewer(principal)
    query = sa_select(  # type: ignore[call-overload]
        Learner.learner_ref,
        HEI.code,
        PlacementRequest.code,
        UnassignedLearner.reason_code,
        UnassignedLearner.reason,
    )
    query = with_cohort(
        query.select_from(UnassignedLearner).join(
            Learner, col(Learner.id) == UnassignedLearner.learner_id
        ),
        Learner.cohort_id,
    ).outerjoin(PlacementRequest, col(PlacementRequest.id) == UnassignedLearner.request_id)
    query = query.where(UnassignedLearner.run_id == run_id).order_by(HEI.code, Learner.learner_ref)
    if hei:
        query = query.where(HEI.code == hei)
    return pd.DataFrame(session.execute(query).all(), columns=UNASSIGNED_COLUMNS)
