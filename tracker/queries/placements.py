"""Published placements as each role may see them, and a learner's placement history.

Placement lists for HEI users are narrowed to their own HEI here, through ``tracker.access``;
draft (proposed) placements of unapproved runs are never listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.access import Principal, hei_scope, sees_learner_rows, setting_owner_scope
from tracker.models import (
    Cohort,
    Learner,
    Organisation,
    Placement,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    PlacementStatus,
    Programme,
)
from tracker.queries.joins import (
    HEI,
    SETTING_OWNER,
    named_staff_columns,
    with_block,
    with_cohort,
    with_named_staff,
    with_setting,
)

VISIBLE_COLUMNS = [
    "placement_id",
    "status",
    "block",
    "block_start",
    "block_end",
    "hei",
    "programme",
    "request",
    "learner",
    "learners",
    "setting",
    "setting_name",
    "organisation",
    "sector",
    "practice_supervisor",
    "practice_assessor",
    "run_id",
]


def with_placement_context(query: Any) -> Any:
    """``query`` on placements joined to their request, cohort, HEI (``HEI``), programme,
    block, setting and the setting's organisation (``SETTING_OWNER``): what every placement
    list shows beside the counts."""
    query = query.join(PlacementRequest, col(PlacementRequest.id) == Placement.request_id)
    query = with_block(with_cohort(query, PlacementRequest.cohort_id), Placement.block_id)
    return with_setting(query, Placement.setting_id, owner=True)


def _placements_query(statuses: Sequence[str]):  # type: ignore[no-untyped-def]
    """Placements in these statuses with their block, HEI, programme, request, learner,
    setting and (named rows) the learner's practice supervisor and assessor, in the order
    the page lists them (block, HEI, setting, request rows first)."""
    query = sa_select(  # type: ignore[call-overload]  # SQLModel fields are typed as values
        Placement,
        PlacementBlock.code,
        PlacementBlock.start_date,
        PlacementBlock.end_date,
        HEI.code,
        Programme.code,
        PlacementRequest.code,
        Learner.learner_ref,
        PlacementSetting.code,
        PlacementSetting.name,
        SETTING_OWNER.name,
        PlacementSetting.sector,
        *named_staff_columns(),
    )
    query = (
        with_named_staff(with_placement_context(query))
        .outerjoin(Learner, col(Learner.id) == Placement.learner_id)
        .where(col(Placement.status).in_(statuses))
        .order_by(
            col(PlacementBlock.start_date),
            HEI.code,
            PlacementSetting.code,
            col(Placement.learner_id).is_not(None),
            Learner.learner_ref,
        )
    )
    return query


def visible_placements(
    session: Session,
    *,
    principal: Principal,
    statuses: Sequence[str] = (
        PlacementStatus.CONFIRMED.value,
        PlacementStatus.COMPLETED.value,
        PlacementStatus.CANCELLED.value,
    ),
    organisation_id: int | None = None,
    setting_id: int | None = None,
    block: str | None = None,
) -> pd.DataFrame:
    """Published placements this user may see: HEI users only their own HEI's learners,
    placement provider users only those at their own organisation's settings.

    Request-level rows say how many learners go where; named rows (``learner`` filled) say
    who, and who supervises and assesses them (empty where the setting names no staff).
    Proposed placements are never shown here: they are not published. Users who may not
    read learner rows (the collaborative, system-wide view) get only the request-level rows:
    learners per HEI, request, setting and block, never who.
    """
    statuses = [s for s in statuses if s != PlacementStatus.PROPOSED.value]
    query = _placements_query(statuses)
    scope = hei_scope(principal)
    if scope is not None:
        query = query.where(Cohort.hei_id == scope)
    if not sees_learner_rows(principal):
        query = query.where(col(Placement.learner_id).is_(None))
    owner = setting_owner_scope(principal)
    if owner is not None:  # a placement provider: who is coming to its own settings only
        query = query.where(PlacementSetting.organisation_id == owner)
    if organisation_id is not None:
        query = query.where(PlacementSetting.organisation_id == organisation_id)
    if setting_id is not None:
        query = query.where(Placement.setting_id == setting_id)
    if block:
        query = query.where(PlacementBlock.code == block)
    rows = [
        {
            "placement_id": p.id,
            "status": p.status,
            "block": b,
            # a placement made on the programme calendars has its own dates, else its block's
            "block_start": p.start_date or start,
            "block_end": p.end_date or end,
            "hei": hei_code,
            "programme": prog,
            "request": req,
            "learner": ref,
            "learners": p.learners,
            "setting": code,
            "setting_name": name,
            "organisation": org,
            "sector": sector,
            "practice_supervisor": supervisor,
            "practice_assessor": assessor,
            "run_id": p.run_id,
        }
        for (
            p,
            b,
            start,
            end,
            hei_code,
            prog,
            req,
            ref,
            code,
            name,
            org,
            sector,
            supervisor,
            assessor,
        ) in session.execute(query).all()
    ]
    return pd.DataFrame(rows, columns=VISIBLE_COLUMNS)


def placement_filters(
    session: Session, *, principal: Principal
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Organisations hosting settings, and settings, as dropdown options (a placement
    provider user's own organisation and settings only)."""
    query = select(PlacementSetting).order_by(PlacementSetting.code)
    owner = setting_owner_scope(principal)
    if owner is not None:
        query = query.where(PlacementSetting.organisation_id == owner)
    settings = session.exec(query).all()
    host_ids = {s.organisation_id for s in settings}
    orgs = session.exec(
        select(Organisation).where(col(Organisation.id).in_(host_ids)).order_by(Organisation.name)
    ).all()
    return (
        [{"label": o.name, "value": o.id} for o in orgs],
        [{"label": f"{s.code} · {s.name}", "value": s.id} for s in settings],
    )


def learner_placements(session: Session, *, principal: Principal, learner_id: int) -> pd.DataFrame:
    """A learner's placement history (what completing or cancelling a placement feeds); none
    for a placement provider, who sees only the placements at its own settings."""
    learner = session.get(Learner, learner_id)
    if learner is None or setting_owner_scope(principal) is not None:
        return pd.DataFrame(columns=["block", "setting", "sector", "status"])
    cohort = session.get(Cohort, learner.cohort_id)
    scope = hei_scope(principal)
    if not sees_learner_rows(principal) or (
        scope is not None and (cohort is None or cohort.hei_id != scope)
    ):
        return pd.DataFrame(columns=["block", "setting", "sector", "status"])
    query = select(
        PlacementBlock.code, PlacementSetting.name, PlacementSetting.sector, Placement.status
    )
    query = (
        with_setting(with_block(query, Placement.block_id), Placement.setting_id)
        .where(
            Placement.learner_id == learner_id, Placement.status != PlacementStatus.PROPOSED.value
        )
        .order_by(col(PlacementBlock.start_date))
    )
    return pd.DataFrame(session.exec(query).all(), columns=["block", "setting", "sector", "status"])


def setting_postcodes(session: Session, codes: Sequence[str]) -> dict[str, str | None]:
    """Each setting's postcode district by setting code: where a calendar event says the
    placement is (the register holds no street address)."""
    if not codes:
        return {}
    found = session.exec(
        select(PlacementSetting.code, PlacementSetting.postcode_district).where(
            col(PlacementSetting.code).in_(list(codes))
        )
    ).all()
    return {code: postcode for code, postcode in found}
