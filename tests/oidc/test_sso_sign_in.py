"""Single sign-on end to end against a real OpenID Connect provider (oidc-provider on node).

Every refusal is checked the same way: the page says what was wrong, the audit log has it,
and there is no session afterwards (the signed-in page redirects to sign-in).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.oidc.conftest import CALLBACK, sso_settings, tracker_server
from tests.oidc.provider import (
    Interceptor,
    Provider,
    sign_in_at_provider,
    token_for_other_client,
)
from tracker.access import Principal
from tracker.models import AuditLog, Organisation, OrgKind, Role, SsoIdentity, User
from tracker.services.sso import PENDING_MESSAGE, approve_sso_account
from tracker.vocabulary import ROLES

ADMIN = Principal(username="admin", role=Role.ADMIN, user_id=None)


def _answer(client: Any, account: str) -> str:
    """Start signing in at the tracker, sign in at the provider, return its answer's URL."""
    start = client.get("/login/sso?next=/whoami")
    assert start.status_code == 302, start.text
    return sign_in_at_provider(start.headers["Location"], account, CALLBACK)


def _sign_in(client: Any, account: str) -> Any:
    return client.get(_answer(client, account))


def _signed_in_as(client: Any) -> str | None:
    page = client.get("/whoami")
    if page.status_code == 302:
        assert page.headers["Location"].startswith("/login")
        return None
    assert page.status_code == 200
    text: str = page.text
    return text


def _actions(engine: Engine) -> list[str]:
    with Session(engine) as db:
        return [row.action for row in db.exec(select(AuditLog).order_by(AuditLog.id))]


def _add_hei(engine: Engine, code: str = "UNI-A") -> None:
    with Session(engine) as db:
        db.add(Organisation(code=code, name="University A", kind=OrgKind.HEI.value, place="Leeds"))
        db.commit()


def test_start_uses_pkce_state_and_nonce(make_client: Callable[..., Any]) -> None:
    start = make_client().get("/login/sso")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert query["response_type"] == ["code"] and "openid" in query["scope"][0].split()


def test_first_sign_in_is_pending_until_an_administrator_approves(
    make_client: Callable[..., Any], engine: Engine
) -> None:
    client = make_client()
    page = _sign_in(client, "bob")
    assert page.status_code == 403
    assert PENDING_MESSAGE in unescape(page.text)
    assert _signed_in_as(client) is None
    with Session(engine) as db:
        identity = db.exec(select(SsoIdentity)).one()
        assert identity.user_id is None and identity.email == "bob@trust.example"
        assert db.exec(select(User)).first() is None
        approve_sso_account(
            db, identity_id=identity.id or 0, role="coordinator", hei_code=None, actor=ADMIN
        )
        db.commit()
    page = _sign_in(client, "bob")
    assert page.status_code == 302 and page.headers["Location"] == "/whoami"
    assert _signed_in_as(client) == "bob@trust.example coordinator -"
    actions = _actions(engine)
    assert actions[:2] == ["sso.first_sign_in", "signin.pending"]
    assert {"user.create", "sso.grant", "signin"} <= set(actions[2:])
    with Session(engine) as db:
        grant = db.exec(select(AuditLog).where(AuditLog.action == "sso.grant")).one()
        assert grant.username == "admin" and grant.detail == "approved by admin"


def test_claims_rules_grant_by_group_and_verified_domain(
    make_client: Callable[..., Any], engine: Engine
) -> None:
    _add_hei(engine)
    rules = json.dumps(
        [
            {"group": "placement-team", "role": "coordinator"},
            {"domain": "uni-a.example", "role": "hei", "hei": "UNI-A"},
        ]
    )
    alice = make_client(oidc_claim_rules=rules)
    assert _sign_in(alice, "alice").status_code == 302
    assert _signed_in_as(alice) == "alice@uni-a.example coordinator -"
    # Carol's address is at the domain, but the provider has not verified it: no access.
    carol = make_client(oidc_claim_rules=rules)
    assert _sign_in(carol, "carol").status_code == 403
    assert _signed_in_as(carol) is None
    with Session(engine) as db:
        grant = db.exec(select(AuditLog).where(AuditLog.action == "sso.grant")).one()
        assert grant.username is None
        assert grant.detail == f"claims rule: group placement-team → {ROLES['coordinator']}"


def test_a_domain_rule_grants_an_hei_user_of_its_hei(
    make_client: Callable[..., Any], engine: Engine
) -> None:
    _add_hei(engine, "TRUST-UNI")
    rules = json.dumps([{"domain": "trust.example", "role": "hei", "hei": "TRUST-UNI"}])
    client = make_client(oidc_claim_rules=rules)
    assert _sign_in(client, "bob").status_code == 302
    assert _signed_in_as(client) == "bob@trust.example hei TRUST-UNI"


def _refused(client: Any, engine: Engine, page: Any, words: str) -> None:
    assert page.status_code == 401, page.text
    assert words in unescape(page.text), re.findall(r'role="alert">([^<]*)', page.text)
    assert _signed_in_as(client) is None
    with Session(engine) as db:
        assert db.exec(select(SsoIdentity)).first() is None
        refusal = db.exec(select(AuditLog).where(AuditLog.action == "signin.failed")).one()
        assert words in (refusal.detail or "")


def test_a_tampered_id_token_is_refused(
    make_client: Callable[..., Any], engine: Engine, interceptor: Interceptor
) -> None:
    def tamper(token: dict[str, Any]) -> dict[str, Any]:
        header, payload, signature = token["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["email"] = "admin@uni-a.example"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return token | {"id_token": f"{header}.{forged}.{signature}"}

    client = make_client()
    interceptor.change = tamper
    _refused(client, engine, _sign_in(client, "bob"), "signature is not valid")


def test_an_id_token_for_another_application_is_refused(
    make_client: Callable[..., Any], engine: Engine, interceptor: Interceptor, provider: Provider
) -> None:
    foreign = token_for_other_client(provider.issuer, "alice")
    client = make_client()
    interceptor.change = lambda token: token | {"id_token": foreign}
    _refused(client, engine, _sign_in(client, "alice"), "issued for another application")


def test_a_replayed_answer_is_refused_even_with_the_old_cookie(
    make_client: Callable[..., Any], engine: Engine
) -> None:
    client = make_client()
    answer = _answer(client, "bob")
    cookie = client.get_cookie("session")
    assert cookie is not None
    first = client.get(answer)
    assert first.status_code == 403  # pending, but accepted as a genuine answer
    replay = make_client()
    replay.set_cookie("session", cookie.value, domain="localhost")
    page = replay.get(answer)
    assert page.status_code == 401 and "already used" in page.text
    assert _signed_in_as(replay) is None
    assert _actions(engine).count("sso.first_sign_in") == 1
    # The same answer without any cookie (another browser) is refused the same way.
    stranger = make_client()
    assert "already used" in stranger.get(answer).text


def test_an_expired_id_token_is_refused(engine: Engine, slow_provider: Provider) -> None:
    client = tracker_server(engine, sso_settings(slow_provider.issuer)).test_client()
    _refused(client, engine, _sign_in(client, "bob"), "has expired")


def test_passwords_can_be_switched_off(make_client: Callable[..., Any]) -> None:
    client = make_client(local_passwords=False)
    page = client.get("/login")
    assert "Sign in with your organisation's account" in unescape(page.text)
    assert 'name="password"' not in page.text
    posted = client.post("/login", data={"username": "admin", "password": "x" * 12})
    assert posted.status_code == 403 and "Passwords are switched off" in posted.text
    assert _signed_in_as(client) is None
