"""Placement capacity against demand: pure pandas, no database, no Dash.

Places are always derived (practice supervisors x learners each supervisor supports, or, where
a setting names its staff, what they can support: ``queries.staff_capacity``), so a register, a
heatmap and the allocator's inputs cannot disagree about how many places there are.
Definitions in full: docs/measures.md, "Placement capacity".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

#: Learners one practice supervisor supports, by profession group, when nobody has said
#: otherwise. The NMC standards for student supervision and assessment set no national ratio,
#: so nursing, midwifery and nursing associates default to 1 (one learner per supervisor, the
#: commonest local model); AHP placements are often paired (2 learners to one educator), and
#: social work keeps one practice educator per student as its practice-learning model expects.
#: Read-only so no request can change the defaults for everyone else.
DEFAULT_LEARNERS_PER_SUPERVISOR: Mapping[str, int] = MappingProxyType(
    {
        "nursing": 1,
        "midwifery": 1,
        "nursing_associate": 1,
        "ahp": 2,
        "social_work": 1,
    }
)
#: Learners per supervisor where a setting runs a coaching model (Collaborative Learning in
#: Practice): up to 2 learners per coach.
COACHING_LEARNERS_PER_SUPERVISOR = 2

#: Row label for requests that name no sector (any sector will do).
ANY_SECTOR = "any sector"
#: Row label for the total over every sector (and over requests that name none).
ALL_SECTORS = "all sectors"

MATRIX_COLUMNS = ["places", "named_places", "requested", "spare", "shortfall", "places_per_learner"]
#: Where a capacity row's places come from (``queries.staff_capacity``): the setting's named
#: staff, or the typed counts of a setting that lists none (``vocabulary.CAPACITY_KINDS``).
NAMED, UNNAMED = "named", "unnamed"


def default_learners_per_supervisor(profession_group: str, *, coaching: bool = False) -> int:
    """The default ratio for a group; coaching models raise nursing-type groups to 2."""
    base = DEFAULT_LEARNERS_PER_SUPERVISOR.get(profession_group, 1)
    return max(base, COACHING_LEARNERS_PER_SUPERVISOR) if coaching else base


def places(supervisors: pd.Series | int, learners_per_supervisor: pd.Series | int) -> pd.Series:
    """Places offered: supervisors x learners each supports (whole learners only)."""
    result = pd.Series(supervisors) * pd.Series(learners_per_supervisor)
    return result.fillna(0).astype("int64")


def adjusted_supervisors(current: int, delta: int) -> tuple[int, bool]:
    """Supervisors after a bulk change, floored at zero; the flag says the floor was hit.

    A bulk "-2 supervisors in every care home" models losing staff: a home with one supervisor
    ends with none rather than making the whole change fail.
    """
    wanted = current + delta
    return max(wanted, 0), wanted < 0


def capacity_against_demand(
    capacity: pd.DataFrame,
    demand: pd.DataFrame,
    *,
    key: str,
    open_key: str | None = None,
    total_label: str | None = None,
) -> pd.DataFrame:
    """Places against learners requested for every ``key`` x block, long form.

    ``capacity`` has ``key``, ``block``, ``places`` and optionally ``capacity_kind``
    (``named_places``: the part of the places that named staff give; 0 without it);
    ``demand`` has ``key``, ``block``, ``learners``. ``open_key`` names demand that no single
    key's places can be compared with (requests with no required sector): its places, spare
    and shortfall are left empty rather than shown as a false shortfall. ``total_label`` adds
    a row per block over every key, where such open demand does meet places.
    """
    cap = (
        _with_named_places(capacity)
        .groupby([key, "block"], as_index=False)[["places", "named_places"]]
        .sum()
    )
    dem = (
        demand.groupby([key, "block"], as_index=False)["learners"]
        .sum()
        .rename(columns={"learners": "requested"})
    )
    out = cap.merge(dem, on=[key, "block"], how="outer")
    for column in ("places", "named_places"):
        out[column] = out[column].fillna(0).astype("float64")
    out["requested"] = out["requested"].fillna(0).astype("int64")
    if open_key is not None:
        out.loc[out[key] == open_key, ["places", "named_places"]] = np.nan
    if total_label is not None and not out.empty:
        total = (
            out.groupby("block", as_index=False)
            .agg(
                places=("places", lambda s: s.sum(min_count=0)),
                named_places=("named_places", lambda s: s.sum(min_count=0)),
                requested=("requested", "sum"),
            )
            .assign(**{key: total_label})
        )
        out = pd.concat([out, total[out.columns]], ignore_index=True)
    out["spare"] = out["places"] - out["requested"]
    out["shortfall"] = (out["requested"] - out["places"]).clip(lower=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = out["places"] / out["requested"].where(out["requested"] > 0)
    out["places_per_learner"] = ratio
    out = out.sort_values([key, "block"], kind="stable").reset_index(drop=True)
    return out[[key, "block", *MATRIX_COLUMNS]]


def _with_named_places(capacity: pd.DataFrame) -> pd.DataFrame:
    """``capacity`` with ``named_places``: its places where they come from named staff."""
    if "named_places" in capacity:
        return capacity
    if "capacity_kind" not in capacity:
        return capacity.assign(named_places=0)
    named = capacity["capacity_kind"] == NAMED
    return capacity.assign(named_places=capacity["places"].where(named, 0))


def programme_capacity(capacity: pd.DataFrame, hosting: pd.DataFrame) -> pd.DataFrame:
    """Places open to each programme: capacity rows of its profession group in settings that
    host it.

    ``capacity``: setting_id, block, profession_group, places. ``hosting``: setting_id,
    programme, profession_group (one row per programme a setting can host). A nursing place
    is open to every nursing programme its setting hosts, so programme rows overlap and must
    not be added up into a total.
    """
    merged = _with_named_places(capacity).merge(
        hosting, on=["setting_id", "profession_group"], how="inner"
    )
    return merged.groupby(["programme", "block"], as_index=False)[["places", "named_places"]].sum()


def matrix(long: pd.DataFrame, *, key: str, value: str) -> pd.DataFrame:
    """``key`` x block table of one column of :func:`capacity_against_demand`."""
    if long.empty:
        return pd.DataFrame()
    return long.pivot(index=key, columns="block", values=value)


def sector_coverage(capacity: pd.DataFrame, demand: pd.DataFrame) -> pd.DataFrame:
    """Places per learner requested, by sector and block, against all learners requested.

    Each sector's places are divided by every learner requested in the block (whatever sector
    they asked for), so the sectors add up to the block's overall coverage, and a sector's share
    reads as "care homes supply 0.1 places per learner requested". Blocks with no requests have
    no coverage (NaN), not infinite coverage.
    """
    cap = capacity.groupby(["sector", "block"], as_index=False)["places"].sum()
    requested = demand.groupby("block")["learners"].sum()
    blocks = sorted(set(cap["block"]) | set(requested.index))
    sectors = sorted(set(cap["sector"]))
    grid = pd.MultiIndex.from_product([sectors, blocks], names=["sector", "block"]).to_frame(
        index=False
    )
    out = grid.merge(cap, on=["sector", "block"], how="left")
    out["places"] = out["places"].fillna(0).astype("int64")
    out["requested"] = out["block"].map(requested).fillna(0).astype("int64")
    out["places_per_learner"] = out["places"] / out["requested"].where(out["requested"] > 0)
    return out


def setting_spare(capacity: pd.DataFrame, placed: pd.DataFrame) -> pd.DataFrame:
    """Places, learners already placed, and spare places per setting.

    ``capacity``: setting_id, places (any number of rows per setting); ``placed``: setting_id,
    learners. Spare can be negative when a setting's capacity was cut after placements were made:
    kept visible, since that is exactly what a coordinator must sort out.
    """
    cap = capacity.groupby("setting_id", as_index=False)["places"].sum()
    took = placed.groupby("setting_id", as_index=False)["learners"].sum()
    out = cap.merge(took, on="setting_id", how="outer").fillna({"places": 0, "learners": 0})
    out = out.rename(columns={"learners": "placed"})
    out["places"] = out["places"].astype("int64")
    out["placed"] = out["placed"].astype("int64")
    out["spare"] = out["places"] - out["placed"]
    return out


#: Calendar overlaps: two HEI programmes of one profession group on placement at once.
OVERLAP_COLUMNS = [
    "id_a",
    "hei_a",
    "programme_a",
    "id_b",
    "hei_b",
    "programme_b",
    "profession_group",
    "overlap_start",
    "overlap_end",
    "overlap_days",
]


def calendar_overlaps(calendar: pd.DataFrame) -> pd.DataFrame:
    """Pairs of calendar entries from different HEIs, same profession group, overlapping dates.

    Those HEIs compete for the same supervisors in the same weeks; staggering calendars is how
    systems ease that. ``calendar``: id, hei, programme, profession_group, start_date, end_date.
    Each pair appears once (lower id first) with the shared days (inclusive).
    """
    columns = OVERLAP_COLUMNS
    if calendar.empty:
        return pd.DataFrame(columns=columns)
    left = calendar[["id", "hei", "programme", "profession_group", "start_date", "end_date"]]
    pairs = left.merge(left, on="profession_group", suffixes=("_a", "_b"))
    pairs = pairs[(pairs["id_a"] < pairs["id_b"]) & (pairs["hei_a"] != pairs["hei_b"])]
    start = pairs[["start_date_a", "start_date_b"]].max(axis=1)
    end = pairs[["end_date_a", "end_date_b"]].min(axis=1)
    pairs = pairs.assign(overlap_start=start, overlap_end=end)
    pairs = pairs[pairs["overlap_end"] >= pairs["overlap_start"]]
    days = (
        pd.to_datetime(pairs["overlap_end"]) - pd.to_datetime(pairs["overlap_start"])
    ).dt.days + 1
    pairs = pairs.assign(overlap_days=days.astype("int64"))
    return pairs[columns].sort_values(["overlap_start", "id_a", "id_b"]).reset_index(drop=True)
