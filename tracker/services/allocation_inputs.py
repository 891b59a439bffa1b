"""A run's snapshot of the live registers: registers -> frames -> JSON (see ``tracker.snapshots``).

The fingerprint of the live registers lets approval refuse a plan whose inputs changed since
it was made. Once the educational audits register is in use the snapshot carries the audits
of its settings and its blocks' dates, and the run obeys the audit rule
(``optimise.audit_filter``). A run on the programme calendars is made from the frames of its
date window (``queries.dated_inputs``), solved by the allocator's calendar engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlmodel import Session, select

from tracker.models import PlacementBlock, PlacementRequest, PlacementSetting
from tracker.queries.allocator_inputs import allocator_audits, allocator_inputs, block_dates
from tracker.queries.dated_inputs import dated_allocator_inputs
from tracker.snapshots import (
    AUDITS,
    WINDOW,
    CapacityChange,
    Window,
    apply_capacity_changes,
    fingerprint,
    frame_records,
    register_code,
)


def live_frames(
    session: Session,
    *,
    blocks: Sequence[str],
    programmes: Sequence[str],
    window: Window | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The registers in scope as the allocator's three frames: by block, or (with a window:
    a run on the programme calendars) the window's requests and places with their dates."""
    if window is not None:
        return dated_allocator_inputs(session, window=window, programmes=list(programmes))
    return allocator_inputs(session, blocks=list(blocks), programmes=list(programmes))


def live_inputs(
    session: Session,
    *,
    blocks: Sequence[str],
    programmes: Sequence[str],
    window: Window | None = None,
) -> dict[str, pd.DataFrame]:
    """The frames a run is made from and fingerprinted by: the allocator's three, and the
    audits of its settings once the audits register is in use."""
    settings, capacity, demand = live_frames(
        session, blocks=blocks, programmes=programmes, window=window
    )
    live = {"settings": settings, "capacity": capacity, "demand": demand}
    audits = allocator_audits(session, settings=settings)
    if audits is not None:
        live[AUDITS] = audits
    return live


def id_maps(session: Session, settings: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Allocator ids in this snapshot -> database ids, so results can be stored as rows."""
    setting_ids = {s.code: s.id for s in session.exec(select(PlacementSetting)).all()}
    maps: dict[str, dict[str, int]] = {
        "settings": {
            str(sid): setting_ids[register_code(sid)]  # type: ignore[misc]
            for sid in settings["setting_id"]
        },
        "requests": {},
        "blocks": {},
    }
    for r in session.exec(select(PlacementRequest)).all():
        maps["requests"][r.code] = r.id  # type: ignore[assignment]
    for b in session.exec(select(PlacementBlock)).all():
        maps["blocks"][b.code] = b.id  # type: ignore[assignment]
    return maps


def build_snapshot(
    session: Session,
    *,
    blocks: Sequence[str],
    programmes: Sequence[str],
    capacity_changes: Sequence[CapacityChange] = (),
    window: Window | None = None,
) -> dict[str, Any]:
    """Everything a run needs, as JSON: the frames, the id maps and the live fingerprint;
    a run on the programme calendars also keeps its window, and its capacity and demand
    records carry their dates, so the run solves again exactly as it was made."""
    live = live_inputs(session, blocks=blocks, programmes=programmes, window=window)
    settings, capacity, demand = live["settings"], live["capacity"], live["demand"]
    edited = apply_capacity_changes(capacity, settings, capacity_changes)
    snapshot: dict[str, Any] = {
        "settings": frame_records(settings),
        "capacity": frame_records(edited),
        "demand": frame_records(demand),
        "ids": id_maps(session, settings),
        "fingerprint": fingerprint(live),
        "capacity_changes": [c.to_dict() for c in capacity_changes],
    }
    if window is not None:
        snapshot[WINDOW] = [window[0].isoformat(), window[1].isoformat()]
    if AUDITS in live:
        snapshot[AUDITS] = frame_records(live[AUDITS])
        used = sorted({str(b) for b in demand["block"]})
        snapshot["block_dates"] = {
            code: [start.isoformat(), end.isoformat()]
            for code, (start, end) in block_dates(session, used).items()
        }
    return snapshot
