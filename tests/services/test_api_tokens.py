"""API tokens on a real database: hashed at rest, HEI-bound, revocable, audited."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from tracker.access import SYSTEM, AccessDenied, Principal
from tracker.models import ApiToken, AuditLog, Organisation, Role
from tracker.services.api_tokens import (
    TokenError,
    TokenRefused,
    TokenScope,
    authenticate_token,
    create_api_token,
    list_api_tokens,
    revoke_api_token,
    token_hash,
)


@pytest.fixture
def heis(session: Session) -> None:
    session.add(Organisation(code="UNI-A", name="Northbrook University", kind="hei", place="B"))
    session.add(Organisation(code="UNI-B", name="Southgate University", kind="hei", place="C"))
    session.add(Organisation(code="TRUST1", name="A Trust", kind="nhs_trust", place="S"))
    session.commit()


def test_only_the_hash_of_a_token_is_stored(session: Session, heis: None) -> None:
    new = create_api_token(session, hei_code="UNI-A", scope="read", actor=SYSTEM)
    session.commit()
    row = session.get(ApiToken, new.token_id)
    assert row is not None
    assert row.token_hash == token_hash(new.secret) != new.secret
    stored = " ".join(str(v) for v in row.model_dump().values())
    assert new.secret not in stored
    audit = session.exec(select(AuditLog).where(AuditLog.action == "api_token.create")).all()
    assert new.secret not in str([(a.old, a.new, a.detail) for a in audit])
    assert "token_hash" not in list_api_tokens(session, actor=SYSTEM)[0]


def test_a_token_acts_as_its_hei_with_its_scope(session: Session, heis: None) -> None:
    new = create_api_token(session, hei_code="UNI-B", scope=TokenScope.WRITE, actor=SYSTEM)
    holder = authenticate_token(session, new.secret)
    hei_b = session.exec(select(Organisation).where(Organisation.code == "UNI-B")).one()
    assert holder.principal.role is Role.HEI
    assert (holder.principal.hei_id, holder.principal.hei_code) == (hei_b.id, "UNI-B")
    assert holder.scope is TokenScope.WRITE
    session.commit()
    assert session.get(ApiToken, new.token_id).last_used_at is not None  # type: ignore[union-attr]


def test_a_revoked_token_is_refused_and_the_revocation_audited(
    session: Session, heis: None
) -> None:
    new = create_api_token(session, hei_code="UNI-A", scope="write", actor=SYSTEM)
    revoke_api_token(session, token_id=new.token_id, actor=SYSTEM)
    revoke_api_token(session, token_id=new.token_id, actor=SYSTEM)  # twice: no second row
    session.commit()
    with pytest.raises(TokenRefused):
        authenticate_token(session, new.secret)
    actions = session.exec(
        select(AuditLog.action, AuditLog.entity_id).order_by(col(AuditLog.id))
    ).all()
    assert actions == [
        ("api_token.create", str(new.token_id)),
        ("api_token.revoke", str(new.token_id)),
    ]


@pytest.mark.parametrize(
    "presented",
    ["", "Bearer", "trk_", "trk_1", "trk_1_", "trk_x_abc", "trk_99_abc", "trk_１_abc", "\udcff"],
)
def test_unknown_or_malformed_tokens_are_refused(
    session: Session, heis: None, presented: str
) -> None:
    create_api_token(session, hei_code="UNI-A", scope="read", actor=SYSTEM)
    with pytest.raises(TokenRefused):
        authenticate_token(session, presented)


def test_a_guessed_secret_for_a_real_id_is_refused(session: Session, heis: None) -> None:
    new = create_api_token(session, hei_code="UNI-A", scope="read", actor=SYSTEM)
    with pytest.raises(TokenRefused):
        authenticate_token(session, new.secret[:-1] + ("A" if new.secret[-1] != "A" else "B"))


def test_only_administrators_manage_tokens_and_only_for_heis(session: Session, heis: None) -> None:
    coordinator = Principal(username="cora", role=Role.COORDINATOR, user_id=2)
    with pytest.raises(AccessDenied):
        create_api_token(session, hei_code="UNI-A", scope="read", actor=coordinator)
    with pytest.raises(TokenError, match="not the code of an HEI"):
        create_api_token(session, hei_code="TRUST1", scope="read", actor=SYSTEM)
    with pytest.raises(TokenError, match="Scope"):
        create_api_token(session, hei_code="UNI-A", scope="admin", actor=SYSTEM)
    with pytest.raises(TokenError, match="no API token"):
        revoke_api_token(session, token_id=12345, actor=SYSTEM)
    assert session.exec(select(ApiToken)).all() == []
