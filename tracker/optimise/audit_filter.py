"""Stage 1 with educational audits: a setting offers its places to a programme only in the
blocks, or on the dates, its approved, in-date audit covers for that programme.

An input filter on the arc side, leaving the allocator itself untouched: each request's
programme becomes "programme in block B", and each setting hosts "programme in block B" only
where the programme rule already let it host the programme *and* an audit covers the block's
dates (``audits.audit_problem``). The allocator's own "programme hosted" rule then drops
exactly the unaudited arcs. Programme names are restored in the result, and a request that
lost places this way gets the reason "educational audit expired / not approved for PROGRAMME
at SETTING" (code ``audit``).

A dated request (``start_date``/``end_date``, the calendar engine) is checked on its own
dates rather than a block's: its programme becomes "programme on START..END", so a setting
whose audit expires before the request's last day, or starts after its first, cannot take it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tracker.optimise.audits import Audit, audit_problem, read_audits
from tracker.optimise.calendar import date_ranges
from tracker.optimise.cells import row_of, text
from tracker.optimise.geo import haversine_km
from tracker.optimise.model import AllocationResult, InputError, Policy, Problem
from tracker.optimise.practice_tables import Cells
from tracker.optimise.solve import allocate

_SEP = " @block "
_DATES = " @dates "


def _hosted(value: object) -> frozenset[str] | None:
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    text = text.strip()
    if text == "*":
        return None
    return frozenset(p.strip() for p in text.split(";") if p.strip())


def read_block_dates(frame: pd.DataFrame) -> dict[str, tuple[date, date]]:
    """Each block's first and last day from a ``block, start_date, end_date`` table (the
    ``allocate`` command's ``--blocks`` file); raises ``InputError`` naming every bad row."""
    problems: list[Problem] = []
    c = Cells("blocks", frame, problems)
    out: dict[str, tuple[date, date]] = {}
    if c.require("block", "start_date", "end_date"):
        for pos in range(len(c)):
            block = c.text(pos, "block", required=True)
            start, end = c.span(pos, "start_date", "end_date")
            if block is not None and block in out:
                c.bad(pos, "block", block, "is listed twice")
            elif block is not None and start is not None and end is not None:
                out[block] = (start, end)
    if problems:
        raise InputError(problems)
    return out


def audited_frames(
    settings: pd.DataFrame,
    demand: pd.DataFrame,
    audits: pd.DataFrame,
    block_dates: Mapping[str, tuple[date, date]],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[tuple[str, str], list[str]]]:
    """The settings and demand frames with the audit rule written into their programmes, and
    per (programme, block) the settings it refused; raises ``InputError`` on bad audits or a
    block without dates. ``validate`` on these frames checks a hand-made plan (pins) against
    the audit rule exactly as ``allocate_with_audits`` plans."""
    problems: list[Problem] = []
    checked = read_audits(audits, problems)
    spans = _spans(demand, block_dates, problems)
    if problems:
        raise InputError(problems)
    programmes = sorted({str(p).strip() for p in demand["programme"].dropna()})
    keys = sorted({(k, a, b) for k, a, b in spans})
    s = settings.copy()
    lost: dict[tuple[str, str], list[str]] = {}  # (programme, block or dates) -> refused
    virtual: list[str] = []
    for sid, value in zip(s["setting_id"].astype(str).str.strip(), s["programmes"], strict=True):
        hosted = _hosted(value)
        mine = [p for p in programmes if hosted is None or p in hosted]
        keep = []
        for p in mine:
            for key, start, end in keys:
                if _refused(checked, sid, p, start, end):
                    lost.setdefault((p, key), []).append(sid)
                else:
                    keep.append(f"{p}{key}")
        virtual.append(";".join(keep) or "-")
    s["programmes"] = virtual
    d = demand.copy()
    d["programme"] = [
        f"{str(p).strip()}{key}" for p, (key, _, _) in zip(demand["programme"], spans, strict=True)
    ]
    return s, d, lost


def _spans(
    demand: pd.DataFrame, block_dates: Mapping[str, tuple[date, date]], problems: list[Problem]
) -> list[tuple[str, date, date]]:
    """Per request, the key its programme is written with and the dates an audit must cover:
    its own ``start_date``..``end_date`` where given (a dated request, checked day by day on
    the calendar), else its block's dates. Problems name the rows without either."""
    n = len(demand)
    start, end = date_ranges("demand", demand, problems, required=np.zeros(n, bool))
    blocks = demand["block"] if "block" in demand.columns else pd.Series([None] * n)
    out: list[tuple[str, date, date]] = []
    for pos, block in enumerate(text(blocks)):
        if not np.isnat(start[pos]) and not np.isnat(end[pos]):
            a, b = pd.Timestamp(start[pos]).date(), pd.Timestamp(end[pos]).date()
            out.append((f"{_DATES}{a.isoformat()}..{b.isoformat()}", a, b))
        elif block is not None and block in block_dates:
            out.append((f"{_SEP}{block}", *block_dates[block]))
        else:
            why = (
                "the block's dates are needed to check audits (--blocks)"
                if block is not None
                else "give the request's dates (start_date, end_date) or its block to check audits"
            )
            problems.append(Problem("demand", row_of(pos), "block", block, why))
            out.append(("", date.min, date.min))
    return out


