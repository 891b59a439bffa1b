"""Check and normalise the input tables, collecting every row-level problem before failing.

Over-subscription is never an error here: it is what the allocator is for. Only input that
cannot mean anything (negative counts, duplicate ids, unknown settings, a block nobody offers)
is rejected, all problems at once so a coordinator can fix the file in one go.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tracker.optimise.calendar import date_ranges, has_dates, overlapping_rows
from tracker.optimise.cells import (
    FALSE_WORDS,
    TRUE_WORDS,
    check_ids,
    check_known,
    coordinates,
    is_blank,
    numbers,
    positions,
    require_columns,
    row_of,
    text,
)
from tracker.optimise.model import SECTORS, AllocationProblem, InputError, Pin, Policy, Problem
from tracker.optimise.pins import check_pins, pair_breaks
from tracker.optimise.quality_review import review_as_inactive

__all__ = ["pair_breaks", "validate"]


def _settings(frame: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame | None:
    if not require_columns("settings", frame, ("setting_id", "sector", "programmes"), problems):
        return None
    frame = frame.reset_index(drop=True)
    setting_id = text(frame["setting_id"])
    check_ids("settings", "setting_id", setting_id, problems, unique=True)
    sector = text(frame["sector"], lower=True)
    check_known(
        "settings",
        "sector",
        sector,
        SECTORS,
        problems,
        f"must be one of {', '.join(SECTORS)}",
        blank_ok=False,
    )
    programmes: list[frozenset[str] | None] = []
    for pos, value in enumerate(text(frame["programmes"])):
        if value is None:
            problems.append(
                Problem(
                    "settings",
                    row_of(pos),
                    "programmes",
                    None,
                    "must list programme codes separated by ';', or '*'",
                )
            )
            programmes.append(frozenset())
        elif value == "*":
            programmes.append(None)
        else:
            programmes.append(frozenset(p.strip() for p in value.split(";") if p.strip()))
    active = pd.Series(np.ones(len(frame), dtype=bool))
    if "active" in frame.columns:
        for pos, value in enumerate(text(frame["active"])):
            if value is None:
                continue
            low = value.lower()
            if low in TRUE_WORDS:
                continue
            if low in FALSE_WORDS:
                active.iloc[pos] = False
            else:
                problems.append(
                    Problem("settings", row_of(pos), "active", value, "must be true or false")
                )
    lat, lon = coordinates("settings", frame, problems)
    # the reason a setting is under quality review; no column or an empty cell: not under review
    review = text(frame["quality_review"]) if "quality_review" in frame.columns else None
    return pd.DataFrame(
        {
            "setting_id": setting_id,
            "sector": sector,
            "programmes": programmes,
            "lat": lat.to_numpy(),
            "lon": lon.to_numpy(),
            "active": active.to_numpy(),
            "review": [None] * len(frame) if review is None else list(review),
        }
    )


def _capacity(frame: pd.DataFrame, known: set[str], problems: list[Problem]) -> pd.DataFrame | None:
    """Capacity per (setting, block), or per (setting, date range) when the table has dates."""
    dated = has_dates(frame)
    key_columns = ("setting_id",) if dated else ("setting_id", "block")
    if not require_columns("capacity", frame, key_columns, problems):
        return None
    frame = frame.reset_index(drop=True)
    if dated and "block" not in frame.columns:
        frame = frame.assign(block=None)
    has_places = "places" in frame.columns
    has_supervisors = "supervisors" in frame.columns and "learners_per_supervisor" in frame.columns
    if not has_places and not has_supervisors:
        problems.append(Problem("capacity", None, "places", None, _GIVE_PLACES))
        return None
    setting_id = text(frame["setting_id"])
    block = text(frame["block"])
    check_ids("capacity", "setting_id", setting_id, problems, unique=False)
    if not dated:
        check_ids("capacity", "block", block, problems, unique=False)
    check_known(
        "capacity",
        "setting_id",
        setting_id,
        known,
        problems,
        "unknown setting (not in the settings table)",
    )
    key = pd.Series(list(zip(setting_id, block, strict=True)))
    start, end = date_ranges("capacity", frame, problems, required=np.full(len(frame), dated))
    if dated:
        overlapping_rows(setting_id, start, end, problems)
        key = pd.Series([], dtype=object)
    for pos in positions(key.duplicated(keep="first").to_numpy()):
        problems.append(
            Problem(
                "capacity",
                row_of(int(pos)),
                "setting_id/block",
                f"{setting_id[pos]}, block {block[pos]}",
                "duplicate setting and block",
            )
        )
    places, per_supervisor = _places(frame, has_places, has_supervisors, problems)
    return pd.DataFrame(
        {
            "setting_id": setting_id,
            "block": block,
            "places": places,
            "learners_per_supervisor": per_supervisor,
            **({"start_date": start, "end_date": end} if dated else {}),
        }
    )


_GIVE_PLACES = "give places, or supervisors and learners_per_supervisor"


def _places(
    frame: pd.DataFrame, has_places: bool, has_supervisors: bool, problems: list[Problem]
) -> tuple[np.ndarray, np.ndarray]:
    """Places per capacity row (a ``places`` cell wins over supervisors), and learners per
    supervisor wherever the row says it: with its supervisors, or beside its places (the
    app's rows give places, from typed counts or named staff, with the register's ratio), so
    bottlenecks and what-ifs can say what one more supervisor there adds."""
    n = len(frame)
    places = pd.Series(np.full(n, np.nan))
    per_supervisor = pd.Series(np.full(n, np.nan))
    if has_supervisors:
        places, per_supervisor = _supervised_places(frame, has_places, problems)
    elif "learners_per_supervisor" in frame.columns:
        per_supervisor = numbers(
            "capacity",
            "learners_per_supervisor",
            frame["learners_per_supervisor"],
            problems,
            integer=False,
            required=False,
            strictly_positive=True,
        )
    if has_places:
        given_places = frame["places"].notna() & (frame["places"].astype(str).str.strip() != "")
        parsed = numbers(
            "capacity",
            "places",
            frame["places"].where(given_places, None),
            problems,
            integer=True,
            required=False,
        )
        places = parsed.where(given_places, places)
    for pos in positions(np.isnan(np.asarray(places, dtype=float))):
        row_given = (has_places and not is_blank(frame["places"].iloc[pos])) or (
            has_supervisors and not is_blank(frame["supervisors"].iloc[pos])
        )
        if not row_given:
            problems.append(Problem("capacity", row_of(int(pos)), "places", None, _GIVE_PLACES))
    places_arr = np.nan_to_num(np.asarray(places, dtype=float), nan=0.0)
    return np.maximum(places_arr, 0).astype(np.int64), np.asarray(per_supervisor, dtype=float)


def _supervised_places(
    frame: pd.DataFrame, has_places: bool, problems: list[Problem]
) -> tuple[pd.Series, pd.Series]:
    """Places from supervisors x learners per supervisor, on rows without a places cell."""
    sup_raw = frame["supervisors"]
    lps_raw = frame["learners_per_supervisor"]
    given = sup_raw.notna() & (sup_raw.astype(str).str.strip() != "")
    if has_places:
        given &= frame["places"].isna() | (frame["places"].astype(str).str.strip() == "")
    sup = numbers(
        "capacity",
        "supervisors",
        sup_raw.where(given, None),
        problems,
        integer=True,
        required=False,
    )
    lps = numbers(
        "capacity",
        "learners_per_supervisor",
        lps_raw.where(given, None),
        problems,
        integer=False,
        required=False,
        strictly_positive=True,
    )
    for pos in positions(given.to_numpy() & np.isnan(lps.to_numpy())):
        if not is_blank(lps_raw.iloc[pos]):
            continue
        problems.append(
            Problem(
                "capacity",
                row_of(int(pos)),
                "learners_per_supervisor",
                None,
                "must not be empty when supervisors is given",
            )
        )
    return np.floor(sup * lps + 1e-9), lps.where(given)


def _demand(frame: pd.DataFrame, problems: list[Problem], *, dated: bool) -> pd.DataFrame | None:
    """Requests; on dated capacity each needs its dates and its block is only a label."""
    required = ("request_id", "hei", "programme", "learners") + (() if dated else ("block",))
    if not require_columns("demand", frame, required, problems):
        return None
    frame = frame.reset_index(drop=True)
    if "block" not in frame.columns:
        frame = frame.assign(block=None)
    request_id = text(frame["request_id"])
    check_ids("demand", "request_id", request_id, problems, unique=True)
    hei = text(frame["hei"])
    programme = text(frame["programme"])
    block = text(frame["block"])
    checked = (("hei", hei), ("programme", programme)) + (() if dated else (("block", block),))
    for column, values in checked:
        check_ids("demand", column, values, problems, unique=False)
    start, end = date_ranges("demand", frame, problems, required=np.full(len(frame), dated))
    learners = numbers("demand", "learners", frame["learners"], problems, integer=True)
    if "sector" in frame.columns:
        sector = text(frame["sector"], lower=True)
        check_known(
            "demand",
            "sector",
            sector,
            SECTORS,
            problems,
            f"must be empty (any) or one of {', '.join(SECTORS)}",
        )
    else:
        sector = pd.Series([None] * len(frame), dtype="object")
    lat, lon = coordinates("demand", frame, problems)
    makeup = _makeup(frame, learners, problems)
    return pd.DataFrame(
        {
            "request_id": request_id,
            "hei": hei,
            "programme": programme,
            "block": block,
            "learners": np.nan_to_num(learners.to_numpy(), nan=0.0).clip(min=0).astype(np.int64),
            "sector": sector,
            "lat": lat.to_numpy(),
            "lon": lon.to_numpy(),
            "makeup_learners": makeup,
            **({"start_date": start, "end_date": end} if has_dates(frame) else {}),
        }
    )


def _makeup(frame: pd.DataFrame, learners: pd.Series, problems: list[Problem]) -> np.ndarray:
    """The optional ``makeup_learners`` column: how many of a request's learners make up
    practice hours (empty or absent: none), never more than the request's learners."""
    if "makeup_learners" not in frame.columns:
        return np.zeros(len(frame), np.int64)
    raw = frame["makeup_learners"]
    makeup = numbers("demand", "makeup_learners", raw, problems, integer=True, required=False)
    for pos in np.flatnonzero((makeup > learners).to_numpy()):
        problems.append(
            Problem(
                "demand",
                row_of(int(pos)),
                "makeup_learners",
                raw.iat[pos],
                "must not be more than the request's learners",
            )
        )
    counts: np.ndarray = np.nan_to_num(makeup.to_numpy(), nan=0.0).clip(min=0).astype(np.int64)
    return counts


