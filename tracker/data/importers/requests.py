"""Placement requests: how many learners of which cohort an HEI asks to place, and when."""

from __future__ import annotations

from datetime import date

from tracker.data.importers.common import (
    BLOCK,
    HEI,
    LON,
    NO_BLOCK,
    PROGRAMME,
    WHERE,
    blocks_named,
    by_key_with_hei,
    codes,
    find_cohort,
)
from tracker.data.importers.core import (
    Action,
    Column,
    Context,
    KindSpec,
    max_length,
    upsert,
)
from tracker.data.importers.pipeline import load_cohorts
from tracker.data.importers.registers import Named
from tracker.data.importers.rows import Row
from tracker.models import Cohort, PlacementRequest, Sector


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


def _makeup(row: Row, learners: object) -> int:
    """The row's make-up hours learners: empty is none; never more than its learners (the
    allocator places them first within the HEI's share, so each must be one of them)."""
    makeup = row.integer("makeup_learners", required=False)
    if makeup is None:
        return 0
    if isinstance(learners, int) and makeup > learners:
        row.problem(
            "makeup_learners",
            f"more make-up hours learners than learners ({learners}): they are some of the "
            "request's learners",
        )
    return makeup


def _keep_makeup_within(
    row: Row, known: PlacementRequest | None, values: dict[str, object]
) -> None:
    """A file without the make-up column keeps a stored request's make-up learners, so it
    may not cut the learners below them."""
    learners = values["learners"]
    if known is None or "makeup_learners" in values or not isinstance(learners, int):
        return
    if learners < known.makeup_learners:
        row.problem(
            "learners",
            f"fewer than the request's {known.makeup_learners} make-up hours learners; "
            "give makeup_learners too",
        )


def plan_requests(ctx: Context, rows: list[Row]) -> list[Action]:
    session = ctx.session
    named = Named.load(ctx, rows)
    blocks = blocks_named(ctx, rows)
    cohorts = load_cohorts(session, named.hei_ids())
    existing = by_key_with_hei(
        session, PlacementRequest, PlacementRequest.code, (r.raw("request_id") for r in rows)
    )
    seen: dict[str, int] = {}
    actions = []
    for row in rows:
        code = row.text("request_id", limit=max_length(PlacementRequest.code))
        hei, programme = named.resolve(row)
        block = row.lookup("block", blocks, NO_BLOCK)
        values: dict[str, object] = {"learners": row.integer("learners", minimum=1)}
        if row.has("makeup_learners"):
            values["makeup_learners"] = _makeup(row, values["learners"])
        if row.has("sector"):
            values["required_sector"] = row.choice("sector", Sector, required=False)
        row.place(values)
        intake = row.intake("intake", required=False)
        if hei is not None and not row.own_hei("hei", hei.id, "requests"):
            hei = None  # another HEI's: its cohorts are not looked up
        known = row.claim("request_id", existing, code, seen, "request id", "request_id")
        _keep_makeup_within(row, known, values)
        cohort = None
        if hei is not None and programme is not None:
            if intake is not None:
                cohort = find_cohort(row, cohorts, hei, programme, intake)
            elif block is not None and not row.raw("intake"):
                assert hei.id is not None and programme.id is not None
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
        HEI,
        PROGRAMME,
        BLOCK,
        Column("learners", "learners to place, 1 or more", required=True),
        Column(
            "makeup_learners",
            "how many of them make up practice hours (placed first within the HEI's share), "
            "0 to learners; empty: none",
        ),
        Column("sector", f"one of {codes(Sector)}; empty for any sector"),
        Column("intake", "YYYY-MM; empty: the latest intake begun by the block start"),
        Column("lat", f"latitude the learners travel from, with lon ({WHERE})"),
        LON,
    ),
)
