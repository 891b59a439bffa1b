"""The import preview is no existence oracle: another HEI's records read as records that do not
exist, in the preview and in the import, for every importer that looks rows up."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tracker.access import SYSTEM, Principal
from tracker.data.importers import KINDS, ImportRejected, read_table
from tracker.db import session_scope
from tracker.models import Organisation, Role
from tracker.services.imports import apply_import, preview_import

FILES = Path(__file__).parent / "files"


@pytest.fixture
def uni_a(engine: Engine) -> Principal:
    """Two HEIs' example records loaded; a user of the first."""
    for kind in KINDS:
        frame = read_table(f"{kind}.csv", (FILES / f"{kind}.csv").read_bytes())
        with session_scope(engine) as session:
            apply_import(session, SYSTEM, kind, frame)
    with Session(engine) as session:
        org = session.exec(select(Organisation).where(Organisation.code == "UNI-A")).one()
    return Principal(username="uni-a", role=Role.HEI, hei_id=org.id, hei_code="UNI-A")


def _said(engine: Engine, principal: Principal, kind: str, text: str) -> list[tuple[str, str]]:
    """(column, message) of every problem, from the preview and again from the import."""
    frame = read_table(f"{kind}.csv", text.encode())
    with Session(engine) as session:
        preview = preview_import(session, principal, kind, frame)
    with session_scope(engine) as session, pytest.raises(ImportRejected) as caught:
        apply_import(session, principal, kind, frame)
    told = [(p.column, p.message) for p in preview.problems]
    assert told == [(p.column, p.message) for p in caught.value.report.problems]
    return told


def test_another_heis_learner_reads_as_an_unknown_reference(
    engine: Engine, uni_a: Principal
) -> None:
    header = "learner_ref,date,event,reason\n"
    # B24-0001 is UNI-B's (started 2024-01-22); ZZ-404 exists nowhere. Each row would meet a
    # different check if the learner were looked up: before the start, a duplicate start, an
    # event already recorded with another reason.
    for tail in (",2024-02-01,interrupted,", ",2023-01-01,started,", ",2024-01-22,started,"):
        theirs = _said(engine, uni_a, "learner-events", header + "B24-0001" + tail)
        unknown = _said(engine, uni_a, "learner-events", header + "ZZ-404" + tail)
        assert theirs == unknown
        assert unknown == [
            (
                "learner_ref",
                "no learner with this reference in your HEI's records; import learners first",
            )
        ]
    staff = _said(engine, SYSTEM, "learner-events", header + "ZZ-404,2024-02-01,interrupted,")
    assert staff == [("learner_ref", "no learner with this reference; import learners first")]


def test_another_heis_cohorts_are_not_looked_up(engine: Engine, uni_a: Principal) -> None:
    learners = "learner_ref,hei,programme,intake,start_date\nA-NEW-1,UNI-B,BSC-ADULT,{},2024-01-22"
    # UNI-B runs BSC-ADULT from 2024-01; it has no 2030-01 intake.
    exists = _said(engine, uni_a, "learners", learners.format("2024-01"))
    absent = _said(engine, uni_a, "learners", learners.format("2030-01"))
    assert exists == absent == [("hei", "you may only import your own HEI's learners")]

    requests = "request_id,hei,programme,block,learners,intake\nREQ-NEW,UNI-B,NA-APP,2025-B2,1,{}"
    exists = _said(engine, uni_a, "requests", requests.format("2023-09"))
    absent = _said(engine, uni_a, "requests", requests.format("2030-09"))
    assert exists == absent == [("hei", "you may only import your own HEI's requests")]
    # Without an intake, the cohort begun by the block is not looked up either.
    no_intake = "request_id,hei,programme,block,learners\nREQ-NEW,UNI-B,{},2025-B1,1"
    assert _said(engine, uni_a, "requests", no_intake.format("NA-APP")) == _said(
        engine, uni_a, "requests", no_intake.format("BSC-PHYSIO")
    )


def test_a_reference_taken_by_another_hei_says_nothing_about_its_record(
    engine: Engine, uni_a: Principal
) -> None:
    """Learner and request references are unique system-wide, so one another HEI uses cannot
    be imported; the refusal is one sentence whatever that HEI's record holds."""
    row = "learner_ref,hei,programme,intake,start_date\nB24-0001,UNI-A,BSC-ADULT,2023-09,{}"
    # 2025-01-01 comes after B24-0001's first event, 2023-09-18 before it.
    after = _said(engine, uni_a, "learners", row.format("2025-01-01"))
    before = _said(engine, uni_a, "learners", row.format("2023-09-18"))
    taken = "this learner reference cannot be used for your HEI's records; choose another"
    assert after == before == [("learner_ref", taken)]

    request = "request_id,hei,programme,block,learners\n{},UNI-A,BSC-ADULT,2025-B1,1"
    theirs = _said(engine, uni_a, "requests", request.format("REQ-B-ADULT-B1"))
    assert theirs == [
        ("request_id", "this request id cannot be used for your HEI's records; choose another")
    ]
