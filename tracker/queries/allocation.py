"""Reads for the allocation workspace and the placements page.

Run review frames are computed from the stored placement rows and the run's own snapshot of
its inputs, not from the live registers, so a plan is always explained by what it was made
from, and hand edits (moves, pins) show at once. Placement lists for HEI users are narrowed to
their own HEI here, through ``tracker.access``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tracker.access import STAFF, Principal, hei_scope, require_role, sees_learner_rows
from tracker.models import (
    AllocationRun,
    Cohort,
    Learner,
    Organisation,
    Placement,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    PlacementStatus,
    Programme,
)
from tracker.optimise.geo import haversine_km
from tracker.snapshots import register_code, snapshot_frames

PLAN_COLUMNS = [
    "placement_id",
    "request",
    "hei",
    "programme",
    "block",
    "setting",
    "setting_name",
    "organisation",
    "sector",
    "learners",
    "pinned",
    "status",
    "distance_km",
]
VISIBLE_COLUMNS = [
    "placement_id",
    "status",
    "block",
    "block_start",
    "block_end",
    "hei",
    "programme",
    "request",
    "learner",
    "learners",
    "setting",
    "setting_name",
    "organisation",
    "sector",
    "run_id",
]


def _staff(principal: Principal) -> None:
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
    _staff(principal)
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
                "blocks": ", ".join(r.scope.get("blocks", [])),
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
        columns=[
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
        ],
    )


def get_run(session: Session, *, principal: Principal, run_id: int) -> AllocationRun | None:
    _staff(principal)
    return session.get(AllocationRun, run_id)


def run_plan(session: Session, *, principal: Principal, run_id: int) -> pd.DataFrame:
    """The run's request-level placements in users' words, with the journey from the request."""
    _staff(principal)
    run = session.get(AllocationRun, run_id)
    if run is None:
        return pd.DataFrame(columns=PLAN_COLUMNS)
    hei = aliased(Organisation)
    owner = aliased(Organisation)
    query = (
        sa_select(  # type: ignore[call-overload]  # SQLModel fields are typed as values
            Placement,
            PlacementRequest.code,
            hei.code,
            Programme.code,
            PlacementBlock.code,
            PlacementSetting.code,
            PlacementSetting.name,
            owner.name,
            PlacementSetting.sector,
            PlacementSetting.lat,
            PlacementSetting.lon,
            PlacementRequest.lat,
            PlacementRequest.lon,
        )
        .join(PlacementRequest, col(PlacementRequest.id) == Placement.request_id)
        .join(Cohort, col(Cohort.id) == PlacementRequest.cohort_id)
        .join(hei, col(hei.id) == Cohort.hei_id)
        .join(Programme, col(Programme.id) == Cohort.programme_id)
        .join(PlacementBlock, col(PlacementBlock.id) == Placement.block_id)
        .join(PlacementSetting, col(PlacementSetting.id) == Placement.setting_id)
        .join(owner, col(owner.id) == PlacementSetting.organisation_id)
        .where(Placement.run_id == run_id, col(Placement.learner_id).is_(None))
        .order_by(hei.code, PlacementRequest.code, PlacementSetting.code)
    )
    rows = []
    for (
        p,
        req,
        hei_code,
        prog,
        block,
        code,
        name,
        org,
        sector,
        slat,
        slon,
        rlat,
        rlon,
    ) in session.execute(query).all():
        km = haversine_km(_f(rlat), _f(rlon), _f(slat), _f(slon))
        rows.append(
            {
                "placement_id": p.id,
                "request": req,
                "hei": hei_code,
                "programme": prog,
                "block": block,
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


def _f(value: float | None) -> float:
    return float("nan") if value is None else float(value)


@dataclass(frozen=True)
class RunReview:
    """Everything the review tabs show for one run."""

    by_hei: pd.DataFrame
    by_sector: pd.DataFrame
    by_setting: pd.DataFrame
    unmet: pd.DataFrame
    bottlenecks: pd.DataFrame
    figures: dict[str, Any]


def run_review(session: Session, *, principal: Principal, run_id: int) -> RunReview:
    """Fill per HEI, utilisation per sector and setting, unmet reasons and bottlenecks."""
    plan = run_plan(session, principal=principal, run_id=run_id)
    run = session.get(AllocationRun, run_id)
    assert run is not None
    settings, capacity, demand = snapshot_frames(run.inputs)
    requested = demand.groupby("hei")["learners"].sum() if len(demand) else pd.Series(dtype=int)
    placed = plan.groupby("hei")["learners"].sum()
    by_hei = pd.DataFrame({"requested": requested}).join(placed.rename("placed")).fillna(0)
    by_hei["placed"] = by_hei["placed"].astype(int)
    by_hei["fill_ratio"] = (
        by_hei["placed"] / by_hei["requested"].where(by_hei["requested"] > 0)
    ).round(4)
    by_hei = by_hei.reset_index().rename(columns={"index": "hei"})

    cap = capacity.copy()
    cap["setting"] = cap["setting_id"].astype(str).map(register_code)
    sector_of = {
        register_code(str(s)): sec
        for s, sec in zip(settings["setting_id"], settings["sector"], strict=True)
    }
    cap["sector"] = cap["setting"].map(sector_of)
    places = cap.groupby(["setting", "block"], as_index=False).agg(
        places=("places", "sum"), sector=("sector", "first")
    )
    used = (
        plan.groupby(["setting", "block"], as_index=False)["learners"]
        .sum()
        .rename(columns={"learners": "placed"})
    )
    by_setting = places.merge(used, on=["setting", "block"], how="outer")
    by_setting["placed"] = by_setting["placed"].fillna(0).astype(int)
    by_setting["places"] = by_setting["places"].fillna(0).astype(int)
    by_setting["sector"] = by_setting["sector"].fillna(by_setting["setting"].map(sector_of))
    by_setting["utilisation"] = (
        by_setting["placed"] / by_setting["places"].where(by_setting["places"] > 0)
    ).round(4)
    by_setting = by_setting.sort_values(["utilisation", "setting"], ascending=[False, True])
    by_sector = by_setting.groupby("sector", as_index=False)[["places", "placed"]].sum()
    by_sector["utilisation"] = (
        by_sector["placed"] / by_sector["places"].where(by_sector["places"] > 0)
    ).round(4)
    unmet = pd.DataFrame(
        run.figures.get("unmet", []),
        columns=["request_id", "hei", "programme", "block", "learners", "reason_code", "reason"],
    )
    bottlenecks = pd.DataFrame(run.figures.get("bottlenecks", []))
    if "setting_id" in bottlenecks.columns:
        bottlenecks["setting_id"] = bottlenecks["setting_id"].astype(str).map(register_code)
    return RunReview(
        by_hei, by_sector, by_setting.reset_index(drop=True), unmet, bottlenecks, dict(run.figures)
    )


@dataclass(frozen=True)
class RunComparison:
    """Two runs side by side: what changed, how many learners moved, and each run's figures."""

    changes: pd.DataFrame
    moved: int
    figures: pd.DataFrame
    named_moves: pd.DataFrame


