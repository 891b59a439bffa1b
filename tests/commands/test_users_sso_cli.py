"""``users pending`` and ``users approve``: the first administrator of a deployment whose
local passwords are switched off, from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.commands.conftest import command_on, file_database
from tracker.models import AuditLog, Organisation, SsoIdentity, User
from tracker.services.sso import ProviderClaims, sso_sign_in


def test_pending_accounts_are_listed_and_approved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = file_database(tmp_path)
    with Session(engine) as session:
        claims = {"iss": "https://idp.example", "sub": "a-1", "email": "root@trust.example"}
        sso_sign_in(session, ProviderClaims.from_token(claims))
        session.commit()
        identity_id = session.exec(select(SsoIdentity)).one().id
    invoke = command_on("users", url, tmp_path, monkeypatch)
    listed = invoke("pending")
    assert listed.exit_code == 0 and "root@trust.example" in listed.output
    assert listed.output.split()[0] == str(identity_id)
    refused = invoke("approve", str(identity_id), "--role", "hei")
    assert refused.exit_code == 1 and "must be bound to an HEI" in refused.output
    approved = invoke("approve", str(identity_id), "--role", "admin")
    assert approved.exit_code == 0, approved.output
    assert "'root@trust.example' can now sign in as admin." in approved.output
    with Session(engine) as session:
        user = session.exec(select(User)).one()
        assert user.role == "admin"
        grant = session.exec(select(AuditLog).where(AuditLog.action == "sso.grant")).one()
        assert grant.username == "system" and grant.detail == "approved by system"
    assert invoke("pending").output == ""
    engine.dispose()


def test_a_waiting_account_is_approved_as_a_placement_provider_of_its_organisation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = file_database(tmp_path)
    with Session(engine) as session:
        session.add(Organisation(code="TRUST-1", name="Trust one", kind="nhs_trust", place="X"))
        claims = {"iss": "https://idp.example", "sub": "p-1", "email": "ward@trust.example"}
        sso_sign_in(session, ProviderClaims.from_token(claims))
        session.commit()
        identity_id = session.exec(select(SsoIdentity)).one().id
        trust_id = session.exec(select(Organisation.id)).one()
    invoke = command_on("users", url, tmp_path, monkeypatch)
    refused = invoke("approve", str(identity_id), "--role", "provider")
    assert refused.exit_code == 1 and "provider organisation" in refused.output
    approved = invoke(
        "approve", str(identity_id), "--role", "provider", "--organisation", "TRUST-1"
    )
    assert approved.exit_code == 0, approved.output
    with Session(engine) as session:
        user = session.exec(select(User)).one()
        assert user.role == "provider" and user.organisation_id == trust_id
    engine.dispose()
