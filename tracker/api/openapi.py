"""The API's OpenAPI 3 description, served at ``/api/v1/openapi.json``.

Hand-written (four routes): each import kind's columns are the importers' own
(``tracker.data.importers.spec_for``), so the description cannot drift from what is checked.
"""

from __future__ import annotations

from typing import Any

from tracker.data.importers import spec_for

#: What HEI systems push: their learners and what they record about them.
IMPORT_KINDS = ("learners", "learner-events", "readiness", "practice-hours", "evaluations")

_ERROR = {"$ref": "#/components/schemas/Error"}


def _answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema or _ERROR}},
    }


REFUSALS = {
    "401": _answer("No token, or an unknown or revoked one."),
    "403": _answer("The token's scope or HEI does not allow this."),
}
ROWS = {"type": "array", "items": {"type": "object", "additionalProperties": True}}


def _read(key: str, summary: str) -> dict[str, Any]:
    listing = {"type": "object", "properties": {"hei": {"type": "string"}, key: ROWS}}
    return {
        "get": {
            "summary": summary,
            "operationId": f"list_{key}",
            "responses": {"200": _answer(f"The token's HEI's {key}.", listing), **REFUSALS},
        }
    }


def _columns(kind: str) -> str:
    spec = spec_for(kind)
    names = ", ".join(f"{c.name}{'' if c.required else ' (optional)'}" for c in spec.columns)
    return f"{kind}: {names}"


def _imports() -> dict[str, Any]:
    body = {
        "required": True,
        "content": {
            "application/json": {"schema": ROWS},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
    done = {
        "type": "object",
        "properties": {n: {"type": "integer"} for n in ("rows", "added", "changed", "unchanged")}
        | {"kind": {"type": "string"}, "summary": {"type": "string"}},
    }
    return {
        "post": {
            "summary": "Import rows of one kind: all are written, or none if any has a problem",
            "description": "Columns by kind (as the file templates): "
            + "; ".join(_columns(k) for k in IMPORT_KINDS)
            + ". JSON objects are rows 2, 3, ... (as under a file's header row).",
            "operationId": "import_rows",
            "parameters": [
                {
                    "name": "kind",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": list(IMPORT_KINDS)},
                }
            ],
            "requestBody": body,
            "responses": {
                "200": _answer("Imported.", done),
                "400": _answer("The body is not rows (bad JSON, nested values, unreadable CSV)."),
                **REFUSALS,
                "415": _answer("Neither application/json nor text/csv."),
                "422": _answer("Problems found; nothing was written."),
            },
        }
    }


def openapi_document() -> dict[str, Any]:
    """The whole description (built per request: it is small and holds no state)."""
    problem = {
        "type": "object",
        "properties": {
            "row": {"type": "integer"},
            "column": {"type": "string"},
            "value": {"type": "string"},
            "message": {"type": "string"},
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Placement & Pipeline Tracker API for HEI systems", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"token": []}],
        "paths": {
            "/placements": _read("placements", "Published placements"),
            "/requests": _read("requests", "Placement requests and their status"),
            "/imports/{kind}": _imports(),
        },
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {"type": "string"},
                        "problems": {"type": "array", "items": problem},
                    },
                }
            },
        },
    }
