"""The JSON API for HEI systems over HTTP (Flask's test client on the demo database).

A token acts as its HEI through the pages' own queries and importers: it never reads another
HEI's learners or requests, a bad import row writes nothing and answers with the problems,
and crafted requests get a 4xx in JSON, never a server error.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from tracker.access import SYSTEM
from tracker.models import AuditLog, Cohort, Learner, Organisation, Programme
from tracker.services.api_tokens import create_api_token, revoke_api_token

OWN_HEI = "UNI-A"


def make_token(engine: Engine, scope: str, hei: str = OWN_HEI, *, revoked: bool = False) -> str:
    with Session(engine) as session:
        new = create_api_token(session, hei_code=hei, scope=scope, actor=SYSTEM, label="tests")
        if revoked:
            revoke_api_token(session, token_id=new.token_id, actor=SYSTEM)
        session.commit()
    return new.secret


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def tokens(web_engine: Engine) -> dict[str, str]:
    return {
        "read": make_token(web_engine, "read"),
        "write": make_token(web_engine, "write"),
        "revoked": make_token(web_engine, "write", revoked=True),
    }


def learner_refs(engine: Engine) -> tuple[set[str], set[str]]:
    """(the own HEI's learner refs, every other HEI's)."""
    with Session(engine) as session:
        rows = session.exec(
            select(Learner.learner_ref, Organisation.code)
            .join(Cohort, col(Cohort.id) == Learner.cohort_id)
            .join(Organisation, col(Organisation.id) == Cohort.hei_id)
        ).all()
    return {r for r, h in rows if h == OWN_HEI}, {r for r, h in rows if h != OWN_HEI}


def own_learner_row(engine: Engine) -> dict[str, str]:
    """One of the own HEI's learners as an import row, exactly as stored."""
    with Session(engine) as session:
        learner, cohort, programme = session.exec(
            select(Learner, Cohort, Programme)
            .join(Cohort, col(Cohort.id) == Learner.cohort_id)
            .join(Programme, col(Programme.id) == Cohort.programme_id)
            .join(Organisation, col(Organisation.id) == Cohort.hei_id)
            .where(Organisation.code == OWN_HEI)
            .order_by(col(Learner.id))
        ).first()  # type: ignore[misc]
    return {
        "learner_ref": learner.learner_ref,
        "hei": OWN_HEI,
        "programme": programme.code,
        "intake": f"{cohort.intake_year}-{cohort.intake_month:02d}",
        "start_date": learner.start_date.isoformat(),
    }


def learner_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Learner)).one())


def test_placements_and_requests_are_the_tokens_heis_only(
    web_app: Any, web_engine: Engine, tokens: dict[str, str]
) -> None:
    client = web_app.server.test_client()
    _own, others = learner_refs(web_engine)
    for path, key in (("/api/v1/placements", "placements"), ("/api/v1/requests", "requests")):
        response = client.get(path, headers=bearer(tokens["read"]))
        assert response.status_code == 200, response.text
        body = response.get_json()
        assert body["hei"] == OWN_HEI
        assert all(row.get("hei", OWN_HEI) == OWN_HEI for row in body[key])
        assert not [ref for ref in others if ref in response.text]
    assert client.get("/api/v1/requests", headers=bearer(tokens["read"])).get_json()["requests"]


def test_a_named_placement_reaches_its_own_heis_token(web_app: Any, web_engine: Engine) -> None:
    """Positive control: the UNI-B token sees UNI-B's learners, UNI-A's none of them."""
    client = web_app.server.test_client()
    own, _others = learner_refs(web_engine)
    token = make_token(web_engine, "read", "UNI-B")
    other = client.get("/api/v1/placements", headers=bearer(token))
    assert other.status_code == 200 and other.get_json()["hei"] == "UNI-B"
    assert not [ref for ref in own if ref in other.text]


def test_an_unchanged_import_of_an_own_learner_succeeds_json_and_csv(
    web_app: Any, web_engine: Engine, tokens: dict[str, str]
) -> None:
    client = web_app.server.test_client()
    row = own_learner_row(web_engine)
    as_json = client.post("/api/v1/imports/learners", json=[row], headers=bearer(tokens["write"]))
    assert as_json.status_code == 200, as_json.text
    assert as_json.get_json()["unchanged"] == 1
    csv = ",".join(row) + "\n" + ",".join(row.values()) + "\n"
    as_csv = client.post(
        "/api/v1/imports/learners",
        data=csv,
        content_type="text/csv",
        headers=bearer(tokens["write"]),
    )
    assert as_csv.status_code == 200 and as_csv.get_json()["rows"] == 1, as_csv.text
    with Session(web_engine) as session:
        audit = session.exec(
            select(AuditLog).where(AuditLog.action == "import").order_by(col(AuditLog.id).desc())
        ).first()
    assert audit is not None and audit.username is not None
    assert audit.username.startswith("api-token-")


