"""The allocator's inputs as a run stores them: pure conversions between frames and JSON.

A run keeps a copy of exactly what it was given, so that its plan can be explained, compared
and re-run later whatever happens to the registers, and so that a what-if scenario can edit
capacity in that copy without touching the live register. Nothing here reads the database:
queries read stored snapshots through it, and ``services.allocation_inputs`` builds them.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import pandas as pd

from tracker.models import ProfessionGroup

FRAMES = ("settings", "capacity", "demand")
#: The educational audits a run was made with. A snapshot without them (every run made before
#: the register existed, or while it is empty) has no audit rule, and its fingerprint is the
#: three frames' alone, so such runs re-run and approve exactly as they did.
AUDITS = "audits"
#: A run on the programme calendars keeps its date window (first and last day, ISO) here;
#: its capacity and demand records then carry ``start_date`` and ``end_date``. Block runs
#: have no window.
WINDOW = "window"
Window = tuple[date, date]


def snapshot_window(inputs: Mapping[str, Any]) -> Window | None:
    """The date window of a run on the programme calendars, or None for a block run."""
    raw = inputs.get(WINDOW)
    if not raw:
        return None
    return date.fromisoformat(str(raw[0])), date.fromisoformat(str(raw[1]))


#: Joins a setting code and a profession group when one setting offers places to several
#: profession groups in one allocation (see ``queries.allocator_inputs``).
GROUP_SEPARATOR = "#"


def setting_code(allocator_setting_id: str) -> tuple[str, str | None]:
    """Split an allocator setting id back into (register setting code, profession group).

    The group is None for plain setting codes; see ``queries.allocator_inputs`` for when an id
    carries one.
    """
    code, sep, group = allocator_setting_id.rpartition(GROUP_SEPARATOR)
    if sep and group in {g.value for g in ProfessionGroup}:
        return code, group
    return allocator_setting_id, None


@dataclass(frozen=True)
class CapacityChange:
    """One what-if edit of capacity: more (or fewer) supervisors, or a new number of places.

    ``setting_id`` or ``sector`` pick the settings (neither: every setting), ``block`` the
    block (None: every block in scope). ``places`` replaces the places; otherwise
    ``add_supervisors`` supervisors are added, each supporting the setting's learners per
    supervisor (1 where the register does not say).
    """

    setting_id: str | None = None
    sector: str | None = None
    block: str | None = None
    add_supervisors: int = 0
    places: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CapacityChange:
        return cls(
            **{k: data.get(k) for k in ("setting_id", "sector", "block")},
            add_supervisors=int(data.get("add_supervisors") or 0),
            places=None if data.get("places") is None else int(data["places"]),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        where = self.setting_id or (
            f"{self.sector.replace('_', ' ')} settings" if self.sector else "every setting"
        )
        when = f" in block {self.block}" if self.block else ""
        if self.places is not None:
            return f"{where}{when}: {self.places} places"
        return f"{where}{when}: {self.add_supervisors:+d} supervisors"


def _clean(value: Any) -> Any:
    """JSON-safe scalar: NaN and NA become None, numpy numbers become Python numbers."""
    if value is None:
        return None
    if isinstance(value, frozenset | set):
        return ";".join(sorted(value))
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def records_frame(
    records: Sequence[Mapping[str, Any]], columns: Sequence[str] = ()
) -> pd.DataFrame:
    frame = pd.DataFrame(list(records))
    for column in columns:
        if column not in frame.columns:
            frame[column] = pd.Series(dtype="object")
    return frame


def register_code(allocator_setting_id: str) -> str:
    """The register code behind an allocator setting id (which may carry a profession group)."""
    return setting_code(str(allocator_setting_id))[0]


def fingerprint(frames: Mapping[str, pd.DataFrame] | Mapping[str, list[dict[str, Any]]]) -> str:
    """A stable digest of the three input tables (and the audits, when the snapshot carries
    them), to notice that the registers changed."""
    payload = {}
    for name in (*FRAMES, AUDITS) if AUDITS in frames else FRAMES:
        value = frames[name]
        records = frame_records(value) if isinstance(value, pd.DataFrame) else value
        payload[name] = sorted(json.dumps(r, sort_keys=True, default=str) for r in records)
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def apply_capacity_changes(
    capacity: pd.DataFrame, settings: pd.DataFrame, changes: Sequence[CapacityChange]
) -> pd.DataFrame:
    """A copy of ``capacity`` with the what-if edits; the register itself is never touched."""
    out = capacity.copy()
    if not changes:
        return out
    sector_of = dict(zip(settings["setting_id"].astype(str), settings["sector"], strict=True))
    lps = (
        pd.to_numeric(out["learners_per_supervisor"], errors="coerce").fillna(1)
        if "learners_per_supervisor" in out.columns
        else pd.Series(1.0, index=out.index)
    )
    if "places" not in out.columns:  # capacity given as supervisors x learners each
        out["places"] = (pd.to_numeric(out["supervisors"], errors="coerce").fillna(0) * lps).map(
            math.floor
        )
        out = out.drop(columns=["supervisors"])
    places = pd.to_numeric(out["places"], errors="coerce").fillna(0)
    for change in changes:
        hit = pd.Series(True, index=out.index)
        if change.setting_id:
            hit &= out["setting_id"].astype(str).map(register_code) == change.setting_id
        if change.sector:
            hit &= out["setting_id"].astype(str).map(sector_of) == change.sector
        if change.block:
            hit &= out["block"].astype(str) == change.block
        if change.places is not None:
            places = places.where(~hit, change.places)
        else:
            places = places.where(~hit, (places + change.add_supervisors * lps).clip(lower=0))
    out["places"] = places.map(math.floor).astype("int64")
    return out


def snapshot_frames(inputs: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return (
        records_frame(inputs.get("settings", []), ["setting_id", "sector", "programmes"]),
        records_frame(inputs.get("capacity", []), ["setting_id", "block", "places"]),
        records_frame(
            inputs.get("demand", []), ["request_id", "hei", "programme", "block", "learners"]
        ),
    )


def describe_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """What differs between two snapshots, in a sentence a coordinator can act on."""
    parts = []
    labels = {
        "settings": "settings",
        "capacity": "capacity rows",
        "demand": "requests",
        AUDITS: "educational audits",
    }
    for name in (*FRAMES, AUDITS):
        before = {json.dumps(r, sort_keys=True, default=str) for r in old.get(name, [])}
        after = {json.dumps(r, sort_keys=True, default=str) for r in new.get(name, [])}
        changed = len(before ^ after)
        if changed:
            parts.append(f"{labels[name]} ({changed} rows differ)")
    return ", ".join(parts) or "the registers"


def run_request_ids(inputs: Mapping[str, Any]) -> set[int]:
    """Database ids of the requests a run's snapshot covers (what its approval publishes)."""
    ids = inputs.get("ids", {}).get("requests", {})
    return {
        ids[str(r["request_id"])] for r in inputs.get("demand", []) if str(r["request_id"]) in ids
    }


def snapshot_audits(
    inputs: Mapping[str, Any],
) -> tuple[pd.DataFrame, dict[str, tuple[date, date]]] | None:
    """The audits a run was made with and its blocks' dates, or None: no audit rule."""
    if AUDITS not in inputs:
        return None
    audits = records_frame(
        inputs[AUDITS], ["setting_id", "audited_on", "expires_on", "outcome", "programmes"]
    )
    dates = {
        str(block): (date.fromisoformat(start), date.fromisoformat(end))
        for block, (start, end) in inputs.get("block_dates", {}).items()
    }
    return audits, dates
