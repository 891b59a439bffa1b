"""The audits import: every bad cell named, nothing written unless the whole file is clean."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.data.test_importers import csv, hei_user, load_examples, rejected, run, where
from tracker.access import AccessDenied
from tracker.models import EducationalAudit

HEADER = "setting_id,audited_on,outcome,expires_on,programmes,action_plan,action_due_on\n"


def test_a_file_with_any_bad_row_is_refused_whole_with_every_problem(engine: Engine) -> None:
    load_examples(engine, upto="audits")
    before = run(engine, "audits", csv(HEADER + "T1-WARD12,2025-03-10,approved,2027-03-10,*,,"))
    assert before.unchanged == 1
    report = rejected(
        engine,
        "audits",
        csv(
            HEADER
            + "T1-WARD12,2026-01-05,approved,2028-01-05,BSC-ADULT,,\n"  # fine on its own
            + "NOWHERE,2025-01-01,approved,2027-01-01,*,,\n"
            + "T1-PHYSIO,2025-01-01,maybe,2024-01-01,*;BSC-ADULT,,\n"
            + "GP1-MAIN,2025-01-01,approved_with_actions,2027-01-01,ADULT NURSING,,\n"
            + "GP1-MAIN,2025-01-01,approved,2027-01-01,dentistry,,"
        ),
    )
    assert where(report) == {
        (3, "setting_id"),
        (4, "outcome"),
        (4, "expires_on"),
        (4, "programmes"),
        (5, "action_plan"),
        (6, "audited_on"),  # the same setting and day twice
        (6, "programmes"),
    }
    with Session(engine) as session:
        assert len(session.exec(select(EducationalAudit)).all()) == 4  # the examples only


def test_reimporting_an_audit_changes_it_in_place(engine: Engine) -> None:
    load_examples(engine, upto="audits")
    report = run(engine, "audits", csv(HEADER + "T1-WARD12,2025-03-10,approved,2027-09-10,*,,"))
    assert (report.added, report.changed) == (0, 1)
    with Session(engine) as session:
        audit = session.exec(
            select(EducationalAudit).where(EducationalAudit.expires_on == date(2027, 9, 10))
        ).one()
        assert audit.version == 2


def test_heis_may_not_import_audits(engine: Engine) -> None:
    load_examples(engine, upto="audits")
    with pytest.raises(AccessDenied):
        run(engine, "audits", csv(HEADER), hei_user(engine))
