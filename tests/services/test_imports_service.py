"""The import service: preview writes nothing, an import writes its rows and one audit row."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

import tracker.data.importers
from tracker.access import SYSTEM
from tracker.data.importers import ImportRejected, read_table
from tracker.db import session_scope
from tracker.models import AuditLog, Organisation
from tracker.refusals import Refused
from tracker.services.imports import apply_import, preview_import

HEADER = b"code,name,kind,place\n"
ORGS = HEADER + b"UNI-A,University A,hei,Northtown\nTRUST-1,Trust One,nhs_trust,Northtown\n"


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_preview_reports_what_the_import_would_do_and_writes_nothing(engine: Engine) -> None:
    frame = read_table("organisations.csv", ORGS)
    with session_scope(engine) as session:
        report = preview_import(session, SYSTEM, "organisations", frame)
    assert report.ok and report.added == 2
    assert _count(engine, Organisation) == 0 and _count(engine, AuditLog) == 0


def test_an_import_writes_its_rows_and_one_audit_row_in_one_transaction(engine: Engine) -> None:
    frame = read_table("organisations.csv", ORGS)
    with session_scope(engine) as session:
        report = apply_import(session, SYSTEM, "organisations", frame)
    assert report.added == 2 and _count(engine, Organisation) == 2
    with Session(engine) as session:
        audit = session.exec(select(AuditLog)).one()
    assert audit.action == "import" and audit.entity == "organisations"
    assert audit.new is not None and sorted(audit.new["added_keys"]) == ["TRUST-1", "UNI-A"]

    # The caller's transaction holds both: rolled back, neither the rows nor the audit stay.
    again = read_table("organisations.csv", HEADER + b"UNI-B,University B,hei,Southvale\n")
    with Session(engine) as session:
        apply_import(session, SYSTEM, "organisations", again)
        session.rollback()
    assert _count(engine, Organisation) == 2 and _count(engine, AuditLog) == 1


def test_a_rejected_import_is_a_refusal_and_writes_nothing(engine: Engine) -> None:
    bad = read_table("organisations.csv", HEADER + b"UNI-A,University A,castle,Northtown\n")
    with session_scope(engine) as session, pytest.raises(ImportRejected) as caught:
        apply_import(session, SYSTEM, "organisations", bad)
    assert isinstance(caught.value, Refused) and caught.value.report.problems
    assert _count(engine, Organisation) == 0 and _count(engine, AuditLog) == 0


def test_the_importers_do_not_import_services() -> None:
    """Arrows point down: the importers plan; the service applies and audits."""
    offenders = []
    for path in Path(tracker.data.importers.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("tracker.services")]
    assert offenders == []
