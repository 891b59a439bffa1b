"""The web server's request size limit: an oversized body gets 413 before anything reads it.

The upload page sends a file as a base64 data URL inside a Dash callback's JSON body, so the
request limit is the upload limit (``TRACKER_MAX_UPLOAD_MB``) grown by base64's third plus
room for the rest of the body. Flask's ``MAX_CONTENT_LENGTH`` makes Werkzeug refuse to read
past it (bodies sent without a length too); a first ``before_request`` hook refuses a body
whose declared length is over it before the sign-in guard, Dash or anyone else parses it.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.config import Settings
from tracker.data.importers.limits import MIB

#: The rest of a callback body: the file name, the kind, Dash's own fields.
ENVELOPE_BYTES = MIB


def request_limit(settings: Settings) -> int:
    """Bytes one request body may have: a base64 upload at the limit and its envelope."""
    encoded = -(-settings.max_upload_mb * MIB // 3) * 4
    return encoded + ENVELOPE_BYTES


def limit_request_size(server: Flask, settings: Settings) -> None:
    """Bound every request body; create_app calls this once on the Flask server."""
    limit = request_limit(settings)
    server.config["MAX_CONTENT_LENGTH"] = limit

    def refuse_oversized() -> None:
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()

    def too_large(_error: RequestEntityTooLarge) -> Response:
        message = (
            f"This request is larger than the server accepts: files for import may be at "
            f"most {settings.max_upload_mb} MB. Split the file into smaller ones and import "
            "each (every file is checked and imported all or nothing)."
        )
        return Response(message, status=413, mimetype="text/plain")

    # First of all hooks, so not even the sign-in guard reads an oversized body.
    server.before_request_funcs.setdefault(None, []).insert(0, refuse_oversized)
    server.register_error_handler(RequestEntityTooLarge, too_large)
