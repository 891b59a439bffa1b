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


def _trust(session: Session, code: str = "TRUST-1") -> None:
    session.add(Organisation(code=code, name="Trust one", kind="nhs_trust", place="Leeds"))
    session.flush()


def test_a_placement_provider_account_comes_by_rule_or_approval_with_its_organisation(
    session: Session,
) -> None:
    """A claims rule or an administrator's approval names the provider's organisation; the
    account then reads that organisation's settings only, and a missing organisation (or an
    HEI named as one) grants nothing."""
    _trust(session)
    _hei(session)
    rules = parse_claim_rules(
        json.dumps(
            [
                {"group": "trust-staff", "role": "provider", "organisation": "TRUST-1"},
                {"group": "gone", "role": "provider", "organisation": "NOPE"},
            ]
        )
    )
    assert rules[0].describe() == "group trust-staff → Placement provider of TRUST-1"
    by_rule = sso_sign_in(
        session, _claims("s-1", email="p@t1.example", groups=["trust-staff"]), rules=rules
    )
    assert by_rule.principal is not None and by_rule.principal.role is Role.PROVIDER
    trust = session.exec(select(Organisation).where(Organisation.code == "TRUST-1")).one()
    assert by_rule.principal.organisation_id == trust.id
    missing = sso_sign_in(
        session, _claims("s-2", email="q@t1.example", groups=["gone"]), rules=rules
    )
    assert missing.principal is None
    identity = session.exec(select(SsoIdentity).where(SsoIdentity.subject == "s-2")).one()
    with pytest.raises(Refused, match="must belong to a provider organisation"):
        approve_sso_account(
            session, identity_id=identity.id or 0, role="provider", hei_code=None, actor=ADMIN
        )
    with pytest.raises(Refused, match="not the code of a provider organisation"):
        approve_sso_account(
            session,
            identity_id=identity.id or 0,
            role="provider",
            hei_code=None,
            actor=ADMIN,
            organisation_code="UNI-A",
        )
    user = approve_sso_account(
        session,
        identity_id=identity.id or 0,
        role="provider",
        hei_code=None,
        actor=ADMIN,
        organisation_code="TRUST-1",
    )
    assert user.organisation_id == trust.id
    grant = session.exec(
        select(AuditLog).where(
            AuditLog.action == "sso.grant", AuditLog.entity_id == str(identity.id)
        )
    ).one()
    assert (grant.new or {}).get("organisation") == "TRUST-1"


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
        ('[{"group": "g", "role": "provider"}]', "name their organisation"),
        (
            '[{"group": "g", "role": "coordinator", "organisation": "T1"}]',
            "name their organisation",
        ),
    ],
)
def test_bad_claims_rules_stop_the_start(rules: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_claim_rules(rules)