def compare_runs(
    session: Session, *, principal: Principal, run_a: int, run_b: int
) -> RunComparison:
    """Learners by request and setting in A and B; "moved" counts A's learners not where A
    put them in B (the measure "stay close to this plan" minimises)."""
    a = run_plan(session, principal=principal, run_id=run_a)
    b = run_plan(session, principal=principal, run_id=run_b)
    key = ["hei", "request", "programme", "block", "setting", "setting_name", "sector"]
    merged = (
        a.groupby(key, as_index=False)["learners"]
        .sum()
        .rename(columns={"learners": "a"})
        .merge(
            b.groupby(key, as_index=False)["learners"].sum().rename(columns={"learners": "b"}),
            on=key,
            how="outer",
        )
    )
    merged[["a", "b"]] = merged[["a", "b"]].fillna(0).astype(int)
    merged["change"] = merged["b"] - merged["a"]
    changes = merged[merged["change"] != 0].sort_values(key).reset_index(drop=True)
    moved = int((merged["a"] - merged["b"]).clip(lower=0).sum())
    rows = []
    for run_id, plan in ((run_a, a), (run_b, b)):
        run = session.get(AllocationRun, run_id)
        review = run_review(session, principal=principal, run_id=run_id)
        levels = run.figures.get("levels", {}) if run else {}
        fill = review.by_hei["fill_ratio"]
        rows.append(
            {
                "run_id": run_id,
                "name": run.name if run else "",
                "requested": levels.get("requested"),
                "placed": int(plan["learners"].sum()),
                "min_hei_fill": None if fill.dropna().empty else float(fill.min()),
                "max_sector_utilisation": (
                    None if review.by_sector.empty else float(review.by_sector["utilisation"].max())
                ),
                "learner_km": round(
                    float((plan["learners"] * plan["distance_km"].astype(float)).sum()), 1
                ),
                "unmet": int(review.unmet["learners"].sum()) if len(review.unmet) else 0,
            }
        )
    named_a = named_learners(session, principal=principal, run_id=run_a)
    named_b = named_learners(session, principal=principal, run_id=run_b)
    named = named_a.merge(named_b, on=["learner", "hei"], suffixes=("_a", "_b"))
    named_moves = named[named["setting_a"] != named["setting_b"]][
        ["learner", "hei", "setting_a", "setting_b"]
    ].reset_index(drop=True)
    return RunComparison(changes, moved, pd.DataFrame(rows), named_moves)


