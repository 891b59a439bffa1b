"""A request's placement dates: its HEI's programme calendar in the request's block (for the
cohort's year of study when the calendar has several), else the block's own dates.

One rule, read by the allocator's dated inputs (``queries.dated_inputs``: runs on the
programme calendars) and by stage 2 (``services.named_staff``: readiness and preparation on
the placement's days), so a plan and the checks of its named learners mean the same days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlmodel import Session, col, select

from tracker.models import Cohort, PlacementBlock, PlacementRequest, ProgrammeCalendar


def year_of_study(cohort: Cohort, on: date) -> int:
    """The cohort's year of study on a day (year 1 until the first anniversary of intake)."""
    before = (on.month, on.day) < (cohort.intake_month, 1)
    return on.year - cohort.intake_year - int(before) + 1


def calendar_dates(
    entries: Sequence[ProgrammeCalendar], cohort: Cohort, block: PlacementBlock
) -> tuple[date, date]:
    """The dates of ``entries`` (the HEI programme's calendar rows in the block) that apply to
    the cohort: the row of its year of study, the only row when there is one, else the
    block's own dates."""
    year = year_of_study(cohort, block.start_date)
    mine = [e for e in entries if e.year_of_study == year] or (
        list(entries) if len(entries) == 1 else []
    )
    if mine:
        return mine[0].start_date, mine[0].end_date
    return block.start_date, block.end_date


def request_dates(
    session: Session, requests: Iterable[PlacementRequest]
) -> dict[str, tuple[date, date]]:
    """Each request's placement dates by request code, read in three statements."""
    requests = list(requests)
    cohort_ids = {r.cohort_id for r in requests}
    block_ids = {r.block_id for r in requests}
    cohorts = {
        c.id: c for c in session.exec(select(Cohort).where(col(Cohort.id).in_(cohort_ids))).all()
    }
    blocks = {
        b.id: b
        for b in session.exec(
            select(PlacementBlock).where(col(PlacementBlock.id).in_(block_ids))
        ).all()
    }
    entries: dict[tuple[int, int, int], list[ProgrammeCalendar]] = {}
    query = select(ProgrammeCalendar).where(col(ProgrammeCalendar.block_id).in_(block_ids))
    for e in session.exec(query).all():
        entries.setdefault((e.hei_id, e.programme_id, e.block_id), []).append(e)
    out = {}
    for r in requests:
        cohort, block = cohorts[r.cohort_id], blocks[r.block_id]
        mine = entries.get((cohort.hei_id, cohort.programme_id, r.block_id), [])
        out[r.code] = calendar_dates(mine, cohort, block)
    return out
