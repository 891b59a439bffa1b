"""The quality view and quality reviews: who sees what, the minimum of responses, no learner
identifiable, reviews audited, and a setting under review offered no new learners.

The examples give settings T1-WARD12 and T1-PHYSIO (TRUST-1), GP1-MAIN (GP-1) and
CARE1-OAKS, block 2025-B1 from 2025-01-06, and UNI-A's request for 8 BSC-ADULT learners in
2025-B1 (WARD12 has 6 places, GP1-MAIN 2).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.data.test_importers import hei_user, load_examples
from tracker.access import AccessDenied, Principal
from tracker.db import session_scope
from tracker.models import (
    AuditLog,
    EducationalAudit,
    Organisation,
    Placement,
    PlacementBlock,
    PlacementEvaluation,
    PlacementSetting,
    QualityReview,
    Role,
)
from tracker.models.quality import ITEMS
from tracker.optimise import allocate
from tracker.queries.allocator_inputs import allocator_inputs
from tracker.services.allocation import AllocationRefused, run_policy
from tracker.services.placements import approve_run
from tracker.services.quality_reports import quality_report
from tracker.services.quality_reviews import end_review, start_review
from tracker.services.registers import SaveRefused
from tracker.services.run_jobs import execute_run
from tracker.services.runs import create_run

COORDINATOR = Principal("coord", Role.COORDINATOR)


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    load_examples(engine, upto="requests")
    return engine


def _evaluate(engine: Engine, setting: str, scores: list[int], day: date, note: str = "") -> None:
    with Session(engine) as session:
        site = session.exec(select(PlacementSetting).where(PlacementSetting.code == setting)).one()
        block = session.exec(select(PlacementBlock)).first()
        hei = session.exec(select(Organisation).where(Organisation.code == "UNI-A")).one()
        start = len(session.exec(select(PlacementEvaluation)).all())
        for i, score in enumerate(scores):
            session.add(
                PlacementEvaluation(
                    hei_id=hei.id,
                    response_ref=f"R{start + i}",
                    setting_id=site.id,
                    block_id=block.id,
                    submitted_on=day,
                    comment=f"{note} {i}" if note else None,
                    **dict.fromkeys(ITEMS, score),
                )
            )
        session.commit()


def test_scores_need_enough_responses_and_cannot_be_worked_out(loaded: Engine) -> None:
    _evaluate(loaded, "T1-WARD12", [4, 4, 5, 3, 4, 4], date(2025, 2, 17), "ward")
    _evaluate(loaded, "T1-PHYSIO", [1, 2], date(2025, 2, 17), "physio")
    _evaluate(loaded, "GP1-MAIN", [2, 2, 3, 2, 2], date(2025, 2, 18), "practice")
    with Session(loaded) as session:
        report = quality_report(session, principal=COORDINATOR, min_responses=5)
        by_org = quality_report(
            session, principal=COORDINATOR, level="organisation", min_responses=5
        )
    table = report.table.set_index("setting")
    assert table.loc["T1-PHYSIO", "responses"] == 2
    # PHYSIO (2) is hidden, and with it WARD12, else TRUST-1's 8 less WARD12's 6 tell PHYSIO's
    assert table.loc[["T1-WARD12", "T1-PHYSIO"], "supervision"].isna().all()
    assert table.loc["GP1-MAIN", "supervision"] == pytest.approx(2.2)
    assert table.loc["GP1-MAIN", "setting_name"] == "Riverside Medical Practice"
    orgs = by_org.table.set_index("organisation")
    assert orgs.loc["TRUST-1", "supervision"] == pytest.approx(27 / 8)
    assert set(report.comments["setting"]) == {"T1-WARD12", "GP1-MAIN"}  # 6 and 5 responses
    leaked = {"learner_ref", "learner_id", "placement_id", "response_ref", "submitted_on"}
    for frame in (report.table, report.trend, report.comments, report.rows()):
        assert not leaked & set(frame.columns)
    with Session(loaded) as session:
        strict = quality_report(session, principal=COORDINATOR, min_responses=6)
    assert strict.table["supervision"].isna().all()  # no setting has 6 of its own, unhidden
    assert set(strict.comments["setting"]) == {"T1-WARD12"}


def test_only_coordinators_and_administrators_see_quality(loaded: Engine) -> None:
    with Session(loaded) as session:
        for who in (hei_user(loaded, "UNI-A"), Principal("c", Role.COLLABORATIVE)):
            with pytest.raises(AccessDenied):
                quality_report(session, principal=who)
        quality_report(session, principal=Principal("a", Role.ADMIN))


def test_a_review_is_started_and_ended_once_and_audited(loaded: Engine) -> None:
    uni_a = hei_user(loaded)  # before the session: the in-memory database has one connection
    with Session(loaded) as session:
        review = start_review(
            session,
            COORDINATOR,
            setting="T1-WARD12",
            reason="Low supervision scores two terms running",
            started_on=date(2025, 3, 1),
        )
        with pytest.raises(SaveRefused, match="already under quality review"):
            start_review(
                session, COORDINATOR, setting="T1-WARD12", reason="x", started_on=date(2025, 3, 2)
            )
        with pytest.raises(SaveRefused, match="give the reason"):
            start_review(
                session, COORDINATOR, setting="GP1-MAIN", reason=" ", started_on=date(2025, 3, 2)
            )
        with pytest.raises(AccessDenied):
            start_review(
                session,
                uni_a,
                setting="GP1-MAIN",
                reason="x",
                started_on=date(2025, 3, 2),
            )
        with pytest.raises(SaveRefused, match="reload"):
            end_review(
                session,
                COORDINATOR,
                review_id=review.id,
                version=0,
                ended_on=date(2025, 5, 1),
                outcome="ok",
            )
        with pytest.raises(SaveRefused, match="began on 2025-03-01"):
            end_review(
                session,
                COORDINATOR,
                review_id=review.id,
                version=1,
                ended_on=date(2025, 2, 1),
                outcome="ok",
            )
        end_review(
            session,
            COORDINATOR,
            review_id=review.id,
            version=1,
            ended_on=date(2025, 5, 1),
            outcome="Action plan met",
        )
        session.commit()
        stored = session.exec(select(QualityReview)).one()
        assert (stored.ended_by, stored.outcome, stored.version) == ("coord", "Action plan met", 2)
        actions = [a.action for a in session.exec(select(AuditLog)).all()]
        assert actions[-2:] == ["quality_review.start", "quality_review.end"]
        report = quality_report(session, principal=COORDINATOR)
        assert report.reviews.loc[0, "setting"] == "T1-WARD12"


def test_a_setting_under_review_gets_no_new_learners_in_a_run(loaded: Engine) -> None:
    with Session(loaded) as session:
        before = allocator_inputs(session, blocks=["2025-B1"], programmes=["BSC-ADULT"])
        assert "quality_review" not in before[0].columns  # nothing under review: as before
        start_review(
            session,
            COORDINATOR,
            setting="T1-WARD12",
            reason="Poor scores",
            started_on=date(2025, 1, 1),
        )
        settings, capacity, demand = allocator_inputs(
            session, blocks=["2025-B1"], programmes=["BSC-ADULT"]
        )
    reasons = dict(zip(settings["setting_id"], settings["quality_review"], strict=True))
    assert reasons["T1-WARD12"] == "Poor scores" and reasons["GP1-MAIN"] == ""
    result = allocate(settings, capacity, demand)
    placed = result.placements.groupby("setting_id")["learners"].sum()
    assert "T1-WARD12" not in placed.index
    assert "quality_review" in set(result.unmet["reason_code"])
    assert allocate(*before).placements.query("setting_id == 'T1-WARD12'")["learners"].sum() > 0


def test_a_run_chooses_what_settings_under_review_get() -> None:
    assert run_policy({"quality_review": "prefer_others"}).quality_review == "prefer_others"
    assert run_policy({}).quality_review == "no_new_learners"
    with pytest.raises(AllocationRefused, match="quality_review"):
        run_policy({"quality_review": "sometimes"})


def _run(engine: Engine, **policy: object) -> int:
    with session_scope(engine) as session:
        run_id = create_run(
            session,
            principal=COORDINATOR,
            blocks=["2025-B1"],
            programmes=["BSC-ADULT"],
            policy=dict(policy),
        )
    assert execute_run(engine, run_id) == "succeeded"
    return run_id


def _at_ward(engine: Engine, run_id: int) -> int:
    with Session(engine) as session:
        ward = session.exec(
            select(PlacementSetting).where(PlacementSetting.code == "T1-WARD12")
        ).one()
        rows = session.exec(
            select(Placement).where(Placement.run_id == run_id, Placement.setting_id == ward.id)
        ).all()
    return sum(p.learners for p in rows)


def test_runs_obey_a_review_and_a_plan_made_before_it_is_not_approved(loaded: Engine) -> None:
    with session_scope(loaded) as session:  # the example audit of the ward postdates 2025-B1
        for audit in session.exec(select(EducationalAudit)).all():
            audit.audited_on = date(2024, 3, 10)
    before = _run(loaded)
    placed = _at_ward(loaded, before)
    assert placed > 0
    with session_scope(loaded) as session:
        start_review(
            session,
            COORDINATOR,
            setting="T1-WARD12",
            reason="Poor scores",
            started_on=date(2025, 1, 1),
        )
    with (
        session_scope(loaded) as session,
        pytest.raises(AllocationRefused, match=r"registers changed.*settings"),
    ):
        approve_run(session, principal=COORDINATOR, run_id=before)
    assert _at_ward(loaded, _run(loaded)) == 0
    # preferring others still uses the ward: the request's 8 learners need its places
    assert _at_ward(loaded, _run(loaded, quality_review="prefer_others")) == placed
