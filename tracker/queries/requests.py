"""The placement requests register, scoped through ``tracker.access``: an HEI user only ever
gets its own HEI's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import Final

import pandas as pd
from sqlmodel import Session, col, select

from tracker.access import Principal, hei_scope
from tracker.models import (
    Cohort,
    PlacementBlock,
    PlacementRequest,
    Programme,
)
from tracker.queries.filters import narrowed
from tracker.queries.joins import HEI, with_block, with_cohort
from tracker.queries.options import frame_of

REQUEST_COLUMNS = [
    "id",
    "request_id",
    "hei",
    "programme",
    "profession_group",
    "intake",
    "block",
    "learners",
    "makeup_learners",
    "sector",
    "status",
    "created_at",
    "created_by",
    "version",
]
#: The register codes ``requests_register`` chooses (see ``queries.filters``).
REQUEST_FILTERS: Final = MappingProxyType(
    {"blocks": PlacementBlock.code, "heis": HEI.code, "status": PlacementRequest.status}
)


def _request_query(principal: Principal):  # type: ignore[no-untyped-def]
    query = select(  # type: ignore[call-overload]
        PlacementRequest,
        Cohort,
        HEI.code,
        Programme.code,
        Programme.profession_group,
        PlacementBlock.code,
    )
    query = with_block(with_cohort(query, PlacementRequest.cohort_id), PlacementRequest.block_id)
    scope = hei_scope(principal)
    if scope is not None:
        query = query.where(Cohort.hei_id == scope)
    return query


def requests_register(
    session: Session, *, principal: Principal, **codes: Sequence[str]
) -> pd.DataFrame:
    """Placement requests: an HEI user's own HEI only, every HEI's for other roles.

    ``codes`` choose blocks, HEIs and statuses (``REQUEST_FILTERS``); a filter left out or
    empty keeps every row.
    """
    query = narrowed(_request_query(principal), REQUEST_FILTERS, codes)
    query = query.order_by(col(PlacementBlock.start_date), HEI.code, col(PlacementRequest.code))
    rows = [
        {
            "id": r.id,
            "request_id": r.code,
            "hei": hei_code,
            "programme": programme,
            "profession_group": group,
            "intake": cohort.intake,
            "block": block,
            "learners": r.learners,
            "makeup_learners": r.makeup_learners,
            "sector": r.required_sector,
            "status": r.status,
            "created_at": r.created_at,
            "created_by": r.created_by,
            "version": r.version,
        }
        for r, cohort, hei_code, programme, group, block in session.exec(query).all()
    ]
    return frame_of(rows, REQUEST_COLUMNS)
