"""The users service on a real database: hashing, binding, lock-out, demo accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from werkzeug.security import check_password_hash

import tracker.services.users as users_service
from tracker.access import Principal
from tracker.models import Organisation, Role, User
from tracker.services.sign_in_throttle import ThrottlePolicy, record_failure, throttle_wait_until
from tracker.services.users import (
    SIGN_IN_REFUSED,
    SignInResult,
    UserError,
    authenticate,
    create_demo_accounts,
    create_user,
    demo_account_lines,
    set_active,
    set_password,
    sign_out,
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


def test_repeated_failures_make_only_that_address_wait(
    session: Session, hei: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No lock-out a stranger can impose: failures from one address slow down that address's
    attempts at that account, with waits that double, and the owner elsewhere signs in."""
    create_user(session, username="bo", password="right password", role="admin")
    clock = _Clock(monkeypatch)
    for _ in range(3):
        refused = authenticate(session, "bo", "nope", demo_mode=False, client="203.0.113.9")
        assert refused == SignInResult(None, SIGN_IN_REFUSED)
    waiting = authenticate(session, "bo", "right password", demo_mode=False, client="203.0.113.9")
    assert waiting == SignInResult(None, SIGN_IN_REFUSED)
    elsewhere = authenticate(session, "bo", "right password", demo_mode=False, client="10.0.0.7")
    assert elsewhere.principal is not None
    clock.advance(seconds=2.5)  # past the first wait (2 s), but the attempt while waiting was
    # the 4th failure: the wait doubled to 4 s from then, and this 5th makes it 8 s from now
    assert authenticate(session, "bo", "right password", demo_mode=False, client="203.0.113.9") == (
        SignInResult(None, SIGN_IN_REFUSED)
    )
    clock.advance(seconds=8.5)
    again = authenticate(session, "bo", "right password", demo_mode=False, client="203.0.113.9")
    assert again.principal is not None
    # a success forgets that address's failures
    assert (
        authenticate(session, "bo", "nope", demo_mode=False, client="203.0.113.9").principal is None
    )
    assert authenticate(
        session, "bo", "right password", demo_mode=False, client="203.0.113.9"
    ).principal


def test_waits_double_after_the_free_attempts_up_to_a_cap() -> None:
    policy = ThrottlePolicy(free_attempts=3, first_wait_seconds=2, max_wait_seconds=60)
    waits = [policy.wait_after(n).total_seconds() for n in range(1, 10)]
    assert waits == [0, 0, 2, 4, 8, 16, 32, 60, 60]
    assert policy.wait_after(10_000).total_seconds() == 60


def test_failures_are_counted_per_username_and_address(session: Session) -> None:
    """One upsert per failure on SQLite and PostgreSQL; unknown usernames are counted too."""
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    policy = ThrottlePolicy()
    counts = [
        record_failure(session, username="nobody", client="a", now=now, policy=policy)
        for _ in range(4)
    ]
    assert counts == [1, 2, 3, 4]
    assert record_failure(session, username="nobody", client="b", now=now, policy=policy) == 1
    assert throttle_wait_until(session, username="nobody", client="a") == now + timedelta(seconds=4)
    assert throttle_wait_until(session, username="nobody", client="b") is None
    later = now + policy.forget_after + timedelta(seconds=1)
    assert record_failure(session, username="nobody", client="a", now=later, policy=policy) == 1


