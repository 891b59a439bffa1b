"""Drawn dashboard content, shared between workers through the report cache.

A cached report still costs a page 60 to 250 ms of charts and tables to draw, which fifty
users on a small server cannot afford on every filter change. What a page draws depends
only on the report (its filters, what the viewer may see, the data version) and the
deployment's settings, so the drawn components are cached under the same key as the
report plus the view's name. Figures inside must be plain dicts (``charts.graph`` and
``charts.plain_figure``), so reading an entry back does not re-validate them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol, TypeVar

from tracker.access import Principal
from tracker.cache import (
    CAPACITY_DATA,
    PIPELINE_DATA,
    DataFamily,
    app_report_cache,
    cached_for,
)
from tracker.components.guard import app_disclosure_policy
from tracker.components.sessions import reading

T = TypeVar("T")
Layout = Any


class _Dated(Protocol):
    @property
    def as_of(self) -> date | None: ...


R = TypeVar("R", bound=_Dated)


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
    with reading() as session:
        return cached_for(cache, session, principal, f"view:{view}", parts, family, draw)


def drawn_capacity(
    view: str, principal: Principal, parts: tuple[object, ...], draw: Callable[[], T]
) -> T:
    """A capacity view drawn once per selection and capacity data version."""
    return rendered(view, principal, parts, CAPACITY_DATA, draw)


def drawn(
    page: str,
    principal: Principal,
    parts: tuple[object, ...],
    report: Callable[[], R],
    content: Callable[[R], Layout],
) -> tuple[date | None, Layout]:
    """A pipeline view's as-of date and drawn content, drawn once per selection and data
    version; `parts` is everything of the selection but the disclosure convention, which is
    added here."""

    def draw() -> tuple[date | None, Layout]:
        figures = report()
        return figures.as_of, content(figures)

    return rendered(page, principal, (*parts, app_disclosure_policy()), PIPELINE_DATA, draw)
