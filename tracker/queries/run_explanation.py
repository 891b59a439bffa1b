"""Why a run's plan is as fair as it is: the fairness explanation the run review shows.

The allocator stores, with every finished run (``run.figures``), its status, the gap it
proved on each level, every HEI's fill, every sector's utilisation and, round by round, which
HEIs (and sectors) a fairness level held at which value and the full places that held them
(``optimise.Held``). This read turns those figures into the review's rows, with the settings
named as the register names them; the page words them through the vocabulary. Staff only,
like every other read of a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlmodel import Session, col, select

from tracker.access import Principal
from tracker.models import PlacementSetting
from tracker.queries.runs import get_run
from tracker.snapshots import records_frame, setting_code

#: The levels in their strict priority, as ``AllocationResult.gaps`` names them.
LEVELS = (
    "most_learners_placed",
    "fair_share_between_heis",
    "fair_share_between_sectors",
    "least_travel",
)


@dataclass(frozen=True)
class HeldPlace:
    """A full place that held a round: the setting's code and name, the profession group its
    places are for (None: the setting's only group in the run) and its block (empty on dates)."""

    code: str
    name: str
    group: str | None
    block: str


@dataclass(frozen=True)
class HeldRound:
    """One round of a fairness level: who it held at which value, why, and by which places."""

    level: str
    round: int
    members: tuple[tuple[str, float], ...]
    places: tuple[HeldPlace, ...]
    reason: str


@dataclass(frozen=True)
class FairnessExplanation:
    """The run's status, each level's proven gap (None: not proven), every HEI's fill and
    every sector's utilisation, and the rounds of its fairness levels."""

    status: str
    fairness: str
    gaps: tuple[tuple[str, float | None], ...]
    heis: pd.DataFrame
    sectors: pd.DataFrame
    held: tuple[HeldRound, ...]


def run_explanation(
    session: Session, *, principal: Principal, run_id: int
) -> FairnessExplanation | None:
    """The fairness explanation of a finished run (None: no such run)."""
    run = get_run(session, principal=principal, run_id=run_id)
    if run is None:
        return None
    figures = run.figures
    raw = [h for h in figures.get("held", []) if isinstance(h, dict)]
    names = _setting_names(session, {str(p[0]) for h in raw for p in h.get("places", [])})
    held = tuple(_round(h, names) for h in raw)
    gaps = figures.get("gaps", {})
    heis = records_frame(figures.get("hei_fill", []), ["hei", "requested", "placed", "fill_ratio"])
    sectors = records_frame(
        figures.get("sector_utilisation", []), ["sector", "places", "placed", "utilisation"]
    )
    return FairnessExplanation(
        status=str(figures.get("status", "")),
        fairness=str(run.policy.get("fairness", "leximin")),
        gaps=tuple((level, gaps.get(level)) for level in LEVELS if level in gaps),
        heis=heis.sort_values(["fill_ratio", "hei"], ignore_index=True),
        sectors=sectors.sort_values(["utilisation", "sector"], ascending=[False, True]),
        held=held,
    )


def _round(raw: dict[str, Any], names: dict[str, str]) -> HeldRound:
    places = []
    for setting_id, block in raw.get("places", []) or []:
        code, group = setting_code(str(setting_id))
        places.append(HeldPlace(code, names.get(code, code), group, str(block)))
    members = tuple((str(name), float(value)) for name, value in raw.get("members", []) or [])
    return HeldRound(
        level=str(raw.get("level", "")),
        round=int(raw.get("round", 0) or 0),
        members=members,
        places=tuple(places),
        reason=str(raw.get("reason", "")),
    )


def _setting_names(session: Session, allocator_ids: set[str]) -> dict[str, str]:
    """Register names of the settings behind allocator setting ids, by register code."""
    codes = {setting_code(s)[0] for s in allocator_ids}
    if not codes:
        return {}
    rows = session.exec(
        select(PlacementSetting.code, PlacementSetting.name).where(
            col(PlacementSetting.code).in_(codes)
        )
    ).all()
    return {str(code): str(name) for code, name in rows}