def named_learners(
    session: Session, *, principal: Principal, run_id: int, hei: str | None = None
) -> pd.DataFrame:
    """Learner-level placements of a run (second stage), for review per HEI."""
    _staff(principal)
    owner = aliased(Organisation)
    query = (
        sa_select(  # type: ignore[call-overload]  # SQLModel fields are typed as values
            Placement.id,
            Learner.learner_ref,
            owner.code,
            PlacementRequest.code,
            PlacementSetting.code,
            PlacementSetting.name,
            PlacementSetting.sector,
            PlacementBlock.code,
            Placement.status,
        )
        .join(Learner, col(Learner.id) == Placement.learner_id)
        .join(Cohort, col(Cohort.id) == Learner.cohort_id)
        .join(owner, col(owner.id) == Cohort.hei_id)
        .join(PlacementRequest, col(PlacementRequest.id) == Placement.request_id)
        .join(PlacementSetting, col(PlacementSetting.id) == Placement.setting_id)
        .join(PlacementBlock, col(PlacementBlock.id) == Placement.block_id)
        .where(Placement.run_id == run_id)
        .order_by(owner.code, Learner.learner_ref)
    )
    if hei:
        query = query.where(owner.code == hei)
    return pd.DataFrame(
        session.execute(query).all(),
        columns=[
            "placement_id",
            "learner",
            "hei",
            "request",
            "setting",
            "setting_name",
            "sector",
            "block",
            "status",
        ],
    )


def visible_placements(
    session: Session,
    *,
    principal: Principal,
    statuses: Sequence[str] = (
        PlacementStatus.CONFIRMED.value,
        PlacementStatus.COMPLETED.value,
        PlacementStatus.CANCELLED.value,
    ),
    organisation_id: int | None = None,
    setting_id: int | None = None,
    block: str | None = None,
) -> pd.DataFrame:
    """Published placements this user may see: HEI users only their own HEI's learners.

    Request-level rows say how many learners go where; named rows (``learner`` filled) say
    who. Proposed placements are never shown here: they are not published. Users who may not
    read learner rows (the collaborative, system-wide view) get only the request-level rows:
    learners per HEI, request, setting and block, never who.
    """
    statuses = [s for s in statuses if s != PlacementStatus.PROPOSED.value]
    hei = aliased(Organisation)
    owner = aliased(Organisation)
    query = (
        sa_select(  # type: ignore[call-overload]  # SQLModel fields are typed as values
            Placement,
            PlacementBlock.code,
            PlacementBlock.start_date,
            PlacementBlock.end_date,
            hei.code,
            Programme.code,
            PlacementRequest.code,
            Learner.learner_ref,
            PlacementSetting.code,
            PlacementSetting.name,
            owner.name,
            PlacementSetting.sector,
        )
        .join(PlacementRequest, col(PlacementRequest.id) == Placement.request_id)
        .join(Cohort, col(Cohort.id) == PlacementRequest.cohort_id)
        .join(hei, col(hei.id) == Cohort.hei_id)
        .join(Programme, col(Programme.id) == Cohort.programme_id)
        .join(PlacementBlock, col(PlacementBlock.id) == Placement.block_id)
        .join(PlacementSetting, col(PlacementSetting.id) == Placement.setting_id)
        .join(owner, col(owner.id) == PlacementSetting.organisation_id)
        .outerjoin(Learner, col(Learner.id) == Placement.learner_id)
        .where(col(Placement.status).in_(statuses))
        .order_by(
            col(PlacementBlock.start_date),
            hei.code,
            PlacementSetting.code,
            col(Placement.learner_id).is_not(None),
            Learner.learner_ref,
        )
    )
    scope = hei_scope(principal)
    if scope is not None:
        query = query.where(Cohort.hei_id == scope)
    if not sees_learner_rows(principal):
        query = query.where(col(Placement.learner_id).is_(None))
    if organisation_id is not None:
        query = query.where(PlacementSetting.organisation_id == organisation_id)
    if setting_id is not None:
        query = query.where(Placement.setting_id == setting_id)
    if block:
        query = query.where(PlacementBlock.code == block)
    rows = [
        {
            "placement_id": p.id,
            "status": p.status,
            "block": b,
            "block_start": start,
            "block_end": end,
            "hei": hei_code,
            "programme": prog,
            "request": req,
            "learner": ref,
            "learners": p.learners,
            "setting": code,
            "setting_name": name,
            "organisation": org,
            "sector": sector,
            "run_id": p.run_id,
        }
        for p, b, start, end, hei_code, prog, req, ref, code, name, org, sector in session.execute(
            query
        ).all()
    ]
    return pd.DataFrame(rows, columns=VISIBLE_COLUMNS)


