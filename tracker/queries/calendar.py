"""The placement calendar: every HEI programme's placement weeks."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, select

from tracker.access import Principal
from tracker.models import (
    PlacementBlock,
    Programme,
    ProgrammeCalendar,
)
from tracker.queries.joins import HEI, with_block, with_hei_and_programme
from tracker.queries.options import frame_of

CALENDAR_COLUMNS = [
    "id",
    "hei",
    "programme",
    "profession_group",
    "block",
    "year_of_study",
    "start_date",
    "end_date",
]


def calendar_register(session: Session, *, principal: Principal) -> pd.DataFrame:
    """Every HEI programme's placement weeks.

    Calendars are shown to every HEI (not only its own): seeing when other HEIs place learners
    is what lets them stagger their weeks. Editing stays limited to the owning HEI.
    """
    del principal
    query = select(  # type: ignore[call-overload]
        ProgrammeCalendar,
        HEI.code,
        Programme.code,
        Programme.profession_group,
        PlacementBlock.code,
    )
    query = with_hei_and_programme(
        query,
        hei_id=ProgrammeCalendar.hei_id,
        programme_id=ProgrammeCalendar.programme_id,
    )
    query = with_block(query, ProgrammeCalendar.block_id).order_by(
        ProgrammeCalendar.start_date, HEI.code, Programme.code
    )
    rows = [
        {
            "id": c.id,
            "hei": hei_code,
            "programme": programme,
            "profession_group": group,
            "block": block,
            "year_of_study": c.year_of_study,
            "start_date": c.start_date,
            "end_date": c.end_date,
        }
        for c, hei_code, programme, group, block in session.exec(query).all()
    ]
    return frame_of(rows, CALENDAR_COLUMNS)