def _previous(frame: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame | None:
    if not require_columns(
        "previous", frame, ("request_id", "setting_id", "block", "learners"), problems
    ):
        return None
    frame = frame.reset_index(drop=True)
    learners = numbers("previous", "learners", frame["learners"], problems, integer=True)
    return pd.DataFrame(
        {
            "request_id": text(frame["request_id"]),
            "setting_id": text(frame["setting_id"]),
            "block": text(frame["block"]),
            "learners": np.nan_to_num(learners.to_numpy(), nan=0.0).astype(np.int64),
        }
    )


def validate(
    settings: pd.DataFrame,
    capacity: pd.DataFrame,
    demand: pd.DataFrame,
    policy: Policy | None = None,
    *,
    pins: Sequence[Pin] = (),
    previous: pd.DataFrame | None = None,
) -> AllocationProblem:
    """Return normalised inputs, or raise one :class:`InputError` listing every problem."""
    policy = policy or Policy()
    problems: list[Problem] = []
    s = _settings(settings, problems)
    known = set() if s is None else {v for v in s["setting_id"] if v is not None}
    dated = has_dates(capacity)
    c = _capacity(capacity, known, problems)
    d = _demand(demand, problems, dated=dated)
    prev = None if previous is None else _previous(previous, problems)
    if dated and (pins or previous is not None):
        problems.append(
            Problem("pins", None, None, None, "pins and previous plans need capacity by block")
        )
    if c is not None and d is not None and not dated:
        check_known(
            "demand",
            "block",
            d["block"],
            set(c["block"].dropna()),
            problems,
            "no setting offers places in this block (it is not in the capacity table)",
        )
    if problems:
        raise InputError(problems)
    assert s is not None and c is not None and d is not None
    s = review_as_inactive(s, policy)
    checked_pins = check_pins(pins, s, c, d, policy, problems)
    if problems:
        raise InputError(problems)
    return AllocationProblem(
        settings=s,
        capacity=c,
        demand=d,
        policy=policy,
        pins=checked_pins,
        previous=prev,
        calendar=dated,
    )
