"""Placement evaluations import: every row checked, all or nothing, an HEI only its own
learners, linked to the learner's placement where the tracker holds it.

The examples give UNI-A learners A23-0001..3 and UNI-B learner B24-0001, settings T1-WARD12,
T1-PHYSIO, GP1-MAIN and CARE1-OAKS and blocks 2025-B1 (from 2025-01-06) and 2025-B2.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.data.test_importers import csv, hei_user, load_examples, rejected, run, where
from tracker.access import AccessDenied, Principal
from tracker.models import (
    Learner,
    Placement,
    PlacementBlock,
    PlacementEvaluation,
    PlacementSetting,
    Role,
)

HEADER = (
    "response_ref,learner_ref,setting_id,block,submitted_on,supervision,"
    "learning_opportunities,induction,feeling_valued,would_recommend,comment\n"
)


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    load_examples(engine, upto="capacity")
    return engine


def _id(session: Session, model: type, column: object, code: str) -> int:
    return int(session.exec(select(model.id).where(column == code)).one())  # type: ignore[attr-defined]


def _place(engine: Engine, learner: str, setting: str, block: str, status: str) -> int:
    with Session(engine) as session:
        row = Placement(
            learner_id=_id(session, Learner, Learner.learner_ref, learner),
            setting_id=_id(session, PlacementSetting, PlacementSetting.code, setting),
            block_id=_id(session, PlacementBlock, PlacementBlock.code, block),
            status=status,
        )
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def _stored(engine: Engine) -> dict[str, PlacementEvaluation]:
    with Session(engine) as session:
        return {e.response_ref: e for e in session.exec(select(PlacementEvaluation)).all()}


def test_an_hei_imports_its_responses_linked_to_placements_and_reimport_changes_nothing(
    loaded: Engine,
) -> None:
    placed = _place(loaded, "A23-0001", "T1-WARD12", "2025-B1", "completed")
    uni_a = hei_user(loaded, "UNI-A")
    rows = (
        HEADER
        + "R1,A23-0001,T1-WARD12,2025-B1,2025-02-17,5,4,4,5,5,Good team\n"
        + "R2,A23-0002,T1-WARD12,2025-B1,2025-02-18,3,,2,3,3,\n"
    )
    report = run(loaded, "evaluations", csv(rows), uni_a)
    assert (report.added, report.changed) == (2, 0)
    stored = _stored(loaded)
    assert stored["R1"].placement_id == placed  # the tracker holds this placement
    assert stored["R2"].placement_id is None  # arranged before the tracker: setting and block
    assert stored["R2"].learning_opportunities is None and stored["R2"].induction == 2
    assert stored["R1"].comment == "Good team"
    assert run(loaded, "evaluations", csv(rows), uni_a).unchanged == 2
    fixed = run(
        loaded,
        "evaluations",
        csv(HEADER + "R2,A23-0002,T1-WARD12,2025-B1,2025-02-18,4,,2,3,3,"),
        uni_a,
    )
    assert fixed.changed == 1 and _stored(loaded)["R2"].version == 2


def test_one_bad_row_rejects_the_file_and_each_problem_names_its_row(loaded: Engine) -> None:
    _place(loaded, "A23-0001", "T1-WARD12", "2025-B1", "confirmed")
    uni_a = hei_user(loaded, "UNI-A")
    report = rejected(
        loaded,
        "evaluations",
        csv(
            HEADER
            + "R1,A23-0001,T1-WARD12,2025-B1,2025-02-17,5,4,4,5,5,\n"  # fine on its own
            + "R2,B24-0001,GP1-MAIN,2025-B1,2025-02-17,4,4,4,4,4,\n"  # UNI-B's learner
            + "R3,A23-0001,GP1-MAIN,2025-B1,2025-02-17,4,4,4,4,4,\n"  # placed elsewhere
            + "R4,A23-0002,T1-WARD12,2025-B1,2025-02-17,6,4,4,4,4,\n"  # off the scale
            + "R5,A23-0002,T1-WARD12,2025-B1,2025-02-17,,,,,,nothing scored\n"
            + "R6,A23-0002,T1-WARD12,2025-B1,2024-12-01,4,4,4,4,4,\n"  # before the block
            + "R7,A23-0002,NOWHERE,2025-B9,2025-02-17,4,4,4,4,4,\n"  # no such setting/block
            + "R1,A23-0002,T1-WARD12,2025-B1,2025-02-17,4,4,4,4,4,"  # response id again
        ),
        uni_a,
    )
    assert where(report) == {
        (3, "learner_ref"),
        (4, "setting_id"),
        (5, "supervision"),
        (6, "supervision"),
        (7, "submitted_on"),
        (8, "setting_id"),
        (8, "block"),
        (9, "response_ref"),
    }
    said = {(p.row, p.column): p.message for p in report.problems}
    assert said[(4, "setting_id")] == "the learner's placement in this block is at T1-WARD12"
    assert "UNI-B" not in " ".join(said.values()) and "B24" not in said[(3, "learner_ref")]
    assert _stored(loaded) == {}  # nothing written


def test_staff_import_any_heis_responses_and_the_collaborative_may_not(loaded: Engine) -> None:
    coordinator = Principal("coord", Role.COORDINATOR)
    rows = HEADER + "S1,B24-0001,GP1-MAIN,2025-B2,2025-06-25,2,3,2,2,2,\n"
    assert run(loaded, "evaluations", csv(rows), coordinator).added == 1
    with pytest.raises(AccessDenied):
        run(loaded, "evaluations", csv(rows), Principal("c", Role.COLLABORATIVE))
