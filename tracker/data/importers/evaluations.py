"""Learners' end-of-placement evaluations, from the HEI's survey export.

One row per survey response: the survey's response id, the learner, the setting and block of
the placement evaluated, the day it was submitted, the five items (1-5, modelled on NETS;
any may be skipped, not all) and a free-text comment. A row is linked to the learner's
published placement (confirmed or completed) in that block when the tracker holds one, and
refused when that placement is at another setting; placements arranged before the tracker
was used are linked to their setting and block only. No response is submitted before its
block began. Rows are keyed by HEI and response id, so a re-export updates
what changed. HEI users import their own learners' responses only: another HEI's learner
reads exactly as a reference that exists nowhere; coordinators and administrators import any
HEI's (a collaborative survey office loads them all).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from tracker.access import EVALUATION_KEEPERS, may_import_evaluations
from tracker.data.importers.common import (
    BLOCK,
    NO_BLOCK,
    NO_SETTING,
    OWN_LEARNER,
    blocks_named,
    by_key_with_hei,
    learner_named,
    settings_named,
    stamped,
)
from tracker.data.importers.core import (
    Action,
    Column,
    Context,
    KindSpec,
    chunks,
    max_length,
    upsert,
)
from tracker.data.importers.rows import Row
from tracker.models import (
    EvaluationItem,
    Learner,
    Placement,
    PlacementBlock,
    PlacementEvaluation,
    PlacementSetting,
    PlacementStatus,
)
from tracker.models.quality import ITEMS

#: Placements a learner can have evaluated: published ones (not a draft run's proposals).
EVALUATED = (PlacementStatus.CONFIRMED.value, PlacementStatus.COMPLETED.value)


def _placements(session: Session, learner_ids: list[int]) -> dict[tuple[int, int], Placement]:
    """Each learner's published named placements by (learner, block id)."""
    found: dict[tuple[int, int], Placement] = {}
    for batch in chunks(learner_ids):
        query = select(Placement).where(
            col(Placement.learner_id).in_(batch), col(Placement.status).in_(EVALUATED)
        )
        for placement in session.exec(query).all():
            assert placement.learner_id is not None
            found[(placement.learner_id, placement.block_id)] = placement
    return found


def _stored(session: Session, hei_ids: set[int]) -> dict[tuple[int, str], PlacementEvaluation]:
    query = select(PlacementEvaluation).where(col(PlacementEvaluation.hei_id).in_(sorted(hei_ids)))
    return {(e.hei_id, e.response_ref): e for e in session.exec(query).all()}


def scores(row: Row) -> dict[str, Any]:
    """The row's item scores (1-5, empty when skipped; at least one answered) and comment."""
    values: dict[str, Any] = {
        item: row.integer(item, required=False, minimum=1, maximum=5) for item in ITEMS
    }
    blank = all(not row.raw(item).strip() for item in ITEMS)
    if blank:
        row.problem(ITEMS[0], "answer at least one item (1 to 5)")
    values["comment"] = row.text(
        "comment", required=False, limit=max_length(PlacementEvaluation.comment)
    )
    return values


def _placement_of(
    row: Row,
    placements: dict[tuple[int, int], Placement],
    learner: Learner,
    setting: PlacementSetting,
    block: PlacementBlock,
    codes: dict[int, str],
) -> Placement | None:
    """The learner's published placement the row evaluates, when the tracker holds one; a
    problem when the tracker places the learner elsewhere in that block."""
    assert learner.id is not None and block.id is not None
    placement = placements.get((learner.id, block.id))
    if placement is not None and placement.setting_id != setting.id:
        where = codes.get(placement.setting_id, "another setting")
        row.problem("setting_id", f"the learner's placement in this block is at {where}")
        return None
    return placement


def plan_evaluations(ctx: Context, rows: list[Row]) -> list[Action]:
    refs = (r.raw("learner_ref") for r in rows)
    found = by_key_with_hei(ctx.session, Learner, Learner.learner_ref, refs)
    visible = {
        ref: pair for ref, pair in found.items() if may_import_evaluations(ctx.principal, pair[1])
    }
    editable = {ref: lr for ref, (lr, _hei) in visible.items()}
    hei_of = {lr.id: hei for lr, hei in visible.values()}
    settings = settings_named(ctx, rows)
    codes = {s.id: s.code for s in settings.values() if s.id is not None}
    blocks = blocks_named(ctx, rows)
    placements = _placements(ctx.session, [lr.id for lr in editable.values() if lr.id is not None])
    stored = _stored(ctx.session, set(hei_of.values()))
    seen: dict[object, int] = {}
    actions = []
    for row in rows:
        response = row.text("response_ref", limit=max_length(PlacementEvaluation.response_ref))
        _ref, learner = learner_named(row, editable)
        setting = row.lookup("setting_id", settings, NO_SETTING)
        block = row.lookup("block", blocks, NO_BLOCK)
        day = row.day("submitted_on")
        values = scores(row)
        if block is not None and day is not None and day < block.start_date:
            row.problem("submitted_on", f"before the block began ({block.start_date.isoformat()})")
        if learner is None or learner.id is None or setting is None or block is None:
            continue
        placement = _placement_of(row, placements, learner, setting, block, codes)
        hei_id = hei_of[learner.id]
        if response is None or not row.first_time(
            seen, (hei_id, response), "response_ref", "response"
        ):
            continue
        key = (hei_id, response)
        if row.bad:
            continue
        values.update(
            {
                "placement_id": None if placement is None else placement.id,
                "setting_id": setting.id,
                "block_id": block.id,
                "submitted_on": day,
            }
        )
        actions.append(
            upsert(
                PlacementEvaluation,
                stored.get(key),
                f"{ctx.principal.hei_code or hei_id}/{response}",
                values,
                create={"hei_id": hei_id, "response_ref": response},
                bump_version=True,
                after=stamped(ctx.now),
            )
        )
    return actions


_ITEM_WORDS = {
    EvaluationItem.SUPERVISION: "I was well supervised",
    EvaluationItem.LEARNING_OPPORTUNITIES: "the placement gave me the learning I needed",
    EvaluationItem.INDUCTION: "my induction prepared me for the placement",
    EvaluationItem.FEELING_VALUED: "I felt valued as a member of the team",
    EvaluationItem.WOULD_RECOMMEND: "I would recommend this placement to other learners",
}

EVALUATIONS = KindSpec(
    kind="evaluations",
    description=(
        "Learners' end-of-placement evaluations from the HEI's survey export: five items "
        "scored 1 (strongly disagree) to 5 (strongly agree), modelled on NETS, and a comment."
    ),
    access="hei",
    roles=EVALUATION_KEEPERS,
    planner=plan_evaluations,
    columns=(
        Column("response_ref", "the survey's response id (unique per HEI)", required=True),
        OWN_LEARNER,
        Column("setting_id", "code of the setting of the placement evaluated", required=True),
        BLOCK,
        Column("submitted_on", "day the response was submitted, YYYY-MM-DD", required=True),
        *(
            Column(item.value, f"1 to 5: {words}; empty if not answered")
            for item, words in _ITEM_WORDS.items()
        ),
        Column("comment", "optional, at most 1000 characters; shown only in groups large enough"),
    ),
)
