"""``python -m tracker rebuild-status``: a projection emptied or gone stale is folded again."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text
from sqlmodel import Session

from tests.commands.conftest import command_on, file_database
from tracker.queries.learner_status import projected_rows
from tracker.services.demo import generate_demo


def test_rebuild_status_folds_every_learner_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = file_database(tmp_path)
    with Session(engine) as session:
        generate_demo(session)
        session.commit()
        built = projected_rows(session)
        # a hand edit the projection must not keep, and a learner's row lost
        session.execute(text("UPDATE learner_status SET status = 'completed'"))
        session.execute(text("DELETE FROM learner_status WHERE learner_id = 1"))
        session.commit()
    done = command_on("rebuild-status", url, tmp_path, monkeypatch)()
    assert done.exit_code == 0, done.output
    assert f"Rebuilt {len(built):,} learners' status" in done.output
    with Session(engine) as session:
        pd.testing.assert_frame_equal(projected_rows(session), built)
    engine.dispose()
