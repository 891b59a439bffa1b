"""Read the allocator's CSV/JSON inputs and write its three output files."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from tracker.optimise.model import AllocationResult, InputError, Policy, Problem


def read_table(path: str | Path, table: str) -> pd.DataFrame:
    """A CSV read as text: numbers are parsed by validation, which can name the bad row."""
    p = Path(path)
    if not p.is_file():
        raise InputError([Problem(table, None, None, str(p), "file not found")])
    try:
        return pd.read_csv(p, dtype=str, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(
            [Problem(table, None, None, str(p), f"cannot be read as CSV: {exc}")]
        ) from exc


def read_policy(path: str | Path | None) -> Policy:
    if path is None:
        return Policy()
    p = Path(path)
    if not p.is_file():
        raise InputError([Problem("policy", None, None, str(p), "file not found")])
    return Policy.from_json(p)


def summary(result: AllocationResult) -> dict[str, Any]:
    """Figures for ``summary.json``: what was asked, what was placed, how fairly, how fast."""
    levels = result.levels

    def ratio(x: float) -> float | None:
        """Rounded, and ``None`` when unknown (an unproven gap with no bound is infinite)."""
        return None if x is None or not math.isfinite(x) else round(x, 6)

    return {
        "status": result.status,
        "learners_requested": levels.requested,
        "learners_placed": levels.placed,
        "learners_unmet": levels.requested - levels.placed,
        "lowest_hei_fill_ratio": ratio(levels.min_hei_fill),
        "highest_sector_utilisation": ratio(levels.max_sector_utilisation),
        "fill_ratio_by_hei": {
            str(r.hei): ratio(float(r.fill_ratio)) for r in result.hei_fill.itertuples(index=False)
        },
        "utilisation_by_sector": {
            str(r.sector): ratio(float(r.utilisation))
            for r in result.sector_utilisation.itertuples(index=False)
        },
        "hei_fill": {
            str(r.hei): ratio(float(r.fill_ratio)) for r in result.hei_fill.itertuples(index=False)
        },
        "sector_utilisation": {
            str(r.sector): ratio(float(r.utilisation))
            for r in result.sector_utilisation.itertuples(index=False)
        },
        "gap": {level: ratio(float(g)) for level, g in result.gaps.items()},
        "explanation": list(result.explanation),
        "learner_km": round(levels.learner_km, 1),
        "moved_learners": levels.moved_learners,
        "bottlenecks": [
            {
                "setting_id": str(r.setting_id),
                "block": str(r.block),
                "sector": str(r.sector),
                "places": int(r.places),
                "unmet_in_reach": int(r.unmet_in_reach),
            }
            for r in result.bottlenecks.head(20).itertuples(index=False)
        ],
        "solver": result.solver,
        "seconds": round(result.seconds, 3),
        "timings": {k: round(float(v), 4) for k, v in result.timings.items()},
        "policy": result.policy.to_dict(),
        "messages": list(result.messages),
    }


def write_outputs(result: AllocationResult, out_dir: str | Path) -> dict[str, Path]:
    """Write placements.csv, unmet.csv and summary.json; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "placements": out / "placements.csv",
        "unmet": out / "unmet.csv",
        "summary": out / "summary.json",
    }
    columns = ["request_id", "setting_id", "block", "learners"]
    if "start_date" in result.placements.columns:
        columns += ["start_date", "end_date"]
    result.placements[columns].to_csv(paths["placements"], index=False)
    result.unmet[["request_id", "learners", "reason"]].to_csv(paths["unmet"], index=False)
    paths["summary"].write_text(json.dumps(summary(result), indent=2) + "\n")
    return paths