def test_a_bad_row_writes_nothing_and_returns_the_problems(
    web_app: Any, web_engine: Engine, tokens: dict[str, str]
) -> None:
    client = web_app.server.test_client()
    good = {**own_learner_row(web_engine), "learner_ref": "API-NEW-1"}
    other_heis = {**good, "learner_ref": "API-NEW-2", "hei": "UNI-B"}
    bad_date = {**good, "learner_ref": "API-NEW-3", "start_date": "31/02/2024"}
    before = learner_count(web_engine)
    response = client.post(
        "/api/v1/imports/learners",
        json=[good, other_heis, bad_date],
        headers=bearer(tokens["write"]),
    )
    assert response.status_code == 422, response.text
    problems = response.get_json()["problems"]
    assert {p["row"] for p in problems} >= {3, 4}
    assert all(set(p) == {"row", "column", "value", "message"} for p in problems)
    assert learner_count(web_engine) == before
    assert "API-NEW-1" not in learner_refs(web_engine)[0]


@pytest.mark.parametrize(
    ("method", "path", "token", "kwargs", "status"),
    [
        ("get", "/api/v1/placements", None, {}, 401),
        ("get", "/api/v1/placements", "trk_1_guess", {}, 401),
        ("get", "/api/v1/requests", "revoked", {}, 401),
        ("post", "/api/v1/imports/learners", "revoked", {"json": [{"a": 1}]}, 401),
        ("post", "/api/v1/imports/learners", "read", {"json": [{"a": 1}]}, 403),
        ("post", "/api/v1/imports/organisations", "write", {"json": [{"a": 1}]}, 404),
        ("get", "/api/v1/nowhere", "read", {}, 404),
        ("get", "/api/v2/placements", "read", {}, 404),
        ("delete", "/api/v1/placements", "read", {}, 405),
        ("get", "/api/v1/imports/learners", "write", {}, 405),
        ("post", "/api/v1/imports/learners", "write", {"data": "{not json"}, 400),
        ("post", "/api/v1/imports/learners", "write", {"json": {"rows": "x"}}, 400),
        ("post", "/api/v1/imports/learners", "write", {"json": [{"a": {"b": 1}}]}, 400),
        ("post", "/api/v1/imports/learners", "write", {"data": "[" * 100000}, 400),
        ("post", "/api/v1/imports/learners", "write", {"json": []}, 400),
        ("post", "/api/v1/imports/learners", "write", {"data": b"", "ct": "csv"}, 400),
        ("post", "/api/v1/imports/learners", "write", {"data": b"\xff\xfe", "ct": "csv"}, 422),
        ("post", "/api/v1/imports/learners", "write", {"data": "x", "ct": "image/png"}, 415),
        ("post", "/api/v1/imports/learners", "write", {"json": [{"learner_ref": "x"}]}, 422),
    ],
)
def test_crafted_requests_get_a_json_4xx_never_a_server_error(
    web_app: Any,
    tokens: dict[str, str],
    method: str,
    path: str,
    token: str | None,
    kwargs: dict[str, Any],
    status: int,
) -> None:
    client = web_app.server.test_client()
    headers = bearer(tokens.get(token, token)) if token else {}
    kwargs = dict(kwargs)
    content_type = kwargs.pop("ct", "application/json")
    if "data" in kwargs:
        kwargs["content_type"] = "text/csv" if content_type == "csv" else content_type
    response = getattr(client, method)(path, headers=headers, **kwargs)
    assert response.status_code == status, response.text
    assert response.mimetype == "application/json"
    assert "error" in response.get_json()
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_signed_in_session_is_not_an_api_token(web_app: Any) -> None:
    from tests.conftest import sign_in_client

    client = web_app.server.test_client()
    sign_in_client(client, "hei")
    assert client.get("/api/v1/placements").status_code == 401


def test_the_openapi_document_lists_every_route(web_app: Any) -> None:
    response = web_app.server.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.text)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/placements", "/requests", "/imports/{kind}"}
    kinds = document["paths"]["/imports/{kind}"]["post"]["parameters"][0]["schema"]["enum"]
    assert kinds == ["learners", "learner-events", "readiness", "practice-hours", "evaluations"]