def block_key(block: str) -> str:
    """The key ``audited_frames`` files a block's refused settings under (in ``lost``)."""
    return f"{_SEP}{block}"


def plain_message(text: str) -> str:
    """A message about the rewritten frames in the user's words ("programme in block B")."""
    return text.replace(_SEP, " in block ").replace(_DATES, " on ")


def allocate_with_audits(
    settings: pd.DataFrame,
    capacity: pd.DataFrame,
    demand: pd.DataFrame,
    audits: pd.DataFrame,
    block_dates: Mapping[str, tuple[date, date]],
    policy: Policy | None = None,
    *,
    run: Callable[..., AllocationResult] = allocate,
    **options: Any,
) -> AllocationResult:
    """``allocate`` with the audit rule; ``block_dates`` gives each block's first and last day."""
    s, d, lost = audited_frames(settings, demand, audits, block_dates)
    result = run(s, capacity, d, policy if policy is not None else Policy(), **options)
    return _restore(result, lost, settings, capacity, demand, policy or Policy())


def _refused(checked: tuple[Audit, ...], sid: str, programme: str, start: date, end: date) -> bool:
    return audit_problem(checked, sid, programme, start, end) is not None


def _plain(value: object) -> object:
    return value.split(_SEP)[0].split(_DATES)[0] if isinstance(value, str) else value


def _restore(
    result: AllocationResult,
    lost: dict[tuple[str, str], list[str]],
    settings: pd.DataFrame,
    capacity: pd.DataFrame,
    demand: pd.DataFrame,
    policy: Policy,
) -> AllocationResult:
    placements = result.placements.copy()
    if "programme" in placements.columns:
        placements["programme"] = placements["programme"].map(_plain)
    unmet = result.unmet.copy()
    if len(unmet):
        origin = demand.assign(request_id=demand["request_id"].astype(str).str.strip())
        origin = origin.drop_duplicates("request_id").set_index("request_id")
        unmet["reason"] = [
            _audit_reason(r, lost, settings, capacity, origin, policy) for r in unmet.itertuples()
        ]
        unmet["reason_code"] = [
            "audit" if str(reason).startswith("educational audit") else code
            for code, reason in zip(unmet["reason_code"], unmet["reason"], strict=True)
        ]
        unmet["programme"] = unmet["programme"].map(_plain)
    messages = tuple(plain_message(m) for m in result.messages)
    return replace(result, placements=placements, unmet=unmet, messages=messages)


def _audit_reason(
    row: Any,
    lost: dict[tuple[str, str], list[str]],
    settings: pd.DataFrame,
    capacity: pd.DataFrame,
    origin: pd.DataFrame,
    policy: Policy,
) -> str:
    """The audit reason when settings with places in the block or on the request's dates
    (within reach) were refused for the request's programme; otherwise the allocator's own
    reason, programme restored."""
    written = str(row.programme)
    programme = str(_plain(written))
    key = written[len(programme) :]
    own = str(row.reason).replace(written, programme)
    refused = lost.get((programme, key), [])
    if not refused:
        return own
    with_places = _with_places(capacity, key)
    near = [sid for sid in refused if sid in with_places]
    if policy.max_distance_km is not None and near:
        near = _within(near, origin.loc[str(row.request_id)], settings, policy.max_distance_km)
    if not near:
        return own
    shown = ", ".join(near[:10]) + (f" and {len(near) - 10} more" if len(near) > 10 else "")
    return f"educational audit expired / not approved for {programme} at {shown}; {own}"


def _with_places(capacity: pd.DataFrame, key: str) -> set[str]:
    """Settings with places in the block, or on some day of the dates, that ``key`` names."""
    sid = capacity["setting_id"].astype(str).str.strip()
    has = pd.to_numeric(capacity["places"], errors="coerce").fillna(0) > 0
    if key.startswith(_SEP):
        return set(sid[has & (capacity["block"].astype(str).str.strip() == key[len(_SEP) :])])
    if "start_date" not in capacity.columns:  # dated requests on block capacity
        return set(sid[has])
    first, last = key[len(_DATES) :].split("..")
    start = pd.to_datetime(capacity["start_date"], errors="coerce")
    end = pd.to_datetime(capacity["end_date"], errors="coerce")
    return set(sid[has & (start <= pd.Timestamp(last)) & (end >= pd.Timestamp(first))])


def _within(sids: list[str], row: Any, settings: pd.DataFrame, km: float) -> list[str]:
    lat = pd.to_numeric(row.get("lat"), errors="coerce")
    lon = pd.to_numeric(row.get("lon"), errors="coerce")
    if pd.isna(lat) or pd.isna(lon):
        return sids
    at = settings.assign(setting_id=settings["setting_id"].astype(str).str.strip()).set_index(
        "setting_id"
    )
    out = []
    for sid in sids:
        d = haversine_km(
            float(lat),
            float(lon),
            pd.to_numeric(at.at[sid, "lat"], errors="coerce"),
            pd.to_numeric(at.at[sid, "lon"], errors="coerce"),
        )
        if not d > km:
            out.append(sid)
    return out