class _Clock:
    """A settable clock for the users service (waits are measured on it, not slept)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        monkeypatch.setattr(users_service, "utcnow", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def test_demo_accounts_only_work_in_demo_mode(session: Session, hei: Organisation) -> None:
    trust = Organisation(code="RTRUST1", name="Trust", kind="nhs_trust", place="Leeds")
    session.add(trust)
    session.flush()
    accounts = create_demo_accounts(session)
    session.commit()
    assert {a.role for a in accounts} == set(Role)
    # the provider accounts whose organisations are not in this register are not made
    assert [a.username for a in accounts if a.role is Role.PROVIDER] == ["provider"]
    provider = authenticate(session, "provider", "demo-provider-pass", demo_mode=True).principal
    assert provider is not None and provider.organisation_id == trust.id
    hei_account = next(a for a in accounts if a.role is Role.HEI)
    assert hei_account.hei_code == "UNI-A"
    refused = authenticate(session, "admin", "demo-admin-pass", demo_mode=False)
    assert refused.principal is None
    assert "demo" in refused.message.lower()
    assert authenticate(session, "admin", "demo-admin-pass", demo_mode=True).principal is not None


def test_the_console_lists_demo_accounts_under_headings_in_words() -> None:
    lines = demo_account_lines("UNI-A")
    assert lines[0].split() == ["Role", "User", "name", "Password", "Sees"]
    assert "Placement coordinator" in lines[2] and "demo-coordinator-pass" in lines[2]
    [hei_line] = [line for line in lines if line.split()[:3] == ["HEI", "user", "hei"]]
    assert hei_line.endswith("HEI UNI-A")
    assert lines[-1].split()[:3] == ["Placement", "provider", "provider-care"]
    assert lines[-1].endswith("organisation CHP01's settings")
    starts = {line.index("demo-") for line in lines[1:]}
    assert len(starts) == 1  # the passwords line up under their heading
    assert lines[0].index("Password") == starts.pop()


def test_deactivated_users_cannot_sign_in(session: Session, hei: Organisation) -> None:
    create_user(session, username="admin1", password="admin password", role="admin")
    create_user(session, username="cy", password="cy password!", role="collaborative")
    actor = Principal("admin1", Role.ADMIN)
    set_active(session, username="cy", active=False, actor=actor)
    refused = authenticate(session, "cy", "cy password!", demo_mode=False)
    assert refused == SignInResult(None, SIGN_IN_REFUSED)
    with pytest.raises(UserError, match="your own account"):
        set_active(session, username="admin1", active=False, actor=actor)
    assert session.get(User, 1) is not None


def _sign_in_cases(session: Session) -> dict[str, tuple[str, str, str]]:
    """(username, password, client) for every kind of refusal."""
    create_user(session, username="dee", password="dee password", role="coordinator")
    create_user(session, username="admin1", password="admin password", role="admin")
    set_active(session, username="dee", active=False, actor=Principal("admin1", Role.ADMIN))
    create_user(session, username="wren", password="wren password", role="coordinator")
    hour = ThrottlePolicy(first_wait_seconds=3600)  # still waiting however slow the machine
    for _ in range(3):
        authenticate(session, "wren", "nope", demo_mode=False, client="198.51.100.1", throttle=hour)
    return {
        "unknown user": ("nobody", "dee password", "198.51.100.1"),
        "wrong password": ("admin1", "wrong password", "198.51.100.1"),
        "deactivated, right password": ("dee", "dee password", "198.51.100.1"),
        "waiting, right password": ("wren", "wren password", "198.51.100.1"),
    }


def test_every_refusal_gives_the_same_answer_after_the_same_work(
    session: Session, hei: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unknown, wrong, deactivated and throttled: one message, one hash check of the same
    kind, and a deactivated or waiting account never has its real hash checked."""
    cases = _sign_in_cases(session)
    real_hashes = {user.password_hash for user in session.exec(select(User))}
    checked: list[str] = []

    def counting_check(pwhash: str, password: str) -> bool:
        checked.append(pwhash)
        return check_password_hash(pwhash, password)

    monkeypatch.setattr(users_service, "check_password_hash", counting_check)
    for case, (username, password, client) in cases.items():
        checked.clear()
        result = authenticate(session, username, password, demo_mode=False, client=client)
        assert result == SignInResult(None, SIGN_IN_REFUSED), case
        assert len(checked) == 1, case
        assert checked[0].split("$")[0] == "scrypt:32768:8:1", case
        if case != "wrong password":
            assert checked[0] not in real_hashes, f"{case}: its real password hash was checked"


def test_sign_out_deactivation_and_new_passwords_end_every_session(
    session: Session, hei: Organisation
) -> None:
    """Each raises the user's session generation, which every session must match."""
    create_user(session, username="admin1", password="admin password", role="admin")
    create_user(session, username="eve", password="eve password", role="coordinator")
    signed_in = authenticate(session, "eve", "eve password", demo_mode=False)
    assert signed_in.principal is not None
    generations = [signed_in.generation]
    admin = Principal("admin1", Role.ADMIN)
    sign_out(session, signed_in.principal)
    generations.append(
        session.exec(select(User.session_generation).where(User.username == "eve")).one()
    )
    set_password(session, username="eve", password="new eve password", actor=admin)
    generations.append(
        session.exec(select(User.session_generation).where(User.username == "eve")).one()
    )
    set_active(session, username="eve", active=False, actor=admin)
    generations.append(
        session.exec(select(User.session_generation).where(User.username == "eve")).one()
    )
    assert generations == [0, 1, 2, 3]
