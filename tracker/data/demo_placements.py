"""Placement blocks, HEI calendars, supervision capacity, requests and placement history.

Capacity is deliberately uneven: acute nursing places shrink in the winter block, social work
statutory places are scarce all year, physiotherapy teams take fewer learners in block 2,
while care homes and primary care offer more than HEIs ask for. That is the situation the
allocator and the capacity pages exist to show.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any, Final

import numpy as np

from tracker.data import demo_reference as ref
from tracker.data.demo_people import CohortPlan, LearnerPlan, add_months
from tracker.data.demo_setting_kinds import AHP, KINDS, MID, NA, NUR, SW, SettingSpec
from tracker.models import PlacementStatus, RequestStatus, Sector

GROUP_OF: Final[Mapping[str, str]] = MappingProxyType(
    {p.code: p.group.value for p in ref.PROGRAMMES}
)
#: How strongly last year's placements leaned to each sector: acute first, care homes last,
#: as the published accounts of placement practice describe.
HISTORY_PREFERENCE: Final[Mapping[Sector, float]] = MappingProxyType(
    {
        Sector.ACUTE: 1.0,
        Sector.COMMUNITY: 0.7,
        Sector.MENTAL_HEALTH: 0.8,
        Sector.PRIMARY_CARE: 0.3,
        Sector.CARE_HOME: 0.06,
        Sector.SOCIAL_CARE: 0.8,
        Sector.VCSE: 0.4,
    }
)


@dataclass(frozen=True)
class BlockPlan:
    code: str
    name: str
    year: int  # first calendar year of the academic year
    number: int
    start: date
    end: date


def plan_blocks() -> list[BlockPlan]:
    blocks = []
    for year in ref.PLACEMENT_YEARS:
        for number, name, (month, day), offset, weeks in ref.BLOCKS:
            nominal = date(year + offset, month, day)
            start = nominal + timedelta(days=(7 - nominal.weekday()) % 7)
            end = start + timedelta(days=7 * weeks - 3)  # Monday to Friday
            label = f"{year}/{(year + 1) % 100:02d} {name}"
            blocks.append(BlockPlan(f"{year}-B{number}", label, year, number, start, end))
    return blocks


def setting_programmes(setting: SettingSpec) -> tuple[str, ...]:
    return KINDS[setting.kind].programmes


def hosts(setting: SettingSpec, programme: str) -> bool:
    """A setting hosts a programme it lists, or any programme of its groups if it says so."""
    if programme in setting_programmes(setting):
        return True
    return setting.hosts_any and GROUP_OF[programme] in setting.base


def _factor(setting: SettingSpec, group: str, block: BlockPlan) -> float:
    sector = KINDS[setting.kind].sector
    if sector is Sector.ACUTE and group == NUR:
        return {1: 0.5, 2: 0.85}.get(block.number, 1.0)  # winter pressures, preceptees
    if group == MID and block.number == 1:
        return 0.8
    if group == AHP and "PHY" in setting_programmes(setting) and block.number == 2:
        return 0.5  # musculoskeletal outpatient teams short of educators in the winter
    return 1.0


def capacity_rows(
    rng: np.random.Generator,
    settings: list[SettingSpec],
    setting_ids: list[int],
    blocks: list[BlockPlan],
    block_ids: list[int],
) -> tuple[list[dict[str, Any]], dict[tuple[int, int, str], int]]:
    """Capacity rows for every active setting x block x group, and places by the same key."""
    rows: list[dict[str, Any]] = []
    places: dict[tuple[int, int, str], int] = {}
    for s, setting in enumerate(settings):
        if not setting.active:
            continue
        for b, block in enumerate(blocks):
            noise = rng.choice([-1, 0, 1], size=len(setting.base), p=[0.12, 0.78, 0.10])
            for (group, base), extra in zip(setting.base.items(), noise, strict=True):
                supervisors = max(0, round(base * _factor(setting, group, block)) + int(extra))
                coached = setting.coaching and (
                    (group == NUR and setting.kind in {"adult_ward", "stroke", "mh_ward"})
                    or (
                        group == AHP
                        and setting.kind in {"physio", "ot", "community_rehab", "stroke"}
                    )
                )
                per = 2 if coached else 1
                registrant = group in {NUR, MID, NA}
                rows.append(
                    {
                        "setting_id": setting_ids[s],
                        "block_id": block_ids[b],
                        "profession_group": group,
                        "practice_supervisors": supervisors,
                        "practice_assessors": math.ceil(supervisors / 2) if registrant else 0,
                        "practice_educators": supervisors
                        if group in {AHP, SW}
                        else int(supervisors >= 4),
                        "learners_per_supervisor": per,
                        "version": 1,
                    }
                )
                places[(s, b, group)] = supervisors * per
    return rows, places


def calendar_rows(
    heis: list[tuple[ref.HeiSpec, str]],
    hei_ids: dict[str, int],
    programme_ids: dict[str, int],
    blocks: list[BlockPlan],
    block_ids: list[int],
) -> list[dict[str, Any]]:
    """Each HEI's own weeks inside the system blocks, staggered so overlaps are visible."""
    rows = []
    for h, (hei, code) in enumerate(heis):
        for programme in hei.offers:
            pattern = ref.CALENDAR.get(programme, ref.CALENDAR["*"])
            short = GROUP_OF[programme] == AHP
            for year_of_study, numbers in pattern.items():
                for b, block in enumerate(blocks):
                    if block.number not in numbers:
                        continue
                    start = block.start + timedelta(days=7 * (h % 2))
                    days = (block.end - block.start).days - 7
                    end = start + timedelta(days=min(days, 39) if short else days)
                    rows.append(
                        {
                            "hei_id": hei_ids[code],
                            "programme_id": programme_ids[programme],
                            "block_id": block_ids[b],
                            "year_of_study": year_of_study,
                            "start_date": start,
                            "end_date": min(end, block.end),
                        }
                    )
    return rows


