"""Fixtures of the single sign-on tests: the real provider (normal, and one with a slow
clock), the interceptor in front of it, and the tracker's sign-in routes on a fresh database."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine

from tests.oidc.provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    Interceptor,
    Provider,
    running_provider,
)
from tracker.auth import current_principal, init_auth
from tracker.config import Settings

CALLBACK = "http://localhost/login/sso/callback"


@pytest.fixture(scope="session")
def provider() -> Iterator[Provider]:
    with running_provider([CALLBACK]) as running:
        yield running


@pytest.fixture(scope="session")
def slow_provider() -> Iterator[Provider]:
    """A provider whose clock is fifteen minutes slow: every ID token it issues (valid for
    five minutes) has expired by the time the tracker reads it."""
    with running_provider([CALLBACK], clock_offset=-900) as running:
        yield running


@pytest.fixture(scope="session")
def _interceptor(provider: Provider) -> Iterator[Interceptor]:
    proxy = Interceptor(provider.issuer)
    yield proxy
    proxy.close()


@pytest.fixture
def interceptor(_interceptor: Interceptor) -> Iterator[Interceptor]:
    _interceptor.change = None
    yield _interceptor
    _interceptor.change = None


def sso_settings(issuer: str, discovery: str | None = None, **changes: Any) -> Settings:
    base = Settings(
        database_url="sqlite://",
        data_dir=Path("."),
        secret_key="sso-tests-secret",
        redis_url=None,
        demo_mode=False,
        secure_cookies=False,
        oidc_issuer=issuer,
        oidc_discovery_url=discovery,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_scopes="openid profile email groups",
    )
    return dataclasses.replace(base, **changes)


def tracker_server(engine: Engine, settings: Settings) -> Flask:
    """The tracker's own sign-in (``init_auth``) on a bare Flask app, with one signed-in page
    saying who the session belongs to (the Dash pages are one per process and not needed)."""
    server = Flask(__name__)
    init_auth(server, engine, settings)

    @server.route("/whoami")
    def whoami() -> str:
        principal = current_principal()
        return f"{principal.username} {principal.role.value} {principal.hei_code or '-'}"

    return server


@pytest.fixture
def make_client(engine: Engine, provider: Provider, interceptor: Interceptor) -> Callable[..., Any]:
    """A test client of the tracker, by default configured for the provider through the
    interceptor; keyword arguments change the settings."""

    def make(**changes: Any) -> Any:
        discovery = f"{interceptor.url}/.well-known/openid-configuration"
        settings = sso_settings(provider.issuer, discovery, **changes)
        return tracker_server(engine, settings).test_client()

    return make
