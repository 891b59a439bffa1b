"""The learner readiness register: who keeps it, its checks, locking, statuses and audit trail.

The examples give UNI-A learners A23-0001 and A23-0002 (A23-0003 withdrew) and UNI-B learners
B24-0001 and B23-0002 (B23-0001 completed) in training.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.data.test_importers import csv, hei_user, load_examples, rejected, run, where
from tracker.access import SYSTEM, AccessDenied, Principal
from tracker.db import session_scope
from tracker.models import AuditLog, LearnerReadiness, Role
from tracker.queries.readiness import readiness_attention, readiness_register
from tracker.services.readiness import ReadinessInput, delete_readiness, save_readiness
from tracker.services.registers import SaveRefused, StaleEdit

COORDINATOR = Principal("coord", Role.COORDINATOR)
COLLABORATIVE = Principal("ics", Role.COLLABORATIVE)
TODAY = date(2026, 12, 1)
HEADER = (
    "learner_ref,dbs_valid_until,occupational_health_valid_until,"
    "mandatory_training_valid_until,note\n"
)


@pytest.fixture
def learners(engine: Engine) -> Engine:
    load_examples(engine, upto="learner-events")
    return engine


def _save(
    engine: Engine, readiness: ReadinessInput, principal: Principal, version: int | None = None
) -> LearnerReadiness:
    with session_scope(engine) as session:
        return save_readiness(session, principal=principal, readiness=readiness, version=version)


def _register(engine: Engine, principal: Principal, **filters: object) -> pd.DataFrame:
    with Session(engine) as session:
        return readiness_register(session, principal=principal, today=TODAY, **filters)  # type: ignore[arg-type]


def _ready(ref: str, dbs: date | None = date(2027, 9, 1)) -> ReadinessInput:
    return ReadinessInput(ref, dbs, date(2027, 6, 30), date(2027, 3, 31))


def test_an_hei_records_its_learner_and_the_learner_becomes_ready(learners: Engine) -> None:
    uni_a = hei_user(learners, "UNI-A")
    before = _register(learners, uni_a).set_index("learner_ref")
    assert list(before.index) == ["A23-0001", "A23-0002"]  # in training, its own only
    assert set(before["readiness_status"]) == {"not_ready"}
    assert before.at["A23-0001", "version"] is None
    _save(learners, _ready("A23-0001", dbs=None), uni_a)
    missing = _register(learners, uni_a).set_index("learner_ref").loc["A23-0001"]
    assert missing["readiness_status"] == "not_ready" and missing["not_recorded"] == "DBS check"
    assert missing["first_to_expire"] == "mandatory_training"
    _save(learners, _ready("A23-0001"), uni_a, version=1)
    row = _register(learners, uni_a).set_index("learner_ref").loc["A23-0001"]
    assert row["readiness_status"] == "ready" and row["ready_until"] == date(2027, 3, 31)
    assert row["version"] == 2 and row["not_recorded"] == ""
    with Session(learners) as session:
        logs = session.exec(select(AuditLog).order_by(AuditLog.id)).all()
    assert logs[-1].action == "save_learner_readiness" and logs[-1].entity_id == "A23-0001"
    assert logs[-1].old == {"dbs_valid_until": None}
    assert logs[-1].new == {"dbs_valid_until": "2027-09-01"}


def test_a_stale_edit_is_refused_and_so_is_a_second_first_record(learners: Engine) -> None:
    uni_a = hei_user(learners, "UNI-A")
    _save(learners, _ready("A23-0001"), uni_a)
    with pytest.raises(StaleEdit):  # someone else recorded this learner meanwhile
        _save(learners, _ready("A23-0001", dbs=date(2028, 1, 1)), uni_a)
    _save(learners, _ready("A23-0001", dbs=date(2028, 1, 1)), uni_a, version=1)
    with pytest.raises(StaleEdit):
        _save(learners, _ready("A23-0001", dbs=date(2029, 1, 1)), uni_a, version=1)
    with session_scope(learners) as session, pytest.raises(StaleEdit):
        delete_readiness(session, principal=uni_a, learner_ref="A23-0001", version=1)
    with session_scope(learners) as session:
        delete_readiness(session, principal=uni_a, learner_ref="A23-0001", version=2)
    with Session(learners) as session:
        assert session.exec(select(LearnerReadiness)).all() == []
        assert session.exec(select(AuditLog.action).order_by(AuditLog.id)).all()[-1] == (
            "delete_learner_readiness"
        )
    with pytest.raises(SaveRefused, match="no longer exists"):  # cleared since it was opened
        _save(learners, _ready("A23-0001"), uni_a, version=2)


def test_an_hei_is_refused_another_heis_learner_as_if_it_did_not_exist(learners: Engine) -> None:
    uni_a = hei_user(learners, "UNI-A")
    with pytest.raises(SaveRefused) as other:
        _save(learners, _ready("B24-0001"), uni_a)
    with pytest.raises(SaveRefused) as nowhere:
        _save(learners, _ready("NOBODY-1"), uni_a)
    same = [p.replace("NOBODY-1", "B24-0001") for p in nowhere.value.problems]
    assert other.value.problems == same  # nothing says the learner exists elsewhere
    assert "no learner with this reference in your HEI's records" in other.value.problems[0]
    _save(learners, _ready("B24-0001"), hei_user(learners, "UNI-B"))
    with session_scope(learners) as session, pytest.raises(SaveRefused):
        delete_readiness(session, principal=uni_a, learner_ref="B24-0001", version=1)
    assert "B24-0001" not in set(_register(learners, uni_a)["learner_ref"])


def test_coordinators_read_every_heis_learners_but_do_not_edit(learners: Engine) -> None:
    _save(learners, _ready("B24-0001"), SYSTEM)  # administrators (the command line) may
    frame = _register(learners, COORDINATOR)
    assert sorted(frame["learner_ref"]) == ["A23-0001", "A23-0002", "B23-0002", "B24-0001"]
    assert list(_register(learners, COORDINATOR, hei=["UNI-B"])["learner_ref"]) == [
        "B23-0002",
        "B24-0001",
    ]
    assert list(_register(learners, COORDINATOR, status=["ready"])["learner_ref"]) == ["B24-0001"]
    with pytest.raises(AccessDenied):
        _save(learners, _ready("A23-0001"), COORDINATOR)
    with pytest.raises(AccessDenied):
        _register(learners, COLLABORATIVE)


def test_values_obey_the_importers_rules(learners: Engine) -> None:
    uni_a = hei_user(learners, "UNI-A")
    with pytest.raises(SaveRefused) as refused:
        _save(learners, ReadinessInput("A23-0001", note="x" * 501), uni_a)
    assert any(p.startswith("note:") and "at most 500" in p for p in refused.value.problems)


def test_statuses_and_the_home_card_on_a_given_day(learners: Engine) -> None:
    uni_a = hei_user(learners, "UNI-A")
    soon = ReadinessInput("A23-0002", date(2027, 9, 1), date(2027, 1, 10), date(2027, 6, 1))
    _save(learners, _ready("A23-0001"), uni_a)
    _save(learners, soon, uni_a)
    frame = _register(learners, uni_a).set_index("learner_ref")
    assert frame.at["A23-0002", "readiness_status"] == "expiring"  # within 60 days
    assert frame.at["A23-0002", "first_to_expire"] == "occupational_health"
    later = _register(learners, uni_a, horizon=date(2027, 1, 5)).set_index("learner_ref")
    assert later.at["A23-0002", "readiness_status"] == "ready"
    with Session(learners) as session:
        card = readiness_attention(session, principal=uni_a, today=TODAY)
    assert list(card["learner_ref"]) == ["A23-0002"]


def test_an_import_is_all_or_nothing_and_refuses_another_heis_learners(learners: Engine) -> None:
    uni_a = hei_user(learners, "UNI-A")
    report = rejected(
        learners,
        "readiness",
        csv(
            HEADER
            + "A23-0001,2027-09-01,2027-06-30,2027-03-31,\n"  # fine on its own
            + "B24-0001,2027-09-01,2027-06-30,2027-03-31,\n"  # UNI-B's learner
            + "A23-0002,2027-02-30,,2027-03-31,\n"
            + "A23-0001,2027-09-01,2027-06-30,2027-03-31,"
        ),
        uni_a,
    )
    assert where(report) == {(3, "learner_ref"), (4, "dbs_valid_until"), (5, "learner_ref")}
    with Session(learners) as session:
        assert session.exec(select(LearnerReadiness)).all() == []
    fine = run(learners, "readiness", csv(HEADER + "A23-0001,2027-09-01,,2027-03-31,"), uni_a)
    assert fine.added == 1
    again = run(learners, "readiness", csv(HEADER + "A23-0001,2027-09-01,,2027-03-31,"), uni_a)
    assert again.unchanged == 1
    with pytest.raises(AccessDenied):
        run(learners, "readiness", csv(HEADER), COORDINATOR)
    no_dates = rejected(learners, "readiness", csv("learner_ref,note\nA23-0001,x"), uni_a)
    assert where(no_dates) == {(1, "dbs_valid_until")}
