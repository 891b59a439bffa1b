"""Published placements written straight into a test database: what a page shows after an
approval, without solving a run; and their removal, for the tests that share one app."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from tracker.models import Learner, Placement, PlacementRequest, PlacementSetting


def confirm_at(
    session: Session, request: PlacementRequest, learner: Learner, setting: PlacementSetting
) -> list[int]:
    """A confirmed request-level placement and the named learner's, at ``setting``."""
    rows = [
        Placement(
            request_id=request.id,
            learner_id=learner_id,
            setting_id=setting.id,
            block_id=request.block_id,
            learners=1,
            status="confirmed",
        )
        for learner_id in (None, learner.id)
    ]
    session.add_all(rows)
    session.flush()
    return [int(r.id or 0) for r in rows]


def remove_placements(engine: Engine, ids: list[int]) -> None:
    """Delete these placements again (those already gone are skipped)."""
    with Session(engine) as session:
        for placement_id in ids:
            row = session.get(Placement, placement_id)
            if row is not None:
                session.delete(row)
        session.commit()
