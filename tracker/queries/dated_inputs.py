"""The allocator's inputs on real calendars: a date window's requests on their programme
calendars' dates, and the supervision register's places over their blocks' dates.

A run "on programme calendars" covers a date window rather than chosen blocks. Its demand is
every submitted request (of the chosen programmes) whose placement dates
(``queries.programme_dates``: the HEI programme's own weeks in the request's block, else the
block's dates) lie inside the window; each keeps its block as a label. Its capacity is the
register's places per setting, profession group and block (``queries.allocator_inputs``, the
block runs' own rules: named staff, hosting, what-if overrides), each row carrying its
block's first and last day, so the calendar engine counts learners present day by day: a ward
with 4 places can take 4 learners of one HEI in weeks 1-6 and 4 of another in weeks 7-12.
The register has no capacity finer than a block; a week's places are its block's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlmodel import Session, col, select

from tracker.models import PlacementBlock, PlacementRequest
from tracker.queries.allocator_inputs import allocator_inputs
from tracker.queries.programme_dates import request_dates

#: The columns the dated frames add to the block frames (ISO dates, both days included).
DATE_COLUMNS = ("start_date", "end_date")


def window_blocks(session: Session, window: tuple[date, date]) -> list[PlacementBlock]:
    """The system blocks that share a day with the window, in date order."""
    start, end = window
    query = (
        select(PlacementBlock)
        .where(col(PlacementBlock.start_date) <= end, col(PlacementBlock.end_date) >= start)
        .order_by(col(PlacementBlock.start_date))
    )
    return list(session.exec(query).all())


def academic_year(session: Session, blocks: Sequence[str]) -> tuple[date, date] | None:
    """The academic year (1 September to 31 August) of the earliest of these blocks: a run
    on the programme calendars' window unless one is chosen. None without a known block."""
    query = select(PlacementBlock).where(col(PlacementBlock.code).in_(list(blocks)))
    starts = [b.start_date for b in session.exec(query).all()]
    if not starts:
        return None
    first = min(starts)
    year = first.year if first.month >= 9 else first.year - 1
    return date(year, 9, 1), date(year + 1, 8, 31)


def dated_allocator_inputs(
    session: Session,
    *,
    window: tuple[date, date],
    programmes: Sequence[str] | None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The allocator's (settings, capacity, demand) frames of a window, with dates.

    Capacity and demand gain ``start_date`` and ``end_date`` (ISO text, as a run's snapshot
    keeps them); requests whose dates leave the window are left out. No block in the window:
    empty frames (the caller refuses a run with no requests).
    """
    blocks = window_blocks(session, window)
    codes = [b.code for b in blocks]
    settings, capacity, demand = allocator_inputs(
        session, blocks=codes or ["-"], programmes=programmes
    )
    days = {b.code: (b.start_date.isoformat(), b.end_date.isoformat()) for b in blocks}
    capacity = capacity.assign(
        start_date=[days[str(b)][0] for b in capacity["block"]],
        end_date=[days[str(b)][1] for b in capacity["block"]],
    )
    requests = session.exec(
        select(PlacementRequest).where(
            col(PlacementRequest.code).in_([str(r) for r in demand["request_id"]])
        )
    ).all()
    dates = request_dates(session, requests)
    start, end = window
    starts = [dates[str(r)][0] for r in demand["request_id"]]
    ends = [dates[str(r)][1] for r in demand["request_id"]]
    inside = [s >= start and e <= end for s, e in zip(starts, ends, strict=True)]
    demand = demand.assign(
        start_date=[d.isoformat() for d in starts], end_date=[d.isoformat() for d in ends]
    )
    return settings, capacity, demand[inside].reset_index(drop=True)
