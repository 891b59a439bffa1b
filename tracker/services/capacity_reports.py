"""The capacity dashboards' reports: capacity against demand and the placement calendar.

Like the pipeline reports, each is one function per view, cached by ``@cached_report`` in the
shared report cache under the capacity family's data version: the page's figures, its
downloads and the cache warm-up ask for the same report, which reads the registers into
frames (``tracker.queries.capacity_demand``, ``tracker.queries.capacity``) and computes the
pure measures (``tracker.measures.capacity``) once per selection and data version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session

from tracker.access import Principal
from tracker.cache import CAPACITY_DATA, ReportCache, cached_report
from tracker.measures.capacity import (
    ALL_SECTORS,
    ANY_SECTOR,
    OVERLAP_COLUMNS,
    calendar_overlaps,
    capacity_against_demand,
    programme_capacity,
    sector_coverage,
    setting_spare,
)
from tracker.queries.calendar import calendar_register
from tracker.queries.capacity_demand import CapacityDemandFrames, capacity_demand_frames
from tracker.queries.options import block_options

#: What the calendar page shows of an overlap (the row ids stay out of sight).
SHOWN_OVERLAP_COLUMNS = [c for c in OVERLAP_COLUMNS if not c.startswith("id_")]


@dataclass(frozen=True)
class CapacityDemandReport:
    """Capacity against demand for one selection.

    ``frames``: what the measures read (see ``CapacityDemandFrames``). ``by_sector`` and
    ``by_programme``: places, requested and shortfall per key and block
    (``capacity_against_demand``; sector rows include "any sector" and "all sectors").
    ``coverage``: places per learner requested by sector and block. ``settings``: each
    setting with its places, placed learners and spare places.
    """

    frames: CapacityDemandFrames
    by_sector: pd.DataFrame
    by_programme: pd.DataFrame
    coverage: pd.DataFrame
    settings: pd.DataFrame


@cached_report(CAPACITY_DATA, unordered=("blocks", "sectors", "profession_groups"))
def capacity_demand_report(
    session: Session,
    *,
    principal: Principal,
    blocks: Sequence[str] = (),
    sectors: Sequence[str] = (),
    profession_groups: Sequence[str] = (),
    cache: ReportCache | None = None,
) -> CapacityDemandReport:
    """Places and requests side by side for the selection, with the measures the page shows.

    Demand is scoped like the requests register (an HEI user compares the system's places
    with its own requests only); see ``capacity_demand_frames`` for the filters.
    """
    frames = capacity_demand_frames(
        session,
        principal=principal,
        blocks=blocks,
        sectors=sectors,
        profession_groups=profession_groups,
    )
    by_sector = capacity_against_demand(
        frames.capacity, frames.demand, key="sector", open_key=ANY_SECTOR, total_label=ALL_SECTORS
    )
    places = programme_capacity(frames.capacity, frames.hosting)
    requested = frames.demand.groupby(["programme", "block"], as_index=False)["learners"].sum()
    # only programmes that are requested or offered places in the selection
    by_programme = capacity_against_demand(places, requested, key="programme")
    spare = setting_spare(frames.capacity[["setting_id", "places"]], frames.placed)
    settings = frames.settings.merge(spare, on="setting_id", how="left").fillna(
        {"places": 0, "placed": 0, "spare": 0}
    )
    return CapacityDemandReport(
        frames=frames,
        by_sector=by_sector,
        by_programme=by_programme,
        coverage=sector_coverage(frames.capacity, frames.demand),
        settings=settings,
    )


@dataclass(frozen=True)
class CalendarReport:
    """The placement calendar for a selection of profession groups.

    ``entries``: the calendar register's rows (every HEI's: calendars are visible to all, so
    they can stagger). ``overlaps``: pairs of different HEIs' entries in one profession group
    whose weeks overlap (``calendar_overlaps``). ``blocks``: the placement blocks, drawn behind.
    """

    entries: pd.DataFrame
    overlaps: pd.DataFrame
    blocks: pd.DataFrame


@cached_report(CAPACITY_DATA, unordered=("profession_groups",))
def calendar_report(
    session: Session,
    *,
    principal: Principal,
    profession_groups: Sequence[str] = (),
    cache: ReportCache | None = None,
) -> CalendarReport:
    """Calendar entries, their overlaps between HEIs and the blocks, for the chosen groups."""
    entries = calendar_register(session, principal=principal)
    if profession_groups:
        entries = entries[entries["profession_group"].isin(list(profession_groups))]
    entries = entries.reset_index(drop=True)
    return CalendarReport(
        entries=entries, overlaps=calendar_overlaps(entries), blocks=block_options(session)
    )
