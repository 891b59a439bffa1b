"""Placement blocks and HEI calendars: when placements happen."""

from __future__ import annotations

from collections import defaultdict

from tracker.data.importers.common import (
    BLOCK,
    HEI,
    NO_BLOCK,
    PROGRAMME,
    blocks_named,
    of_hei_programme,
    rows_where,
)
from tracker.data.importers.core import Action, Column, Context, KindSpec, max_length, upsert
from tracker.data.importers.registers import Named
from tracker.data.importers.rows import Row
from tracker.models import PlacementBlock, ProgrammeCalendar


def _calendars_of(ctx: Context, blocks: dict[str, PlacementBlock]) -> list[ProgrammeCalendar]:
    """The HEI calendar entries inside these blocks."""
    ids = [b.id for b in blocks.values() if b.id is not None]
    return rows_where(ctx.session, ProgrammeCalendar, ProgrammeCalendar.block_id, ids)


def plan_blocks(ctx: Context, rows: list[Row]) -> list[Action]:
    existing = blocks_named(ctx, rows)
    calendars: dict[int, list[ProgrammeCalendar]] = defaultdict(list)
    for entry in _calendars_of(ctx, existing):
        calendars[entry.block_id].append(entry)
    seen: dict[str, int] = {}
    actions = []
    for row in rows:
        code = row.text("block", limit=max_length(PlacementBlock.code))
        start, end = row.day("start_date"), row.day("end_date")
        values = {
            "name": row.text("name", limit=max_length(PlacementBlock.name)),
            "start_date": start,
            "end_date": end,
        }
        if start is not None and end is not None and end < start:
            row.problem("end_date", f"before the start date {start}")
        if code is not None:
            row.first_time(seen, code, "block", "block code")
        block = existing.get(code) if code else None
        if block is not None and start is not None and end is not None and end >= start:
            outside = [
                c for c in calendars[block.id or 0] if c.start_date < start or c.end_date > end
            ]
            if outside:
                row.problem(
                    "start_date",
                    f"{len(outside)} HEI calendar entries would fall outside these dates; "
                    "import the calendar first",
                )
        if row.bad or code is None:
            continue
        actions.append(upsert(PlacementBlock, block, code, values, create={"code": code}))
    return actions


def plan_calendar(ctx: Context, rows: list[Row]) -> list[Action]:
    named = Named.load(ctx, rows)
    blocks = blocks_named(ctx, rows)
    existing = {
        (c.hei_id, c.programme_id, c.block_id, c.year_of_study): c
        for c in _calendars_of(ctx, blocks)
    }
    seen: dict[tuple[int, int, int, int], int] = {}
    actions = []
    for row in rows:
        hei, programme = named.resolve(row)
        block = row.lookup("block", blocks, NO_BLOCK)
        year = row.integer("year_of_study", required=False, minimum=1, maximum=6)
        if not row.raw("year_of_study"):
            year = 1
        start, end = row.day("start_date"), row.day("end_date")
        if start is not None and end is not None and end < start:
            row.problem("end_date", f"before the start date {start}")
        elif (
            block is not None
            and start is not None
            and end is not None
            and (start < block.start_date or end > block.end_date)
        ):
            row.problem(
                "start_date", f"outside block {block.code} ({block.start_date} to {block.end_date})"
            )
        if hei is not None:
            row.own_hei("hei", hei.id, "calendar")
        if hei is None or programme is None or block is None or year is None:
            continue
        assert hei.id is not None and programme.id is not None and block.id is not None
        key = (hei.id, programme.id, block.id, year)
        row.first_time(seen, key, "block", "calendar entry (same hei, programme, block, year)")
        if row.bad:
            continue
        label, create = of_hei_programme(
            hei, programme, f"{block.code}/year {year}", block_id=block.id, year_of_study=year
        )
        values = {"start_date": start, "end_date": end}
        actions.append(upsert(ProgrammeCalendar, existing.get(key), label, values, create=create))
    return actions


PLACEMENT_BLOCKS = KindSpec(
    kind="placement-blocks",
    description="System placement blocks that capacity is offered for and requests made against.",
    access="staff",
    planner=plan_blocks,
    columns=(
        Column("block", "unique block code, e.g. 2025-B1", required=True),
        Column("name", "block name, e.g. Autumn 2025", required=True),
        Column("start_date", "YYYY-MM-DD", required=True),
        Column("end_date", "YYYY-MM-DD, on or after start_date", required=True),
    ),
)

CALENDAR = KindSpec(
    kind="calendar",
    description="An HEI programme's own placement weeks inside a block (import blocks first).",
    access="hei",
    planner=plan_calendar,
    columns=(
        HEI,
        PROGRAMME,
        BLOCK,
        Column("year_of_study", "1 to 6 (default 1)"),
        Column("start_date", "YYYY-MM-DD, inside the block", required=True),
        Column("end_date", "YYYY-MM-DD, inside the block, on or after start_date", required=True),
    ),
)
