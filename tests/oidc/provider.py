"""A real OpenID Connect provider for the tests: panva's ``oidc-provider`` (node), started
from ``tests/oidc/provider.mjs`` on a free local port, and a person signing in at it.

``npm ci`` in ``tests/oidc`` installs it (``.ci/run`` does); nothing is downloaded while the
tests run. ``Interceptor`` stands between the tracker and the provider's token endpoint, as a
hostile network would: the provider stays untouched, and what reaches the tracker is a real
token, changed in transit when a test says so.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

HERE = Path(__file__).parent
CLIENT_ID = "tracker"
CLIENT_SECRET = "tracker-test-secret"
OTHER_CLIENT_ID = "other-app"
OTHER_SECRET = "other-app-secret"
OTHER_REDIRECT = "http://other.invalid/callback"
ACCOUNTS: dict[str, dict[str, Any]] = {
    "alice": {
        "email": "alice@uni-a.example",
        "email_verified": True,
        "name": "Alice Adams",
        "groups": ["placement-team"],
    },
    "bob": {"email": "bob@trust.example", "email_verified": True, "name": "Bob Brown"},
    "carol": {"email": "carol@uni-a.example", "email_verified": False, "name": "Carol"},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen[str]


def _clients(redirect_uris: list[str]) -> list[dict[str, Any]]:
    common = {"grant_types": ["authorization_code"], "response_types": ["code"]}
    return [
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris}
        | common,
        {
            "client_id": OTHER_CLIENT_ID,
            "client_secret": OTHER_SECRET,
            "redirect_uris": [OTHER_REDIRECT],
        }
        | common,
    ]


@contextmanager
def running_provider(redirect_uris: list[str], *, clock_offset: int = 0) -> Iterator[Provider]:
    """Start the provider (a clock ``clock_offset`` seconds off) and stop it afterwards."""
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("The OpenID provider is not installed: run `npm ci` in tests/oidc.")
    port = free_port()
    env = os.environ | {
        "OIDC_PORT": str(port),
        "OIDC_CLIENTS": json.dumps(_clients(redirect_uris)),
        "OIDC_ACCOUNTS": json.dumps(ACCOUNTS),
        "OIDC_CLOCK_OFFSET_SECONDS": str(clock_offset),
    }
    process = subprocess.Popen(
        ["node", str(HERE / "provider.mjs")],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if "ready" not in line:
            raise RuntimeError(f"The OpenID provider did not start: {line!r}")
        yield Provider(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        process.wait(timeout=10)


_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
_INPUT = re.compile(r"<input[^>]*>")
_ATTRIBUTE = re.compile(r'(name|value)="([^"]*)"')


def sign_in_at_provider(authorize_url: str, account: str, redirect_prefix: str) -> str:
    """Be the person at the provider: follow its pages, log in as ``account``, consent, and
    return the URL it sends the browser back to (our callback with code and state)."""
    browser = requests.Session()
    url, method, data = authorize_url, "GET", None
    for _ in range(12):
        response = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
        location = response.headers.get("Location")
        if location:
            target = urljoin(url, location)
            if target.startswith(redirect_prefix):
                return target
            url, method, data = target, "GET", None
            continue
        form = _FORM.search(response.text)
        if form is None:
            raise AssertionError(
                f"unexpected provider page: {response.status_code} {url} {response.text[:300]}"
            )
        fields = {}
        for tag in _INPUT.findall(form.group(2)):
            attributes = dict(_ATTRIBUTE.findall(tag))
            fields[attributes["name"]] = unescape(attributes.get("value", ""))
        if "login" in fields:
            fields.update(login=account, password="any-password")
        url, method, data = urljoin(url, unescape(form.group(1))), "POST", fields
    raise AssertionError("the provider never sent the browser back")


def token_for_other_client(issuer: str, account: str) -> str:
    """A genuine ID token the provider issued to another application (its audience)."""
    from authlib.integrations.requests_client import OAuth2Session

    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    client = OAuth2Session(
        OTHER_CLIENT_ID,
        OTHER_SECRET,
        scope="openid email",
        redirect_uri=OTHER_REDIRECT,
        code_challenge_method="S256",
    )
    verifier = "v" * 64
    url, _state = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce="n"
    )
    back = sign_in_at_provider(url, account, OTHER_REDIRECT)
    token = client.fetch_token(
        metadata["token_endpoint"], authorization_response=back, code_verifier=verifier
    )
    id_token: str = token["id_token"]
    return id_token


class Interceptor:
    """A forwarding proxy in front of the provider; ``change`` rewrites the token response.

    The tracker reads the provider's discovery document through it, so only the token
    endpoint moves to the proxy (the issuer, keys and login pages stay the provider's own).
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.change: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                upstream = requests.request(
                    self.command,
                    proxy.upstream + self.path,
                    headers=headers,
                    data=body,
                    allow_redirects=False,
                    timeout=10,
                )
                content = upstream.content
                if self.path.startswith("/.well-known/openid-configuration"):
                    metadata = upstream.json()
                    metadata["token_endpoint"] = proxy.url + "/token"
                    content = json.dumps(metadata).encode()
                elif self.path.startswith("/token") and proxy.change and upstream.ok:
                    content = json.dumps(proxy.change(upstream.json())).encode()
                self.send_response(upstream.status_code)
                self.send_header("Content-Type", upstream.headers.get("Content-Type", ""))
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = _forward
            do_POST = _forward

        return Handler

    def close(self) -> None:
        self.server.shutdown()
