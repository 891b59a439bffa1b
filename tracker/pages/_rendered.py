"""Rendered dashboard content, shared between workers through the report cache.

A cached report still costs a page 60 to 250 ms of charts and tables to draw, which fifty
users on a small server cannot afford on every filter change. What a page draws depends
only on the report (its filters, what the viewer may see, the data version) and the
deployment's settings, so the drawn components are cached under the same key as the
report plus the view's name. Figures inside must be plain dicts (``components.graph`` and
``components.plain_figure``), so reading an entry back does not re-validate them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from tracker.access import Principal
from tracker.auth import app_engine
from tracker.cache import DataFamily, app_report_cache, cached_for

T = TypeVar("T")


def rendered(
    view: str,
    principal: Principal,
    parts: tuple[object, ...],
    family: DataFamily,
    draw: Callable[[], T],
) -> T:
    """``draw()`` from the shared cache, keyed by `view`, `parts`, the viewer's scope and the
    version of the data `family` the view shows; drawn afresh when the report cache is off."""
    cache = app_report_cache()
    if cache is None:
        return draw()
    with Session(app_engine()) as session:
        return cached_for(cache, session, principal, f"view:{view}", parts, family, draw)
