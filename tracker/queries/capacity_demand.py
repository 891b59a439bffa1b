"""Capacity against demand's frames: places and requests side by side, filtered alike.

The report that caches them and computes the measures is ``services.capacity_reports``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.access import Principal
from tracker.measures.capacity import ANY_SECTOR
from tracker.models import (
    Placement,
    PlacementBlock,
    PlacementSetting,
    PlacementStatus,
    RequestStatus,
)
from tracker.queries.capacity import capacity_register
from tracker.queries.joins import with_block, with_setting
from tracker.queries.options import ANY_PROGRAMME, frame_of, hosted_codes, programme_options
from tracker.queries.requests import requests_register
from tracker.queries.settings import settings_register


@dataclass(frozen=True)
class CapacityDemandFrames:
    """The inputs of the capacity-against-demand measures, filtered alike.

    ``capacity``: setting_id, sector, block, profession_group, places, capacity_kind (named
    staff's places or the typed counts, ``queries.staff_capacity``), lat, lon (active
    settings only). ``demand``: request_id, hei, programme, profession_group, block, sector,
    learners (submitted requests; sector is ``ANY_SECTOR`` when none is required).
    ``hosting``: setting_id, programme, profession_group. ``placed``: setting_id, block,
    learners in published (confirmed or completed) placements, not drafts. ``settings``:
    setting_id, name,
    organisation, sector, lat, lon.
    """

    capacity: pd.DataFrame
    demand: pd.DataFrame
    hosting: pd.DataFrame
    placed: pd.DataFrame
    settings: pd.DataFrame


def capacity_demand_frames(
    session: Session,
    *,
    principal: Principal,
    blocks: Sequence[str] = (),
    sectors: Sequence[str] = (),
    profession_groups: Sequence[str] = (),
) -> CapacityDemandFrames:
    """Places and requests side by side, as the capacity-against-demand view needs them.

    Demand is scoped like the requests register, so an HEI user would compare the system's
    places with its own requests only. The sector filter narrows places and the demand that
    requires those sectors; requests open to any sector are kept, since any sector may meet them.
    The capacity-against-demand report (``services.capacity_reports``) caches them.
    """
    cap = capacity_register(
        session,
        principal=principal,
        blocks=blocks,
        sector=sectors,
        profession_group=profession_groups,
        active_only=True,
    )
    settings = settings_register(session, principal=principal, sector=sectors, active=True)
    where = settings.set_index("setting_id")[["lat", "lon"]]
    capacity = cap[
        ["setting_id", "sector", "block", "profession_group", "places", "capacity_kind"]
    ].copy()
    capacity["lat"] = capacity["setting_id"].map(where["lat"])
    capacity["lon"] = capacity["setting_id"].map(where["lon"])

    requests = requests_register(
        session, principal=principal, blocks=blocks, status=[RequestStatus.SUBMITTED.value]
    )
    if profession_groups:
        requests = requests[requests["profession_group"].isin(list(profession_groups))]
    requests = requests.assign(sector=requests["sector"].fillna(ANY_SECTOR))
    if sectors:
        requests = requests[requests["sector"].isin([*sectors, ANY_SECTOR])]
    demand = requests[
        ["request_id", "hei", "programme", "profession_group", "block", "sector", "learners"]
    ].reset_index(drop=True)

    programmes = programme_options(session)
    group_of = dict(zip(programmes["code"], programmes["profession_group"], strict=True))
    hosting_rows: list[dict[str, object]] = []
    hosted = hosted_codes(session)
    for row in settings.itertuples(index=False):
        codes = list(group_of) if row.programmes == ANY_PROGRAMME else hosted.get(int(row.id), [])
        hosting_rows.extend(
            {"setting_id": row.setting_id, "programme": code, "profession_group": group_of[code]}
            for code in codes
        )
    hosting = frame_of(hosting_rows, ["setting_id", "programme", "profession_group"])

    placed = _placed_learners(session, blocks)
    return CapacityDemandFrames(
        capacity=capacity.reset_index(drop=True),
        demand=demand,
        hosting=hosting,
        placed=placed,
        settings=settings[["setting_id", "name", "organisation", "sector", "lat", "lon"]],
    )


def _placed_learners(session: Session, blocks: Sequence[str]) -> pd.DataFrame:
    """Confirmed and completed learners per setting and block: what the registers already
    host, beside the places and the demand."""
    placed_query = select(PlacementSetting.code, PlacementBlock.code, func.sum(Placement.learners))
    placed_query = (
        with_block(with_setting(placed_query, Placement.setting_id), Placement.block_id)
        .where(
            col(Placement.status).in_(
                [PlacementStatus.CONFIRMED.value, PlacementStatus.COMPLETED.value]
            )
        )
        .group_by(PlacementSetting.code, PlacementBlock.code)
    )
    if blocks:
        placed_query = placed_query.where(col(PlacementBlock.code).in_(list(blocks)))
    return frame_of(
        [
            {"setting_id": s, "block": b, "learners": int(n or 0)}
            for s, b, n in session.exec(placed_query).all()
        ],
        ["setting_id", "block", "learners"],
    )
