"""Single sign-on accounts as services: pending, approved, granted by rule, refused approvals,
and the claims mapping's checks (the provider itself is exercised in tests/oidc)."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from tracker.access import Principal
from tracker.models import AuditLog, Organisation, OrgKind, Role, SsoIdentity
from tracker.queries.users import pending_sso_frame
from tracker.refusals import Refused
from tracker.services.sso import ProviderClaims, approve_sso_account, sso_sign_in
from tracker.services.sso_rules import parse_claim_rules
from tracker.services.users import authenticate

ADMIN = Principal(username="admin", role=Role.ADMIN, user_id=None)
COORDINATOR = Principal(username="coord", role=Role.COORDINATOR, user_id=None)


def _claims(subject: str = "s-1", **claims: object) -> ProviderClaims:
    return ProviderClaims.from_token({"iss": "https://idp.example", "sub": subject, **claims})


def _hei(session: Session, code: str = "UNI-A") -> None:
    session.add(Organisation(code=code, name=code, kind=OrgKind.HEI.value, place="Leeds"))
    session.flush()


def test_pending_accounts_are_listed_and_approved_once(session: Session) -> None:
    _hei(session)
    assert sso_sign_in(session, _claims(email="Ann@Uni-A.example", name="Ann")).principal is None
    frame = pending_sso_frame(session, principal=ADMIN)
    assert frame[["email", "name"]].values.tolist() == [["ann@uni-a.example", "Ann"]]
    identity_id = int(frame["id"].iloc[0])
    with pytest.raises(Refused, match="HEI user must be bound"):
        approve_sso_account(
            session, identity_id=identity_id, role="hei", hei_code=None, actor=ADMIN
        )
    with pytest.raises(PermissionError):
        approve_sso_account(
            session, identity_id=identity_id, role="hei", hei_code="UNI-A", actor=COORDINATOR
        )
    user = approve_sso_account(
        session, identity_id=identity_id, role="hei", hei_code="UNI-A", actor=ADMIN
    )
    assert (
        user.username == "ann@uni-a.example" and pending_sso_frame(session, principal=ADMIN).empty
    )
    with pytest.raises(Refused, match="already has access"):
        approve_sso_account(
            session, identity_id=identity_id, role="coordinator", hei_code=None, actor=ADMIN
        )
    signed_in = sso_sign_in(session, _claims(email="ann@uni-a.example"))
    assert signed_in.principal is not None and signed_in.principal.hei_code == "UNI-A"


def test_an_sso_account_never_signs_in_with_a_password(session: Session) -> None:
    sso_sign_in(session, _claims(email="b@trust.example"))
    identity = session.exec(select(SsoIdentity)).one()
    approve_sso_account(
        session, identity_id=identity.id or 0, role="coordinator", hei_code=None, actor=ADMIN
    )
    for password in ("", "!sso-only", "sso-only"):
        assert authenticate(session, "b@trust.example", password, demo_mode=False).principal is None


def test_a_rule_naming_a_missing_hei_grants_nothing_and_says_so(session: Session) -> None:
    rules = parse_claim_rules(json.dumps([{"domain": "uni-z.example", "role": "hei", "hei": "Z"}]))
    result = sso_sign_in(session, _claims(email="x@uni-z.example"), rules=rules)
    assert result.principal is None
    failed = session.exec(select(AuditLog).where(AuditLog.action == "sso.rule_failed")).one()
    assert "not the code of an HEI" in (failed.detail or "")


def test_a_new_identity_does_not_take_over_a_local_account_of_the_same_name(
    session: Session,
) -> None:
    from tracker.services.users import create_user

    create_user(session, username="c@uni-a.example", password="local-password-1", role="admin")
    rules = parse_claim_rules(json.dumps([{"domain": "uni-a.example", "role": "coordinator"}]))
    result = sso_sign_in(session, _claims(email="c@uni-a.example"), rules=rules)
    assert result.principal is not None
    assert result.principal.username == "c@uni-a.example~2"
    assert result.principal.role is Role.COORDINATOR


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ("{", "not valid JSON"),
        ('{"group": "g"}', "JSON list"),
        ('[{"group": "g", "domain": "d", "role": "admin"}]', "either a group or"),
        ('[{"group": "g", "role": "boss"}]', "not a role"),
        ('[{"domain": "d", "role": "hei"}]', "name their HEI"),
        ('[{"group": "g", "role": "admin", "hei": "UNI-A"}]', "name their HEI"),
        ('[{"group": "", "role": "admin"}]', "non-empty text"),
        ('[{"group": "g", "role": "admin", "extra": 1}]', "give an object"),
    ],
)
def test_bad_claims_rules_stop_the_start(rules: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_claim_rules(rules)
