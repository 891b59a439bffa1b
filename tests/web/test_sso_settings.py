"""Single sign-on settings: a half-configured provider or a bad claims mapping stops the
start, and the sign-in page offers the provider only when one is configured."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.oidc.conftest import sso_settings
from tracker.auth_sso import check_sso_settings, discovery_url

ENTRA = sso_settings("https://login.microsoftonline.com/0000-tenant/v2.0")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"oidc_client_secret": None}, "CLIENT_SECRET"),
        ({"oidc_client_id": None}, "CLIENT_ID"),
        ({"oidc_scopes": "profile email"}, "must include openid"),
        ({"oidc_claim_rules": '[{"group": "g"}]'}, "Claims rule 1"),
        ({"oidc_issuer": None, "local_passwords": False}, "no OpenID provider"),
    ],
)
def test_half_configured_sign_in_stops_the_start(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_sso_settings(dataclasses.replace(ENTRA, **changes))


def test_entra_discovery_is_the_issuers_own() -> None:
    check_sso_settings(ENTRA)
    assert discovery_url(ENTRA) == (
        "https://login.microsoftonline.com/0000-tenant/v2.0/.well-known/openid-configuration"
    )


def test_without_a_provider_the_sign_in_page_offers_passwords_only(web_app: Any) -> None:
    client = web_app.server.test_client()
    page = client.get("/login")
    assert 'id="signin-sso"' not in page.text and 'name="password"' in page.text
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404
