"""``python -m tracker api-token``: the secret printed once, revocation, a listing without it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.commands.conftest import command_on, file_database
from tracker.models import ApiToken, Organisation
from tracker.services.api_tokens import token_hash


def test_create_prints_the_secret_once_and_revoke_ends_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = file_database(tmp_path)
    with Session(engine) as session:
        session.add(Organisation(code="UNI-A", name="Northbrook", kind="hei", place="B"))
        session.commit()
    invoke = command_on("api-token", url, tmp_path, monkeypatch)

    created = invoke("create", "--hei", "UNI-A", "--scope", "write", "--label", "SITS")
    assert created.exit_code == 0, created.output
    secret = next(line for line in created.stdout.splitlines() if line.startswith("trk_"))
    with Session(engine) as session:
        row = session.exec(select(ApiToken)).one()
        assert row.token_hash == token_hash(secret) and row.scope == "write"
    listed = invoke("list")
    assert "UNI-A" in listed.output and "SITS" in listed.output and secret not in listed.output

    assert invoke("revoke", str(row.id)).exit_code == 0
    with Session(engine) as session:
        assert session.exec(select(ApiToken)).one().revoked_at is not None
    assert "revoked" in invoke("list").output
    refused = invoke("create", "--hei", "NOPE", "--scope", "read")
    assert refused.exit_code == 1 and "not the code of an HEI" in refused.output
    assert invoke("create", "--hei", "UNI-A", "--scope", "admin").exit_code == 2
    engine.dispose()
