"""The web server bounds request bodies: an oversized upload gets 413 before anything parses it."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.conftest import sign_in_client
from tracker.auth import SETTINGS_KEY
from tracker.config import Settings
from tracker.uploads import request_limit

UPDATE = "/_dash-update-component"


@pytest.fixture
def client(web_app: Any) -> Any:
    return web_app.server.test_client()


def _limit(web_app: Any) -> int:
    return int(web_app.server.config["MAX_CONTENT_LENGTH"])


def test_the_request_limit_fits_a_base64_upload_at_the_file_limit(web_app: Any) -> None:
    settings: Settings = web_app.server.extensions[SETTINGS_KEY]
    limit = request_limit(settings)
    assert _limit(web_app) == limit
    file_bytes = settings.max_upload_mb * 1024 * 1024
    assert file_bytes * 4 / 3 < limit < file_bytes * 4 / 3 + 2 * 1024 * 1024


@pytest.mark.parametrize("signed_in", [True, False])
def test_a_300_mb_body_is_refused_with_413_unread(
    web_app: Any, client: Any, signed_in: bool
) -> None:
    if signed_in:
        sign_in_client(client, "coordinator")
    # The body claims 300 MB; nothing may try to read it (the stream holds only a few bytes).
    response = client.post(
        UPDATE,
        input_stream=io.BytesIO(b'{"output": "x"}'),
        content_type="application/json",
        environ_overrides={"CONTENT_LENGTH": str(300 * 1024 * 1024)},
    )
    assert response.status_code == 413
    assert "files for import may be at most 20 MB" in response.get_data(as_text=True)


def test_a_body_just_over_the_limit_is_refused_before_it_is_parsed(
    web_app: Any, client: Any
) -> None:
    sign_in_client(client, "coordinator")
    body = b"[" * (_limit(web_app) + 1)  # not JSON: parsing it would answer 400, not 413
    response = client.post(UPDATE, data=body, content_type="application/json")
    assert response.status_code == 413


def test_a_body_without_a_length_is_cut_off_at_the_limit(web_app: Any, client: Any) -> None:
    sign_in_client(client, "coordinator")
    body = io.BytesIO(b" " * (_limit(web_app) + 1024))
    response = client.post(
        UPDATE,
        input_stream=body,
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