def placement_filters(session: Session) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Organisations hosting settings, and settings, as dropdown options."""
    settings = session.exec(select(PlacementSetting).order_by(PlacementSetting.code)).all()
    host_ids = {s.organisation_id for s in settings}
    orgs = session.exec(
        select(Organisation).where(col(Organisation.id).in_(host_ids)).order_by(Organisation.name)
    ).all()
    return (
        [{"label": o.name, "value": o.id} for o in orgs],
        [{"label": f"{s.code} · {s.name}", "value": s.id} for s in settings],
    )


def learner_placements(session: Session, *, principal: Principal, learner_id: int) -> pd.DataFrame:
    """A learner's placement history (what completing or cancelling a placement feeds)."""
    learner = session.get(Learner, learner_id)
    if learner is None:
        return pd.DataFrame(columns=["block", "setting", "sector", "status"])
    cohort = session.get(Cohort, learner.cohort_id)
    scope = hei_scope(principal)
    if not sees_learner_rows(principal) or (
        scope is not None and (cohort is None or cohort.hei_id != scope)
    ):
        return pd.DataFrame(columns=["block", "setting", "sector", "status"])
    query = (
        select(
            PlacementBlock.code, PlacementSetting.name, PlacementSetting.sector, Placement.status
        )
        .join(PlacementBlock, col(PlacementBlock.id) == Placement.block_id)
        .join(PlacementSetting, col(PlacementSetting.id) == Placement.setting_id)
        .where(
            Placement.learner_id == learner_id, Placement.status != PlacementStatus.PROPOSED.value
        )
        .order_by(col(PlacementBlock.start_date))
    )
    return pd.DataFrame(session.exec(query).all(), columns=["block", "setting", "sector", "status"])


def settings_for_move(
    session: Session, *, principal: Principal, run_id: int, placement_id: int
) -> list[dict[str, Any]]:
    """Settings in the same block of the run's inputs that host the placement's programme."""
    _staff(principal)
    run = session.get(AllocationRun, run_id)
    placement = session.get(Placement, placement_id)
    if run is None or placement is None or placement.request_id is None:
        return []
    request = session.get(PlacementRequest, placement.request_id)
    block = session.get(PlacementBlock, placement.block_id)
    assert request is not None and block is not None
    demand = {str(r["request_id"]): r for r in run.inputs.get("demand", [])}
    programme = demand.get(request.code, {}).get("programme")
    hosts = {
        str(r["setting_id"])
        for r in run.inputs.get("settings", [])
        if programme in str(r.get("programmes") or "").split(";")
    }
    with_places = {
        register_code(str(r["setting_id"]))
        for r in run.inputs.get("capacity", [])
        if str(r["block"]) == block.code
        and str(r["setting_id"]) in hosts
        and (r.get("places") or 0) > 0
    }
    settings = session.exec(
        select(PlacementSetting)
        .where(col(PlacementSetting.code).in_(with_places))
        .order_by(PlacementSetting.code)
    ).all()
    return [
        {"label": f"{s.code} · {s.name}", "value": s.id}
        for s in settings
        if s.id != placement.setting_id
    ]
