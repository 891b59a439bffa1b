"""Placement requests: how many learners of which cohort an HEI asks to place, and when."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from tracker.data.importers.core import (
    LAT_RANGE,
    LON_RANGE,
    Action,
    Column,
    Context,
    KindSpec,
    by_key,
    chunks,
    keys,
    max_length,
    upsert,
)
from tracker.data.importers.pipeline import load_cohorts, registers
from tracker.data.importers.registers import resolve_hei, resolve_programme
from tracker.data.importers.rows import Row
from tracker.models import Cohort, PlacementBlock, PlacementRequest, Sector

_WHERE = f"lat {LAT_RANGE[0]} to {LAT_RANGE[1]}, lon {LON_RANGE[0]} to {LON_RANGE[1]}"


def _sectors() -> str:
    return ", ".join(member.value for member in Sector)


def _cohort_for_block(
    cohorts: dict[tuple[int, int, int, int], Cohort], hei_id: int, programme_id: int, start: date
) -> Cohort | None:
    """The latest intake of the HEI programme that began on or before the block starts."""
    candidates = [
        c
        for (h, p, y, m), c in cohorts.items()
        if h == hei_id and p == programme_id and date(y, m, 1) <= start
    ]
    return max(candidates, key=lambda c: (c.intake_year, c.intake_month), default=None)


def plan_requests(ctx: Context, rows: list[Row]) -> list[Action]:
    session = ctx.session
    orgs, programmes = registers(ctx, rows)
    blocks = by_key(session, PlacementBlock, PlacementBlock.code, (r.raw("block") for r in rows))
    cohorts = load_cohorts(session, (o.id for o in orgs.values() if o.id is not None))
    existing: dict[str, tuple[PlacementRequest, int]] = {}
    codes = keys(r.raw("request_id") for r in rows)
    for batch in chunks(codes):
        query = (
            select(PlacementRequest, Cohort.hei_id)
            .join(Cohort)
            .where(col(PlacementRequest.code).in_(batch))
        )
        for request, hei_id in session.exec(query).all():
            existing[request.code] = (request, hei_id)
    seen: dict[str, int] = {}
    actions = []
    for row in rows:
        code = row.text("request_id", limit=max_length(PlacementRequest.code))
        hei = resolve_hei(row, "hei", orgs)
        programme = resolve_programme(row, "programme", programmes)
        block_code = row.text("block")
        block = blocks.get(block_code) if block_code else None
        if block_code and block is None:
            row.problem("block", "no placement block with this code; import placement-blocks first")
        values: dict[str, object] = {"learners": row.integer("learners", minimum=1)}
        if row.has("sector"):
            values["required_sector"] = row.choice("sector", Sector, required=False)
        if row.has("lat") or row.has("lon"):
            where = row.coordinates()
            if where is not None:
                values["lat"], values["lon"] = where
        intake = row.intake("intake", required=False)
        if hei is not None and not row.own_hei("hei", hei.id, "requests"):
            hei = None  # another HEI's: its cohorts are not looked up
        current = existing.get(code) if code else None
        if current is not None and not ctx.sees(current[1]):
            # Request ids are unique system-wide; say it is taken, and nothing about whose.
            row.taken_reference("request_id", "request id")
            current = None
        if code is not None:
            row.first_time(seen, code, "request_id", "request_id")
        cohort = None
        if hei is not None and programme is not None:
            assert hei.id is not None and programme.id is not None
            if intake is not None:
                cohort = cohorts.get((hei.id, programme.id, *intake))
                if cohort is None:
                    row.problem(
                        "intake",
                        f"no cohort of {programme.code} at {hei.code} "
                        "with this intake; import cohorts first",
                    )
            elif block is not None and not row.raw("intake"):
                cohort = _cohort_for_block(cohorts, hei.id, programme.id, block.start_date)
                if cohort is None:
                    row.problem(
                        "intake",
                        f"no cohort of {programme.code} at {hei.code} "
                        f"began by {block.start_date}; give the intake",
                    )
        if row.bad or code is None or cohort is None or block is None:
            continue
        values["cohort_id"] = cohort.id
        values["block_id"] = block.id
        create = {"code": code, "created_at": ctx.now, "created_by": ctx.principal.username}
        known = current[0] if current else None
        actions.append(
            upsert(PlacementRequest, known, code, values, create=create, bump_version=True)
        )
    return actions


REQUESTS = KindSpec(
    kind="requests",
    description="HEI requests for placements for learners of one cohort in one block.",
    access="hei",
    planner=plan_requests,
    columns=(
        Column("request_id", "unique request code", required=True),
        Column("hei", "HEI organisation code", required=True),
        Column("programme", "programme code", required=True),
        Column("block", "placement block code", required=True),
        Column("learners", "learners to place, 1 or more", required=True),
        Column("sector", f"one of {_sectors()}; empty for any sector"),
        Column("intake", "YYYY-MM; empty: the latest intake begun by the block start"),
        Column("lat", f"latitude the learners travel from, with lon ({_WHERE})"),
        Column("lon", "longitude, with lat"),
    ),
)
