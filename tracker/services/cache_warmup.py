"""Fill the shared report cache with the views most people open, before they open them.

After a deploy or an import the cache holds nothing for the new data version, and the first
visitor of each view waits for its figures (up to a second or two at 60,000 learners) while
fifty others queue behind on a small server. Warming computes, for every viewer scope among
the active users, the unfiltered dashboards and each single profession group and route, and
the capacity-against-demand report unfiltered and by each sector and profession group:
the cuts a coordinator or a collaborative member picks first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.access import Principal, can_view_page
from tracker.cache import ReportCache, viewer_scope
from tracker.measures import DisclosurePolicy
from tracker.models import ProfessionGroup, Route, Sector, User
from tracker.queries.pipeline import PipelineFilters
from tracker.services.capacity_reports import capacity_demand_report
from tracker.services.pipeline_reports import (
    FUNNEL_UNITS,
    cohort_report,
    concerns_report,
    overview_report,
)
from tracker.services.users import principal_for


@dataclass(frozen=True)
class WarmSummary:
    scopes: int  # viewer scopes warmed: those with at least one of the views

    entries: int
    seconds: float


def common_selections() -> list[PipelineFilters]:
    """Everything, then each profession group and each route on its own."""
    return [
        PipelineFilters(),
        *(PipelineFilters(profession_group=(g.value,)) for g in ProfessionGroup),
        *(PipelineFilters(route=(r.value,)) for r in Route),
    ]


def _pipeline_reports(
    principal: Principal, policy: DisclosurePolicy, cache: ReportCache
) -> Iterator[Callable[[Session], object]]:
    for filters in common_selections():
        if can_view_page(principal, "pipeline"):
            yield partial(
                overview_report, principal=principal, filters=filters, policy=policy, cache=cache
            )
        if can_view_page(principal, "concerns"):
            for unit in FUNNEL_UNITS:
                yield partial(
                    concerns_report,
                    principal=principal,
                    filters=filters,
                    unit=unit,
                    policy=policy,
                    cache=cache,
                )
        if can_view_page(principal, "cohorts"):
            yield partial(
                cohort_report, principal=principal, filters=filters, policy=policy, cache=cache
            )


def _capacity_reports(
    principal: Principal, cache: ReportCache
) -> Iterator[Callable[[Session], object]]:
    if not can_view_page(principal, "capacity-demand"):
        return
    cuts: list[tuple[list[str], list[str]]] = [([], [])]
    cuts += [([s.value], []) for s in Sector]
    cuts += [([], [g.value]) for g in ProfessionGroup]
    for sectors, groups in cuts:
        yield partial(
            capacity_demand_report,
            principal=principal,
            blocks=[],
            sectors=sectors,
            profession_groups=groups,
            cache=cache,
        )


def warm_report_cache(
    engine: Engine, cache: ReportCache, *, policy: DisclosurePolicy
) -> WarmSummary:
    """Compute the common views for every viewer scope of the active users (see module).

    `policy` must be the deployment's disclosure convention, the one the pages pass, or the
    entries would be keyed for figures nobody asks for.
    """
    started = time.perf_counter()
    with Session(engine) as session:
        users = session.exec(select(User).where(User.active)).all()
        principals = [principal_for(session, u) for u in users]
    scopes: dict[str, Principal] = {}
    for principal in principals:
        scopes.setdefault(viewer_scope(principal), principal)
    entries, warmed = 0, 0
    for principal in scopes.values():
        work = [*_pipeline_reports(principal, policy, cache), *_capacity_reports(principal, cache)]
        warmed += bool(work)  # a scope with none of these views (placement providers) is not
        for compute in work:
            with Session(engine) as session:
                compute(session)
            entries += 1
    return WarmSummary(warmed, entries, time.perf_counter() - started)
