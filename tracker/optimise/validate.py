"""Check and normalise the input tables, collecting every row-level problem before failing.

Over-subscription is never an error here: it is what the allocator is for. Only input that
cannot mean anything (negative counts, duplicate ids, unknown settings, a block nobody offers)
is rejected, all problems at once so a coordinator can fix the file in one go.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from tracker.optimise.geo import haversine_km
from tracker.optimise.model import SECTORS, AllocationProblem, InputError, Pin, Policy, Problem

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


def _positions(mask: np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask)]


def _row(position: int) -> int:
    """Spreadsheet row number of a data row: the header is row 1."""
    return position + 2


def _text(series: pd.Series, *, lower: bool = False) -> pd.Series:
    """Strings with surrounding blanks removed; missing stays ``None`` (object dtype, so
    pandas does not turn ``None`` back into NaN)."""
    out: list[str | None] = []
    for v in series.tolist():
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            out.append(None)
            continue
        text = (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)).strip()
        out.append((text.lower() if lower else text) or None)
    return pd.Series(out, dtype="object")


def _require_columns(
    table: str, frame: pd.DataFrame, columns: Iterable[str], problems: list[Problem]
) -> bool:
    missing = [c for c in columns if c not in frame.columns]
    for column in missing:
        problems.append(Problem(table, None, column, None, "required column is missing"))
    return not missing


def _ids(
    table: str, column: str, values: pd.Series, problems: list[Problem], *, unique: bool
) -> None:
    for pos, value in enumerate(values):
        if value is None:
            problems.append(Problem(table, _row(pos), column, None, "must not be empty"))
    if unique:
        present = values[values.notna()]
        for pos in _positions(present.duplicated(keep="first").to_numpy()):
            first = int(np.flatnonzero((values == present.iloc[pos]).to_numpy())[0])
            where = int(present.index[pos])
            problems.append(
                Problem(
                    table,
                    _row(where),
                    column,
                    present.iloc[pos],
                    f"duplicate id (first used on row {_row(first)})",
                )
            )


def _numbers(
    table: str,
    column: str,
    values: pd.Series,
    problems: list[Problem],
    *,
    integer: bool,
    minimum: float | None = 0,
    required: bool = True,
    strictly_positive: bool = False,
) -> pd.Series:
    """Parse numbers row by row; report each bad cell; missing gives NaN."""
    parsed = pd.to_numeric(values, errors="coerce").astype("float64")
    for pos, (raw, num) in enumerate(zip(values, parsed, strict=True)):
        missing = (
            raw is None or (isinstance(raw, float) and np.isnan(raw)) or str(raw).strip() == ""
        )
        if missing:
            if required:
                problems.append(Problem(table, _row(pos), column, None, "must not be empty"))
            continue
        if np.isnan(num) or not np.isfinite(num):
            problems.append(Problem(table, _row(pos), column, raw, "must be a number"))
        elif integer and num != np.floor(num):
            problems.append(Problem(table, _row(pos), column, raw, "must be a whole number"))
        elif strictly_positive and num <= 0:
            problems.append(Problem(table, _row(pos), column, raw, "must be greater than 0"))
        elif minimum is not None and num < minimum:
            problems.append(
                Problem(table, _row(pos), column, raw, f"must not be below {minimum:g}")
            )
    return parsed


def _coordinates(
    table: str, frame: pd.DataFrame, problems: list[Problem]
) -> tuple[pd.Series, pd.Series]:
    n = len(frame)
    if "lat" not in frame.columns and "lon" not in frame.columns:
        nan = pd.Series(np.full(n, np.nan))
        return nan, nan.copy()
    if ("lat" in frame.columns) != ("lon" in frame.columns):
        present = "lat" if "lat" in frame.columns else "lon"
        problems.append(Problem(table, None, present, None, "lat and lon must be given together"))
        nan = pd.Series(np.full(n, np.nan))
        return nan, nan.copy()
    lat = _numbers(
        table,
        "lat",
        frame["lat"].reset_index(drop=True),
        problems,
        integer=False,
        minimum=None,
        required=False,
    )
    lon = _numbers(
        table,
        "lon",
        frame["lon"].reset_index(drop=True),
        problems,
        integer=False,
        minimum=None,
        required=False,
    )
    for pos, (a, b) in enumerate(zip(lat, lon, strict=True)):
        if np.isnan(a) != np.isnan(b):
            problems.append(
                Problem(table, _row(pos), "lat/lon", None, "give both lat and lon, or neither")
            )
        elif not np.isnan(a) and not (-90 <= a <= 90 and -180 <= b <= 180):
            problems.append(
                Problem(table, _row(pos), "lat/lon", f"{a}, {b}", "is not a latitude/longitude")
            )
    return lat, lon


def _settings(frame: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame | None:
    if not _require_columns("settings", frame, ("setting_id", "sector", "programmes"), problems):
        return None
    frame = frame.reset_index(drop=True)
    setting_id = _text(frame["setting_id"])
    _ids("settings", "setting_id", setting_id, problems, unique=True)
    sector = _text(frame["sector"], lower=True)
    for pos, value in enumerate(sector):
        if value not in SECTORS:
            problems.append(
                Problem(
                    "settings", _row(pos), "sector", value, f"must be one of {', '.join(SECTORS)}"
                )
            )
    programmes: list[frozenset[str] | None] = []
    for pos, value in enumerate(_text(frame["programmes"])):
        if value is None:
            problems.append(
                Problem(
                    "settings",
                    _row(pos),
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
        for pos, value in enumerate(_text(frame["active"])):
            if value is None:
                continue
            low = value.lower()
            if low in _TRUE:
                continue
            if low in _FALSE:
                active.iloc[pos] = False
            else:
                problems.append(
                    Problem("settings", _row(pos), "active", value, "must be true or false")
                )
    lat, lon = _coordinates("settings", frame, problems)
    return pd.DataFrame(
        {
            "setting_id": setting_id,
            "sector": sector,
            "programmes": programmes,
            "lat": lat.to_numpy(),
            "lon": lon.to_numpy(),
            "active": active.to_numpy(),
        }
    )


def _capacity(frame: pd.DataFrame, known: set[str], problems: list[Problem]) -> pd.DataFrame | None:
    if not _require_columns("capacity", frame, ("setting_id", "block"), problems):
        return None
    frame = frame.reset_index(drop=True)
    has_places = "places" in frame.columns
    has_supervisors = "supervisors" in frame.columns and "learners_per_supervisor" in frame.columns
    if not has_places and not has_supervisors:
        problems.append(
            Problem(
                "capacity",
                None,
                "places",
                None,
                "give places, or supervisors and learners_per_supervisor",
            )
        )
        return None
    setting_id = _text(frame["setting_id"])
    block = _text(frame["block"])
    _ids("capacity", "setting_id", setting_id, problems, unique=False)
    _ids("capacity", "block", block, problems, unique=False)
    for pos, value in enumerate(setting_id):
        if value is not None and value not in known:
            problems.append(
                Problem(
                    "capacity",
                    _row(pos),
                    "setting_id",
                    value,
                    "unknown setting (not in the settings table)",
                )
            )
    key = pd.Series(list(zip(setting_id, block, strict=True)))
    for pos in _positions(key.duplicated(keep="first").to_numpy()):
        problems.append(
            Problem(
                "capacity",
                _row(int(pos)),
                "setting_id/block",
                f"{setting_id[pos]}, block {block[pos]}",
                "duplicate setting and block",
            )
        )
    n = len(frame)
    places = pd.Series(np.full(n, np.nan))
    per_supervisor = pd.Series(np.full(n, np.nan))
    if has_supervisors:
        sup_raw = frame["supervisors"]
        lps_raw = frame["learners_per_supervisor"]
        given = sup_raw.notna() & (sup_raw.astype(str).str.strip() != "")
        if has_places:
            given &= frame["places"].isna() | (frame["places"].astype(str).str.strip() == "")
        sup = _numbers(
            "capacity",
            "supervisors",
            sup_raw.where(given, None),
            problems,
            integer=True,
            required=False,
        )
        lps = _numbers(
            "capacity",
            "learners_per_supervisor",
            lps_raw.where(given, None),
            problems,
            integer=False,
            required=False,
            strictly_positive=True,
        )
        for pos in _positions(given.to_numpy() & np.isnan(lps.to_numpy())):
            if not _is_blank(lps_raw.iloc[pos]):
                continue
            problems.append(
                Problem(
                    "capacity",
                    _row(int(pos)),
                    "learners_per_supervisor",
                    None,
                    "must not be empty when supervisors is given",
                )
            )
        places = np.floor(sup * lps + 1e-9)
        per_supervisor = lps.where(given)
    if has_places:
        given_places = frame["places"].notna() & (frame["places"].astype(str).str.strip() != "")
        parsed = _numbers(
            "capacity",
            "places",
            frame["places"].where(given_places, None),
            problems,
            integer=True,
            required=False,
        )
        places = parsed.where(given_places, places)
    for pos in _positions(np.isnan(np.asarray(places, dtype=float))):
        row_given = (has_places and not _is_blank(frame["places"].iloc[pos])) or (
            has_supervisors and not _is_blank(frame["supervisors"].iloc[pos])
        )
        if not row_given:
            problems.append(
                Problem(
                    "capacity",
                    _row(int(pos)),
                    "places",
                    None,
                    "give places, or supervisors and learners_per_supervisor",
                )
            )
    places_arr = np.nan_to_num(np.asarray(places, dtype=float), nan=0.0)
    return pd.DataFrame(
        {
            "setting_id": setting_id,
            "block": block,
            "places": np.maximum(places_arr, 0).astype(np.int64),
            "learners_per_supervisor": np.asarray(per_supervisor, dtype=float),
        }
    )


def _is_blank(value: object) -> bool:
    return (
        value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""
    )


def _demand(frame: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame | None:
    required = ("request_id", "hei", "programme", "block", "learners")
    if not _require_columns("demand", frame, required, problems):
        return None
    frame = frame.reset_index(drop=True)
    request_id = _text(frame["request_id"])
    _ids("demand", "request_id", request_id, problems, unique=True)
    hei = _text(frame["hei"])
    programme = _text(frame["programme"])
    block = _text(frame["block"])
    for column, values in (("hei", hei), ("programme", programme), ("block", block)):
        _ids("demand", column, values, problems, unique=False)
    learners = _numbers("demand", "learners", frame["learners"], problems, integer=True)
    if "sector" in frame.columns:
        sector = _text(frame["sector"], lower=True)
        for pos, value in enumerate(sector):
            if value is not None and value not in SECTORS:
                problems.append(
                    Problem(
                        "demand",
                        _row(pos),
                        "sector",
                        value,
                        f"must be empty (any) or one of {', '.join(SECTORS)}",
                    )
                )
    else:
        sector = pd.Series([None] * len(frame), dtype="object")
    lat, lon = _coordinates("demand", frame, problems)
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
        }
    )


def _previous(frame: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame | None:
    if not _require_columns(
        "previous", frame, ("request_id", "setting_id", "block", "learners"), problems
    ):
        return None
    frame = frame.reset_index(drop=True)
    learners = _numbers("previous", "learners", frame["learners"], problems, integer=True)
    return pd.DataFrame(
        {
            "request_id": _text(frame["request_id"]),
            "setting_id": _text(frame["setting_id"]),
            "block": _text(frame["block"]),
            "learners": np.nan_to_num(learners.to_numpy(), nan=0.0).astype(np.int64),
        }
    )


def pair_breaks(
    settings_row: pd.Series, demand_row: pd.Series, max_distance_km: float | None
) -> str | None:
    """The first hard rule a single (request, setting) pair breaks, by its human name."""
    if not bool(settings_row["active"]):
        return "active setting"
    hosted = settings_row["programmes"]
    if hosted is not None and demand_row["programme"] not in hosted:
        return "programme hosted"
    if demand_row["sector"] is not None and demand_row["sector"] != settings_row["sector"]:
        return "required sector"
    if max_distance_km is not None:
        km = haversine_km(
            demand_row["lat"], demand_row["lon"], settings_row["lat"], settings_row["lon"]
        )
        if np.isfinite(km) and km > max_distance_km:
            return "distance limit"
    return None


def _pins(
    pins: Sequence[Pin],
    settings: pd.DataFrame,
    capacity: pd.DataFrame,
    demand: pd.DataFrame,
    policy: Policy,
    problems: list[Problem],
) -> tuple[Pin, ...]:
    out: list[Pin] = []
    s_index = {sid: i for i, sid in enumerate(settings["setting_id"])}
    r_index = {rid: i for i, rid in enumerate(demand["request_id"])}
    places = {
        (s, b): int(p)
        for s, b, p in zip(
            capacity["setting_id"], capacity["block"], capacity["places"], strict=True
        )
    }
    per_request: dict[str, int] = {}
    per_place: dict[tuple[str, str], int] = {}
    for pos, raw in enumerate(pins):
        pin = Pin(str(raw.request_id), str(raw.setting_id), str(raw.block), raw.learners)
        row = pos + 1
        if not isinstance(pin.learners, int | np.integer) or pin.learners <= 0:
            problems.append(
                Problem("pins", row, "learners", pin.learners, "must be a whole number above 0")
            )
            continue
        if pin.request_id not in r_index:
            problems.append(Problem("pins", row, "request_id", pin.request_id, "unknown request"))
            continue
        if pin.setting_id not in s_index:
            problems.append(Problem("pins", row, "setting_id", pin.setting_id, "unknown setting"))
            continue
        request = demand.iloc[r_index[pin.request_id]]
        if request["block"] != pin.block:
            problems.append(
                Problem(
                    "pins",
                    row,
                    "block",
                    pin.block,
                    f"request {pin.request_id} is for block {request['block']}",
                )
            )
            continue
        broken = pair_breaks(
            settings.iloc[s_index[pin.setting_id]], request, policy.max_distance_km
        )
        if broken:
            problems.append(
                Problem(
                    "pins",
                    row,
                    "setting_id",
                    pin.setting_id,
                    f"breaks the rule '{broken}' for request {pin.request_id}",
                )
            )
            continue
        per_request[pin.request_id] = per_request.get(pin.request_id, 0) + int(pin.learners)
        key = (pin.setting_id, pin.block)
        per_place[key] = per_place.get(key, 0) + int(pin.learners)
        out.append(Pin(pin.request_id, pin.setting_id, pin.block, int(pin.learners)))
    for rid, n in per_request.items():
        asked = int(demand.iloc[r_index[rid]]["learners"])
        if n > asked:
            problems.append(
                Problem(
                    "pins",
                    None,
                    "learners",
                    n,
                    f"pins give request {rid} more learners than the {asked} "
                    "it asked for (rule 'request size')",
                )
            )
    for (sid, block), n in per_place.items():
        have = places.get((sid, block), 0)
        if n > have:
            problems.append(
                Problem(
                    "pins",
                    None,
                    "learners",
                    n,
                    f"pins put more learners at {sid} in block {block} than its "
                    f"{have} places (rule 'supervisor capacity')",
                )
            )
    return tuple(out)


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
    c = _capacity(capacity, known, problems)
    d = _demand(demand, problems)
    prev = None if previous is None else _previous(previous, problems)
    if c is not None and d is not None:
        offered = set(c["block"].dropna())
        for pos, block in enumerate(d["block"]):
            if block is not None and block not in offered:
                problems.append(
                    Problem(
                        "demand",
                        _row(pos),
                        "block",
                        block,
                        "no setting offers places in this block (it is not in the capacity table)",
                    )
                )
    if problems:
        raise InputError(problems)
    assert s is not None and c is not None and d is not None
    checked_pins = _pins(pins, s, c, d, policy, problems)
    if problems:
        raise InputError(problems)
    return AllocationProblem(
        settings=s, capacity=c, demand=d, policy=policy, pins=checked_pins, previous=prev
    )