def year_of_study(start: date, on: date) -> int:
    years = on.year - start.year - ((on.month, on.day) < (start.month, start.day))
    return years + 1


def _on_placement(cohort: CohortPlan, block: BlockPlan) -> bool:
    years = ref.PROGRAMME_BY_CODE[cohort.programme].years
    if cohort.start >= block.start or add_months(cohort.start, int(years * 12)) <= block.start:
        return False
    pattern = ref.CALENDAR.get(cohort.programme, ref.CALENDAR["*"])
    return block.number in pattern.get(year_of_study(cohort.start, block.start), ())


def request_rows(
    cohorts: list[CohortPlan],
    cohort_ids: list[int],
    learners: list[LearnerPlan],
    blocks: list[BlockPlan],
    block_ids: list[int],
    campus: dict[str, tuple[float, float]],
    year: int,
) -> list[dict[str, Any]]:
    """Requests of the active cohorts for the blocks of academic year ``year``."""
    active = [0] * len(cohorts)
    for learner in learners:
        active[learner.cohort] += learner.status == "active"
    serial: dict[str, int] = {}
    rows = []
    for c, cohort in enumerate(cohorts):
        spec = ref.PROGRAMME_BY_CODE[cohort.programme]
        for b, block in enumerate(blocks):
            if block.year != year or not active[c] or not _on_placement(cohort, block):
                continue
            final_year = year_of_study(cohort.start, block.start) == math.ceil(spec.years)
            sector, share = None, 0.0
            if cohort.programme in ref.REQUIRED_SECTOR:
                sector, share = ref.REQUIRED_SECTOR[cohort.programme]
            elif spec.group.value == SW and final_year:
                sector, share = ref.STATUTORY_SECTOR, 1.0
            elif cohort.programme in {"ADN", "ADA", "ADP"} and block.number >= 3:
                sector, share = Sector.COMMUNITY, ref.COMMUNITY_SHARE
            required = round(active[c] * share)
            parts = [(active[c] - required, None), (required, sector.value if sector else None)]
            for learners_n, sector_code in parts:
                if learners_n <= 0:
                    continue
                short = cohort.hei_code.replace("-", "")
                serial[short] = serial.get(short, 0) + 1
                lat, lon = campus[cohort.hei_code]
                rows.append(
                    {
                        "code": f"REQ-{short}-{serial[short]:04d}",
                        "cohort_id": cohort_ids[c],
                        "block_id": block_ids[b],
                        "learners": learners_n,
                        "required_sector": sector_code,
                        "lat": lat,
                        "lon": lon,
                        "status": RequestStatus.SUBMITTED.value,
                        "created_at": datetime(year, 9, 1, 10, tzinfo=UTC)
                        + timedelta(days=3 * (c % 10)),
                        "created_by": "demo",
                        "version": 1,
                    }
                )
    return rows


def history_rows(
    rng: np.random.Generator,
    cohorts: list[CohortPlan],
    cohort_copy: list[int],
    learners: list[LearnerPlan],
    learner_ids: list[int],
    settings: list[SettingSpec],
    setting_copy: list[int],
    setting_ids: list[int],
    blocks: list[BlockPlan],
    block_ids: list[int],
    places: dict[tuple[int, int, str], int],
    year: int,
) -> list[dict[str, Any]]:
    """Completed placements in ``year`` for learners still on programme, within capacity.

    Learners are placed within their own copy of the system, so --scale adds independent
    systems rather than one where every HEI reaches every setting.
    """
    members: dict[int, list[int]] = {}
    for s, copy in enumerate(setting_copy):
        members.setdefault(copy, []).append(s)
    free: dict[tuple[int, int, str], np.ndarray] = {}
    masks: dict[tuple[int, str], np.ndarray] = {}
    rows = []
    for i, learner in enumerate(learners):
        if learner.status != "active" or learner.interrupted_ever:
            continue
        cohort = cohorts[learner.cohort]
        copy, programme = cohort_copy[learner.cohort], cohort.programme
        group = GROUP_OF[programme]
        pool = members[copy]
        if (copy, programme) not in masks:
            masks[(copy, programme)] = np.array(
                [settings[s].active and hosts(settings[s], programme) for s in pool]
            ) * np.array([HISTORY_PREFERENCE[KINDS[settings[s].kind].sector] for s in pool])
        mask = masks[(copy, programme)]
        for b, block in enumerate(blocks):
            if block.year != year or learner.start >= block.start:
                continue
            if not _on_placement(cohort, block):
                continue
            key = (copy, b, group)
            if key not in free:
                free[key] = np.array([places.get((s, b, group), 0) for s in pool], dtype=float)
            weights = free[key] * mask
            total = weights.sum()
            if total <= 0:
                continue
            k = int(rng.choice(len(pool), p=weights / total))
            free[key][k] -= 1
            rows.append(
                {
                    "learner_id": learner_ids[i],
                    "setting_id": setting_ids[pool[k]],
                    "block_id": block_ids[b],
                    "learners": 1,
                    "run_id": None,
                    "request_id": None,
                    "status": PlacementStatus.COMPLETED.value,
                    "pinned": False,
                    "updated_at": datetime.combine(
                        block.end + timedelta(days=3), time(17), tzinfo=UTC
                    ),
                }
            )
    return rows
