"""The users service on a real database: hashing, binding, lock-out, demo accounts."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tracker.access import Principal
from tracker.models import Organisation, Role, User
from tracker.services.users import (
    UserError,
    authenticate,
    create_demo_accounts,
    create_user,
    set_active,
)


@pytest.fixture
def hei(session: Session) -> Organisation:
    org = Organisation(code="UNI-A", name="Northbrook University", kind="hei", place="Birmingham")
    session.add(org)
    session.add(Organisation(code="TRUST1", name="A Trust", kind="nhs_trust", place="Solihull"))
    session.commit()
    return org


def test_passwords_are_hashed_and_checked(session: Session, hei: Organisation) -> None:
    user = create_user(session, username="ana", password="correct horse", role="coordinator")
    session.commit()
    assert "correct horse" not in user.password_hash
    ok = authenticate(session, "ana", "correct horse", demo_mode=False)
    assert ok.principal is not None
    assert ok.principal.role is Role.COORDINATOR
    assert authenticate(session, "ana", "wrong horse!", demo_mode=False).principal is None


def test_hei_users_must_be_bound_to_an_hei(session: Session, hei: Organisation) -> None:
    with pytest.raises(UserError, match="bound to an HEI"):
        create_user(session, username="h", password="0123456789", role="hei")
    with pytest.raises(UserError, match="not the code of an HEI"):
        create_user(session, username="h", password="0123456789", role="hei", hei_code="TRUST1")
    user = create_user(session, username="h", password="0123456789", role="hei", hei_code="UNI-A")
    assert user.hei_id == hei.id
    with pytest.raises(UserError, match="Only users with the hei role"):
        create_user(session, username="c", password="0123456789", role="admin", hei_code="UNI-A")


def test_short_passwords_and_duplicates_are_refused(session: Session, hei: Organisation) -> None:
    with pytest.raises(UserError, match="at least"):
        create_user(session, username="x", password="short", role="admin")
    create_user(session, username="x", password="long enough", role="admin")
    with pytest.raises(UserError, match="already exists"):
        create_user(session, username="x", password="long enough", role="admin")


def test_repeated_failures_lock_the_account(session: Session, hei: Organisation) -> None:
    create_user(session, username="bo", password="right password", role="admin")
    for _ in range(3):
        assert authenticate(session, "bo", "nope", demo_mode=False, max_failed=3).principal is None
    locked = authenticate(session, "bo", "right password", demo_mode=False, max_failed=3)
    assert locked.principal is None
    assert "Too many failed attempts" in locked.message


def test_demo_accounts_only_work_in_demo_mode(session: Session, hei: Organisation) -> None:
    accounts = create_demo_accounts(session)
    session.commit()
    assert {a.role for a in accounts} == set(Role)
    hei_account = next(a for a in accounts if a.role is Role.HEI)
    assert hei_account.hei_code == "UNI-A"
    refused = authenticate(session, "admin", "demo-admin-pass", demo_mode=False)
    assert refused.principal is None
    assert "demo" in refused.message.lower()
    assert authenticate(session, "admin", "demo-admin-pass", demo_mode=True).principal is not None


def test_deactivated_users_cannot_sign_in(session: Session, hei: Organisation) -> None:
    create_user(session, username="admin1", password="admin password", role="admin")
    create_user(session, username="cy", password="cy password!", role="collaborative")
    actor = Principal("admin1", Role.ADMIN)
    set_active(session, username="cy", active=False, actor=actor)
    assert authenticate(session, "cy", "cy password!", demo_mode=False).principal is None
    with pytest.raises(UserError, match="your own account"):
        set_active(session, username="admin1", active=False, actor=actor)
    assert session.get(User, 1) is not None
