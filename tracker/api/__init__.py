"""The JSON API for HEI systems under ``/api/v1``: bearer tokens, the pages' access rules.

Every request names a token (``Authorization: Bearer trk_...``, ``services.api_tokens``); the
token acts as an HEI user of its HEI, so reads go through the same queries as the pages
(``queries.placements.visible_placements``, ``queries.requests.requests_register``) and imports
through the same importers as file uploads (``services.imports.apply_import``: every row
checked, all or nothing, the same problems). The session cookie is never looked at, so a
signed-in browser cannot be made to call the API (no CSRF to guard against).

One Flask view takes every ``/api/...`` path and dispatches it through its own routing map,
so an unknown route is a JSON 404 and a wrong method a JSON 405, rather than the Dash app's
catch-all page.
"""

from __future__ import annotations

from flask import Flask

from tracker.api.routes import dispatch

#: Every method the API view receives, so each one gets an answer of the API's own.
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def install_api(server: Flask) -> None:
    """Add the API's one view to the app's Flask server (``create_app`` calls this)."""
    server.add_url_rule(
        "/api/<path:rest>",
        "api",
        dispatch,
        methods=METHODS,
        provide_automatic_options=False,
    )
