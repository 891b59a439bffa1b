"""The supervision capacity register: places per setting, block and profession group."""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import Final

import pandas as pd
from sqlmodel import Session, col, select

from tracker.access import Principal
from tracker.models import (
    PlacementBlock,
    PlacementSetting,
    SupervisionCapacity,
)
from tracker.queries.filters import narrowed
from tracker.queries.joins import SETTING_OWNER, with_block, with_setting
from tracker.queries.staff_capacity import named_capacity

CAPACITY_COLUMNS = [
    "id",
    "setting_id",
    "setting_name",
    "organisation",
    "sector",
    "active",
    "block",
    "profession_group",
    "practice_supervisors",
    "practice_assessors",
    "practice_educators",
    "learners_per_supervisor",
    "places",
    "capacity_kind",
    "version",
]
#: The register codes ``capacity_register`` chooses (see ``queries.filters``).
CAPACITY_FILTERS: Final = MappingProxyType(
    {
        "blocks": PlacementBlock.code,
        "sector": PlacementSetting.sector,
        "organisation": SETTING_OWNER.code,
        "profession_group": SupervisionCapacity.profession_group,
    }
)


def capacity_register(
    session: Session, *, principal: Principal, active_only: bool = False, **codes: Sequence[str]
) -> pd.DataFrame:
    """Supervision capacity rows with their setting, block and places, and where the places
    come from (``capacity_kind``: ``named`` staff, or the ``unnamed`` typed counts; see
    ``queries.staff_capacity``).

    ``codes`` choose blocks, sectors, organisations and profession groups
    (``CAPACITY_FILTERS``); a filter left out or empty keeps every row.
    """
    del principal  # capacity is not personal data; kept so every read names its reader
    # Plain columns, not ORM objects: at scale there are tens of thousands of rows, and
    # building an entity per row was most of the capacity-against-demand view's time.
    query = select(  # type: ignore[call-overload]
        SupervisionCapacity.id,
        PlacementSetting.code,
        PlacementSetting.name,
        SETTING_OWNER.code,
        PlacementSetting.sector,
        PlacementSetting.active,
        PlacementBlock.code,
        SupervisionCapacity.profession_group,
        SupervisionCapacity.practice_supervisors,
        SupervisionCapacity.practice_assessors,
        SupervisionCapacity.practice_educators,
        SupervisionCapacity.learners_per_supervisor,
        SupervisionCapacity.version,
    )
    query = with_block(
        with_setting(query, SupervisionCapacity.setting_id, owner=True),
        SupervisionCapacity.block_id,
    ).order_by(
        col(PlacementBlock.start_date),
        col(PlacementSetting.code),
        col(SupervisionCapacity.profession_group),
    )
    query = narrowed(query, CAPACITY_FILTERS, codes)
    if active_only:
        query = query.where(PlacementSetting.active)
    # places: the named staff's where the setting lists them for the group, else the typed
    # supervisors x learners per supervisor (SupervisionCapacity.places)
    named = named_capacity(session)
    rows = [
        (
            *r[:12],
            named.places_in(r[1], r[7], r[6], r[8] * r[11]),
            named.kind(r[1], r[7]),
            r[12],
        )
        for r in session.exec(query).all()
    ]
    return pd.DataFrame.from_records(rows, columns=CAPACITY_COLUMNS)
