"""A run's review and the comparison of two runs, from their stored plans and snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlmodel import Session

from tracker.access import Principal
from tracker.models import (
    AllocationRun,
)
from tracker.queries.run_learners import named_learners
from tracker.queries.runs import run_plan
from tracker.snapshots import register_code, setting_code, snapshot_frames


@dataclass(frozen=True)
class RunReview:
    """Everything the review tabs show for one run."""

    by_hei: pd.DataFrame
    makeup: pd.DataFrame
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
    makeup = makeup_placed(demand, plan)
    by_hei = by_hei.merge(_makeup_by_hei(makeup), on="hei", how="left")
    by_hei[MAKEUP_FIGURES] = by_hei[MAKEUP_FIGURES].fillna(0).astype(int)

    by_setting = _by_setting(settings, capacity, demand, plan, dated="start_date" in capacity)
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
        # a setting offering several groups in scope has a row per group: say which
        split = bottlenecks["setting_id"].astype(str).map(setting_code)
        bottlenecks["setting_id"] = split.str[0]
        bottlenecks["profession_group"] = split.str[1]
    return RunReview(
        by_hei,
        makeup,
        by_sector,
        by_setting.reset_index(drop=True),
        unmet,
        bottlenecks,
        dict(run.figures),
    )


#: A request's make-up hours learners and how many of them the plan placed, per HEI.
MAKEUP_FIGURES = ["makeup_learners", "makeup_placed"]
MAKEUP_COLUMNS = ["request", "hei", "programme", "block", "learners", "placed", *MAKEUP_FIGURES]


def makeup_placed(demand: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """Each request with make-up hours learners in the run's snapshot, with how many of its
    learners the plan placed and how many of those make up hours: a request's make-up
    learners are placed first (docs/optimiser.md), so they are the first ``makeup_learners``
    of its placed learners. Empty for snapshots made without the column."""
    if "makeup_learners" not in demand.columns or demand.empty:
        return pd.DataFrame(columns=MAKEUP_COLUMNS)
    asked = demand.assign(
        makeup_learners=pd.to_numeric(demand["makeup_learners"], errors="coerce").fillna(0)
    )
    asked = asked[asked["makeup_learners"] > 0]
    placed = plan.groupby("request")["learners"].sum() if len(plan) else pd.Series(dtype=int)
    out = asked.rename(columns={"request_id": "request"})[
        ["request", "hei", "programme", "block", "learners", "makeup_learners"]
    ].copy()
    out["placed"] = out["request"].astype(str).map(placed).fillna(0).astype(int)
    out["makeup_learners"] = out["makeup_learners"].astype(int)
    out["makeup_placed"] = out[["placed", "makeup_learners"]].min(axis=1).astype(int)
    return out[MAKEUP_COLUMNS].sort_values(["hei", "request"]).reset_index(drop=True)


def _makeup_by_hei(makeup: pd.DataFrame) -> pd.DataFrame:
    """Make-up learners asked for and placed, summed per HEI."""
    if makeup.empty:
        return pd.DataFrame(columns=["hei", *MAKEUP_FIGURES])
    return makeup.groupby("hei", as_index=False)[MAKEUP_FIGURES].sum()


def _by_setting(
    settings: pd.DataFrame,
    capacity: pd.DataFrame,
    demand: pd.DataFrame,
    plan: pd.DataFrame,
    *,
    dated: bool,
) -> pd.DataFrame:
    """Places and learners placed per setting and block. On a run on the programme calendars
    both are counted in days (place-days of each block's row over the run's window, the span
    of its requests' dates; learner-days of each placement), as the allocator measures
    utilisation there: two HEIs using a ward in turn fill it once, not twice."""
    cap = capacity.copy()
    cap["setting"] = cap["setting_id"].astype(str).map(register_code)
    sector_of = {
        register_code(str(s)): sec
        for s, sec in zip(settings["setting_id"], settings["sector"], strict=True)
    }
    cap["sector"] = cap["setting"].map(sector_of)
    if dated:
        cap["places"] = cap["places"] * _days_in_window(cap, demand)
    places = cap.groupby(["setting", "block"], as_index=False).agg(
        places=("places", "sum"), sector=("sector", "first")
    )
    weight = _days(plan["start_date"], plan["end_date"]) if dated else 1
    used = (
        plan.assign(placed=plan["learners"] * weight)
        .groupby(["setting", "block"], as_index=False)["placed"]
        .sum()
    )
    by_setting = places.merge(used, on=["setting", "block"], how="outer")
    by_setting["placed"] = by_setting["placed"].fillna(0).astype(int)
    by_setting["places"] = by_setting["places"].fillna(0).astype(int)
    by_setting["sector"] = by_setting["sector"].fillna(by_setting["setting"].map(sector_of))
    by_setting["utilisation"] = (
        by_setting["placed"] / by_setting["places"].where(by_setting["places"] > 0)
    ).round(4)
    return by_setting


def _days(start: pd.Series, end: pd.Series) -> pd.Series:
    """Days from ``start`` to ``end``, both included."""
    return (pd.to_datetime(end) - pd.to_datetime(start)).dt.days + 1


def _days_in_window(capacity: pd.DataFrame, demand: pd.DataFrame) -> pd.Series:
    """Each dated capacity row's days inside the span of the run's requests."""
    if demand.empty:
        return pd.Series(0, index=capacity.index)
    low = pd.to_datetime(demand["start_date"]).min()
    high = pd.to_datetime(demand["end_date"]).max()
    start = pd.to_datetime(capacity["start_date"]).clip(lower=low)
    end = pd.to_datetime(capacity["end_date"]).clip(upper=high)
    return ((end - start).dt.days + 1).clip(lower=0)


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
