"""The API's routes: token check, scope check, then the pages' own queries and importers."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
from flask import Response, request
from sqlmodel import Session
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, RequestRedirect, Rule

from tracker.access import AccessDenied
from tracker.api.bodies import BadBody, import_frame
from tracker.api.openapi import IMPORT_KINDS, openapi_document
from tracker.auth import app_engine, app_settings
from tracker.data.importers import ImportLimits, ImportRejected
from tracker.db import session_scope
from tracker.queries.placements import visible_placements
from tracker.queries.requests import requests_register
from tracker.refusals import Refused
from tracker.services.api_tokens import TokenHolder, TokenRefused, TokenScope, authenticate_token
from tracker.services.imports import apply_import

ROUTES = Map(
    [
        Rule("/api/v1/openapi.json", endpoint="openapi", methods=["GET"]),
        Rule("/api/v1/placements", endpoint="placements", methods=["GET"]),
        Rule("/api/v1/requests", endpoint="requests", methods=["GET"]),
        Rule("/api/v1/imports/<kind>", endpoint="import", methods=["POST"]),
    ],
    strict_slashes=False,
)


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, default=str), status=status, mimetype="application/json")


def error(status: int, message: str, **extra: Any) -> Response:
    return json_response({"error": message, **extra}, status)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON objects: dates in ISO 8601, missing values as null."""
    rows: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return rows


def _bearer() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _placements(session: Session, holder: TokenHolder, _args: Mapping[str, Any]) -> Response:
    block = request.args.get("block", "")[:32] or None
    frame = visible_placements(session, principal=holder.principal, block=block)
    return json_response({"hei": holder.principal.hei_code, "placements": records(frame)})


def _requests(session: Session, holder: TokenHolder, _args: Mapping[str, Any]) -> Response:
    frame = requests_register(session, principal=holder.principal)
    frame = frame.drop(columns=["id", "version"], errors="ignore")
    return json_response({"hei": holder.principal.hei_code, "requests": records(frame)})


def _import(session: Session, holder: TokenHolder, args: Mapping[str, Any]) -> Response:
    kind = str(args["kind"])
    if kind not in IMPORT_KINDS:
        return error(
            404, f"No import kind {kind[:40]!r}; choose one of: {', '.join(IMPORT_KINDS)}."
        )
    if holder.scope is not TokenScope.WRITE:
        return error(403, "This token may only read: imports need a token of scope write.")
    limits = ImportLimits.from_settings(app_settings())
    try:
        frame = import_frame(request.mimetype, request.get_data(), limits)
        report = apply_import(session, holder.principal, kind, frame)
    except BadBody as exc:
        return error(exc.status, "; ".join(exc.problems))
    except ImportRejected as exc:
        session.rollback()  # nothing was written; make sure of it
        problems = [vars(p) for p in exc.report.problems]
        return error(422, exc.report.summary(), problems=problems)
    except Refused as exc:  # an unreadable or oversized CSV body
        return error(400, "; ".join(exc.problems))
    counts = {k: getattr(report, k) for k in ("rows", "added", "changed", "unchanged")}
    return json_response({"kind": kind, "summary": report.summary(), **counts})


HANDLERS: dict[str, Callable[[Session, TokenHolder, Mapping[str, Any]], Response]] = {
    "placements": _placements,
    "requests": _requests,
    "import": _import,
}


def dispatch(rest: str = "") -> Response:
    """Answer one API request: route, then token, then the handler in one transaction."""
    try:
        endpoint, args = ROUTES.bind("api").match(request.path, method=request.method)
    except MethodNotAllowed as exc:
        response = error(405, f"{request.method} is not allowed here.")
        response.headers["Allow"] = ", ".join(exc.valid_methods or ())
        return response
    except (NotFound, RequestRedirect):
        return error(404, "There is no such API route; see /api/v1/openapi.json.")
    if endpoint == "openapi":
        return json_response(openapi_document())
    with session_scope(app_engine()) as session:
        try:
            holder = authenticate_token(session, _bearer())
        except TokenRefused as exc:
            response = error(401, str(exc))
            response.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
            return response
        try:
            return HANDLERS[endpoint](session, holder, args)
        except AccessDenied as exc:
            session.rollback()
            return error(403, str(exc))
