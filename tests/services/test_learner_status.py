"""The learner status projection equals the event-by-event status, after the demo, after
random imports of events and learners, and after a rebuild."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pandas as pd
from sqlmodel import Session

from tracker.access import SYSTEM
from tracker.data.demo import DEFAULT_SEED, write_demo_rows
from tracker.db import make_engine, upgrade
from tracker.measures import learner_status
from tracker.measures.definitions import REASON_NOT_RECORDED, STATUSES
from tracker.measures.status import status_from_projection
from tracker.models.pipeline import LEARNER_STATUSES
from tracker.models.pipeline import REASON_NOT_RECORDED as MODEL_NOT_RECORDED
from tracker.queries.learner_status import projected_rows
from tracker.queries.pipeline import PipelineFilters, latest_event_date, pipeline_frames
from tracker.services.demo import generate_demo
from tracker.services.imports import apply_import
from tracker.services.learner_status import rebuild_learner_status


def _reference(session: Session) -> tuple[pd.DataFrame, pd.DataFrame]:
    """learner_status replayed from the events, and the same read from the projection."""
    as_of = latest_event_date(session)
    assert as_of is not None
    frames = pipeline_frames(session, principal=SYSTEM, filters=PipelineFilters())
    replayed = learner_status(frames.learners, frames.events, as_of=as_of)
    stored = status_from_projection(frames.learners, projected_rows(session), as_of=as_of)
    return replayed, stored


def _assert_projection_is_the_replay(session: Session) -> None:
    replayed, stored = _reference(session)
    pd.testing.assert_frame_equal(stored, replayed)


def test_the_vocabularies_agree() -> None:
    assert LEARNER_STATUSES == STATUSES
    assert MODEL_NOT_RECORDED == REASON_NOT_RECORDED


def test_the_demo_projection_is_the_event_by_event_status(session: Session) -> None:
    generate_demo(session)
    session.commit()
    _assert_projection_is_the_replay(session)
    before = projected_rows(session)
    assert rebuild_learner_status(session) == len(before)
    pd.testing.assert_frame_equal(projected_rows(session), before)


def _random_events(session: Session, rng: random.Random, as_of: pd.Timestamp) -> pd.DataFrame:
    """A valid import of events for learners still on their programme: interruptions,
    returns, withdrawals and completions, after the last event."""
    rows = projected_rows(session)
    refs = pipeline_frames(session, principal=SYSTEM, filters=PipelineFilters()).learners
    on = rows.loc[rows["status"].isin(["active", "interrupted"])].merge(
        refs[["learner_id", "learner_ref"]], on="learner_id"
    )
    out = []
    for row in on.sample(n=30, random_state=rng.randrange(10**6)).itertuples(index=False):
        day = (as_of + timedelta(days=rng.randint(1, 60))).date().isoformat()
        if row.status == "interrupted":
            event, reason = rng.choice([("returned", ""), ("withdrew", "financial")])
        else:
            event, reason = rng.choice(
                [("interrupted", ""), ("withdrew", "academic"), ("completed", "")]
            )
        out.append({"learner_ref": row.learner_ref, "date": day, "event": event, "reason": reason})
    return pd.DataFrame(out, dtype=str)


def test_imports_keep_the_projection_equal_to_the_replay(session: Session) -> None:
    generate_demo(session)
    session.commit()
    rng = random.Random(19)
    for _ in range(3):
        as_of = pd.Timestamp(latest_event_date(session))
        apply_import(session, SYSTEM, "learner-events", _random_events(session, rng, as_of))
        session.commit()
        _assert_projection_is_the_replay(session)


def test_the_migration_fills_the_projection_for_learners_already_recorded(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{(tmp_path / 'old.db').as_posix()}")
    upgrade(engine, "0019")
    with Session(engine) as session:
        write_demo_rows(session, seed=DEFAULT_SEED, scale=1)
        session.commit()
    upgrade(engine)
    with Session(engine) as session:
        assert len(projected_rows(session)) == 5_785
        _assert_projection_is_the_replay(session)
    engine.dispose()
