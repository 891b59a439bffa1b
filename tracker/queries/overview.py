"""Headline numbers for the home page, scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from tracker.access import Principal, hei_scope, setting_owner_scope
from tracker.models import (
    Cohort,
    Learner,
    Organisation,
    OrgKind,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    Programme,
    RequestStatus,
    SupervisionCapacity,
)


@dataclass(frozen=True)
class Headline:
    heis: int
    programmes: int
    cohorts: int
    learners: int
    active_settings: int
    places: int
    requested: int
    blocks: int
    scoped_to: str | None


def headline_counts(session: Session, *, principal: Principal) -> Headline:
    """Counts straight from the registers; learner figures only for the user's own HEI if
    bound, and settings and places only for a placement provider's own organisation."""
    scope = hei_scope(principal)
    cohorts = select(func.count()).select_from(Cohort)
    learners = select(func.count()).select_from(Learner).join(Cohort)
    requested = (
        select(func.coalesce(func.sum(PlacementRequest.learners), 0))
        .join(Cohort)
        .where(PlacementRequest.status == RequestStatus.SUBMITTED.value)
    )
    if scope is not None:
        cohorts = cohorts.where(Cohort.hei_id == scope)
        learners = learners.where(Cohort.hei_id == scope)
        requested = requested.where(Cohort.hei_id == scope)
    owner = setting_owner_scope(principal)
    settings = select(func.count()).select_from(PlacementSetting).where(PlacementSetting.active)
    places = (
        select(
            func.coalesce(
                func.sum(
                    SupervisionCapacity.practice_supervisors
                    * SupervisionCapacity.learners_per_supervisor
                ),
                0,
            )
        )
        .join(PlacementSetting)
        .where(PlacementSetting.active)
    )
    if owner is not None:  # a placement provider: its own organisation's settings only
        settings = settings.where(PlacementSetting.organisation_id == owner)
        places = places.where(PlacementSetting.organisation_id == owner)
    return Headline(
        heis=session.exec(select(func.count()).where(Organisation.kind == OrgKind.HEI.value)).one(),
        programmes=session.exec(select(func.count()).select_from(Programme)).one(),
        cohorts=session.exec(cohorts).one(),
        learners=session.exec(learners).one(),
        active_settings=session.exec(settings).one(),
        places=int(session.exec(places).one()),
        requested=int(session.exec(requested).one()),
        blocks=session.exec(select(func.count()).select_from(PlacementBlock)).one(),
        scoped_to=principal.hei_code if scope is not None else None,
    )
