"""The database for a page: one helper to read, one to write, one engine for a job.

Pages never open sessions or engines themselves. A layout or callback reads inside
``with reading() as session`` and writes inside ``with writing() as session`` (one unit of
work: committed when the block ends, rolled back on any error), handing the session to
queries and services with the principal it got from ``page_guard``/``callback_principal``.

Both turn an access refusal or bad input met inside the block (``AccessDenied``, a
``ValueError``, ``TypeError`` or ``KeyError`` from a crafted request) into ``Refused``, so a page
catches one type and shows its ``problems``; nothing was written when it is raised.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.access import AccessDenied
from tracker.auth import app_engine
from tracker.db import session_scope
from tracker.jobs import job_engine
from tracker.refusals import Refused

#: What ``reading()`` and ``writing()`` give, for the type hints of a page's helpers.
DbSession = Session


@contextmanager
def refusing() -> Iterator[None]:
    """Re-raise access refusals and bad values as ``Refused`` (a ``Refused`` passes as is)."""
    try:
        yield
    except Refused:
        raise
    except (AccessDenied, ValueError, TypeError, KeyError) as exc:
        raise Refused(str(exc)) from exc


@contextmanager
def reading() -> Iterator[Session]:
    """A session on the app's engine for reads; closed when the block ends."""
    with refusing(), Session(app_engine()) as session:
        yield session


@contextmanager
def writing() -> Iterator[Session]:
    """One unit of work on the app's engine: committed at the end, rolled back on error."""
    with refusing(), session_scope(app_engine()) as session:
        yield session


@contextmanager
def job_database() -> Iterator[Engine]:
    """A fresh engine for a background callback (no web request there), disposed after."""
    engine = job_engine()
    try:
        yield engine
    finally:
        engine.dispose()
