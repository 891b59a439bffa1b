"""Audit log and user reads: administrators only, newest first, filterable, no hashes."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tracker.access import AccessDenied, Principal
from tracker.models import Organisation, Role
from tracker.queries.audit import audit_actions, audit_frame
from tracker.queries.users import users_frame
from tracker.services.audit import record_audit
from tracker.services.users import create_user

ADMIN = Principal("root", Role.ADMIN)


def test_audit_log_is_admin_only_newest_first_and_filterable(session: Session) -> None:
    record_audit(session, ADMIN, "import", entity="learners", new={"added": 3})
    record_audit(session, Principal("c", Role.COORDINATOR), "capacity.edit", old={"x": 1})
    session.commit()
    frame = audit_frame(session, principal=ADMIN)
    assert frame["action"].tolist() == ["capacity.edit", "import"]
    assert frame.loc[1, "new"] == '{"added": 3}'
    only = audit_frame(session, principal=ADMIN, actions=("import",), username="root")
    assert only["action"].tolist() == ["import"]
    assert audit_actions(session, principal=ADMIN) == [
        {"label": "Capacity edit", "value": "capacity.edit"},
        {"label": "File imported", "value": "import"},
    ]
    assert frame.loc[1, "new_text"] == "Added: 3"  # what the page shows; the JSON downloads
    record_audit(
        session,
        ADMIN,
        "allocation.run.create",
        entity="allocation_run",
        new={
            "scope": {"blocks": ["2026-B1"], "programmes": []},
            "policy": {"fair_share_between_heis": True, "max_distance_km": None},
            "capacity_changes": [],
        },
    )
    session.commit()
    run = audit_frame(session, principal=ADMIN, actions=("allocation.run.create",))
    assert run.loc[0, "new_text"] == (
        "Scope: blocks 2026-B1, programmes hosted none; Policy: fair share between heis yes, "
        "max distance km none; Capacity changes: none"
    )
    assert not set('{}[]"') & set(run.loc[0, "new_text"])  # no JSON on the page
    record_audit(session, ADMIN, "user.create", new={"username": "hei", "role": "hei"})
    session.commit()
    added = audit_frame(session, principal=ADMIN, actions=("user.create",))
    assert added.loc[0, "new_text"] == "User: hei; Role: HEI user"  # names kept, codes worded
    with pytest.raises(AccessDenied):
        audit_frame(session, principal=Principal("c", Role.COORDINATOR))


def test_users_table_shows_bindings_but_never_hashes(session: Session) -> None:
    session.add(Organisation(code="UNI-A", name="A", kind="hei", place="P"))
    session.flush()
    create_user(session, username="h", password="0123456789", role="hei", hei_code="UNI-A")
    frame = users_frame(session, principal=ADMIN)
    assert frame.loc[0, "hei"] == "UNI-A"
    assert "password_hash" not in frame.columns
    assert not frame.astype(str).apply(lambda c: c.str.contains("scrypt")).any().any()
    with pytest.raises(AccessDenied):
        users_frame(session, principal=Principal("x", Role.COLLABORATIVE))
