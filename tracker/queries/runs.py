"""Reads for the allocation workspace: runs and their plans; a run's named learners (and
those left unassigned) are ``queries.run_learners``, where a move may go
``queries.move_targets``.

Run frames are computed from the stored placement rows and the run's own snapshot of its
inputs, not from the live registers, so a plan is always explained by what it was made from,
and hand edits (moves, pins) show at once. Staff only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.access import STAFF, Principal, require_role
from tracker.models import (
    AllocationRun,
    Placement,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    Programme,
    RunStatus,
)
from tracker.optimise.geo import haversine_km
from tracker.queries.joins import (
    HEI,
    SETTING_OWNER,
)
from tracker.queries.placements import with_placement_context
from tracker.snapshots import run_request_ids
from tracker.vocabulary import label

PLAN_COLUMNS = [
    "placement_id",
    "request",
    "hei",
    "programme",
    "block",
    "start_date",
    "end_date",
    "setting",
    "setting_name",
    "organisation",
    "sector",
    "learners",
    "pinned",
    "status",
    "distance_km",
]


# The run history's columns, in order: the query builds them and the page's grid shows them.
RUN_HISTORY_COLUMNS: tuple[str, ...] = (
    "run_id",
    "name",
    "status",
    "what_if",
    "parent",
    "blocks",
    "programmes",
    "requested",
    "placed",
    "min_hei_fill",
    "moved",
    "seconds",
    "created_by",
    "created_at",
)


def _scope_words(scope: dict[str, Any]) -> str:
    """The blocks a run covers; a run on the programme calendars names its window first."""
    blocks = ", ".join(str(b) for b in scope.get("blocks", []))
    window = scope.get("window")
    if not window:
        return blocks
    return f"calendars {window[0]} to {window[1]} ({blocks})"


def _float(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def require_reviewer(principal: Principal) -> None:
    require_role(principal, STAFF, "review allocation runs")


def scope_choices(session: Session) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Blocks and programmes a run can be scoped to, as dropdown options."""
    blocks = session.exec(select(PlacementBlock).order_by(col(PlacementBlock.start_date))).all()
    programmes = session.exec(select(Programme).order_by(Programme.code)).all()
    return (
        [{"label": f"{b.code} · {b.name}", "value": b.code} for b in blocks],
        [{"label": f"{p.code} · {p.name}", "value": p.code} for p in programmes],
    )


def run_history(session: Session, *, principal: Principal, limit: int = 100) -> pd.DataFrame:
    """Newest runs first, with the headline figures of each."""
    require_reviewer(principal)
    runs = session.exec(
        select(AllocationRun).order_by(col(AllocationRun.id).desc()).limit(limit)
    ).all()
    rows = []
    for r in runs:
        levels = r.figures.get("levels", {})
        rows.append(
            {
                "run_id": r.id,
                "name": r.name,
                "status": r.status,
                "what_if": "yes" if r.is_scenario else "",
                "parent": r.parent_run_id,
                "blocks": _scope_words(r.scope),
                "programmes": ", ".join(r.scope.get("programmes", [])) or "all",
                "requested": levels.get("requested"),
                "placed": levels.get("placed"),
                "min_hei_fill": levels.get("min_hei_fill"),
                "moved": levels.get("moved_learners"),
                "seconds": None if r.seconds is None else round(r.seconds, 2),
                "created_by": r.created_by,
                "created_at": r.created_at.strftime("%Y-%m-%d %H:%M") if r.created_at else None,
            }
        )
    return pd.DataFrame(
        rows,
        columns=list(RUN_HISTORY_COLUMNS),
    )


def get_run(session: Session, *, principal: Principal, run_id: int) -> AllocationRun | None:
    require_reviewer(principal)
    return session.get(AllocationRun, run_id)


def run_plan(session: Session, *, principal: Principal, run_id: int) -> pd.DataFrame:
    """The run's request-level placements in users' words, with the journey from the request."""
    require_reviewer(principal)
    run = session.get(AllocationRun, run_id)
    if run is None:
        return pd.DataFrame(columns=PLAN_COLUMNS)
    query = sa_select(  # type: ignore[call-overload]  # SQLModel fields are typed as values
        Placement,
        PlacementRequest.code,
        HEI.code,
        Programme.code,
        PlacementBlock.code,
        PlacementBlock.start_date,
        PlacementBlock.end_date,
        PlacementSetting.code,
        PlacementSetting.name,
        SETTING_OWNER.name,
        PlacementSetting.sector,
        PlacementSetting.lat,
        PlacementSetting.lon,
        PlacementRequest.lat,
        PlacementRequest.lon,
    )
    query = (
        with_placement_context(query)
        .where(Placement.run_id == run_id, col(Placement.learner_id).is_(None))
        .order_by(HEI.code, PlacementRequest.code, PlacementSetting.code)
    )
    rows = []
    for (
        p,
        req,
        hei_code,
        prog,
        block,
        block_start,
        block_end,
        code,
        name,
        org,
        sector,
        slat,
        slon,
        rlat,
        rlon,
    ) in session.execute(query).all():
        km = haversine_km(_float(rlat), _float(rlon), _float(slat), _float(slon))
        rows.append(
            {
                "placement_id": p.id,
                "request": req,
                "hei": hei_code,
                "programme": prog,
                "block": block,
                # a placement on the programme calendars has its own dates, else its block's
                "start_date": p.start_date or block_start,
                "end_date": p.end_date or block_end,
                "setting": code,
                "setting_name": name,
                "organisation": org,
                "sector": sector,
                "learners": p.learners,
                "pinned": p.pinned,
                "status": p.status,
                "distance_km": None if not np.isfinite(km) else round(float(km), 1),
            }
        )
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


def approval_preview(session: Session, *, principal: Principal, run_id: int) -> str:
    """What approving a run would publish, in one paragraph, for the page to ask to confirm:
    learners, placements, settings and HEIs, and any approved run it would supersede."""
    require_reviewer(principal)
    run = session.get(AllocationRun, run_id)
    if run is None:
        return f"Run {run_id} does not exist."
    if run.status != RunStatus.SUCCEEDED.value:
        return f"Run {run_id} is {label(run.status).lower()}: only a finished run can be approved."
    rows = session.exec(
        select(Placement.setting_id, Placement.request_id, Placement.learners).where(
            Placement.run_id == run_id, col(Placement.learner_id).is_(None)
        )
    ).all()
    hei_of = {
        db: str(r["hei"])
        for key, db in run.inputs.get("ids", {}).get("requests", {}).items()
        for r in run.inputs.get("demand", [])
        if str(r["request_id"]) == key
    }
    learners = sum(int(n) for _, _, n in rows)
    settings = len({s for s, _, _ in rows})
    heis = len({hei_of.get(r or 0) for _, r, _ in rows} - {None})
    text = (
        f"Approving run {run_id} ({run.name}) confirms {learners:,} learners in "
        f"{len(rows):,} placements at {settings:,} settings for {heis:,} HEIs; they "
        "see their confirmed placements at once."
    )
    mine = run_request_ids(run.inputs)
    approved = session.exec(
        select(AllocationRun).where(
            AllocationRun.status == RunStatus.APPROVED.value, AllocationRun.id != run_id
        )
    ).all()
    for other in approved:
        shared = run_request_ids(other.inputs) & mine
        if shared:
            text += (
                f" Run {other.id} ({other.name}) is approved for {len(shared):,} of the same "
                "requests: approve choosing to supersede it, and its placements for them are "
                "cancelled."
            )
    return text
