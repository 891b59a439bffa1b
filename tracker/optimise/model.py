"""Inputs and outputs of the fair placement allocator, as frozen dataclasses.

Callers (the service layer, the web app, the command line) only ever see these types; the
solver internals live in ``network.py`` and ``lp.py``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

import pandas as pd

SECTORS: tuple[str, ...] = (
    "acute",
    "primary_care",
    "community",
    "mental_health",
    "care_home",
    "social_care",
    "vcse",
)

SECTOR_NAMES: dict[str, str] = {
    "acute": "acute",
    "primary_care": "primary care",
    "community": "community",
    "mental_health": "mental health",
    "care_home": "care home",
    "social_care": "social care",
    "vcse": "voluntary sector",
}

Solver = Literal["highs", "cbc"]
Method = Literal["network", "lp"]
Status = Literal["optimal", "time_limit", "failed"]
Fairness = Literal["leximin", "max_min"]
#: What a setting under quality review is offered: no new learners (a hard rule), or new
#: learners only where nothing else does as well (a soft level after least travel).
QualityReviewPolicy = Literal["no_new_learners", "prefer_others"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, pointing at the row a coordinator must fix.

    ``row`` is numbered as in a spreadsheet (the header is row 1, the first data row is
    row 2); ``None`` when the problem is about the table as a whole.
    """

    table: str
    row: int | None
    column: str | None
    value: object
    message: str

    def __str__(self) -> str:
        where = self.table if self.row is None else f"{self.table} row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        shown = "" if self.value is None or _is_missing(self.value) else f" (value {self.value!r})"
        return f"{where}: {self.message}{shown}"


class InputError(ValueError):
    """Invalid or inconsistent input: every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = [str(p) for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"... and {len(self.problems) - 50} more problems")
        super().__init__(f"{len(self.problems)} problem(s) in the input:\n" + "\n".join(lines))


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Policy:
    """How to allocate: the distance limit, the solver and which objective levels are on.

    The levels are always in the same strict priority (most learners placed, fair share
    between HEIs, fair share between sectors, least travel); switching one off only skips it.
    ``method="network"`` solves every level with exact network-flow algorithms;
    ``method="lp"`` builds the same levels as a PuLP model solved by ``solver``. Tests prove
    the two give the same objective values. Capacity given by date ranges is always solved by
    the calendar engine (``milp.py``). In every engine ``fairness="leximin"`` (the default)
    makes the HEI fills and sector utilisations leximin (``leximin.py`` on the network,
    ``lp_leximin.py`` in PuLP) and ``"max_min"`` keeps the two one-step levels.
    ``quality_review`` says what settings whose ``quality_review`` cell gives a reason get:
    ``"no_new_learners"`` (the hard rule "setting under quality review") or
    ``"prefer_others"`` (learners go there only where no other plan as good on every earlier
    level, least travel included, avoids it).
    """

    max_distance_km: float | None = None
    solver: Solver = "highs"
    method: Method = "network"
    time_limit_s: float | None = None
    fair_share_between_heis: bool = True
    fair_share_between_sectors: bool = True
    minimise_travel: bool = True
    stay_close_to_previous: bool = True
    fairness: Fairness = "leximin"
    quality_review: QualityReviewPolicy = "no_new_learners"

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        if self.max_distance_km is not None and not (
            isinstance(self.max_distance_km, int | float)
            and math.isfinite(self.max_distance_km)
            and self.max_distance_km > 0
        ):
            problems.append(
                _policy_problem(
                    "max_distance_km",
                    self.max_distance_km,
                    "must be a positive number of km or null",
                )
            )
        if self.solver not in ("highs", "cbc"):
            problems.append(_policy_problem("solver", self.solver, "must be 'highs' or 'cbc'"))
        if self.method not in ("network", "lp"):
            problems.append(_policy_problem("method", self.method, "must be 'network' or 'lp'"))
        if self.fairness not in ("leximin", "max_min"):
            problems.append(
                _policy_problem("fairness", self.fairness, "must be 'leximin' or 'max_min'")
            )
        if self.quality_review not in ("no_new_learners", "prefer_others"):
            problems.append(
                _policy_problem(
                    "quality_review",
                    self.quality_review,
                    "must be 'no_new_learners' or 'prefer_others'",
                )
            )
        if self.time_limit_s is not None and not (
            isinstance(self.time_limit_s, int | float) and self.time_limit_s > 0
        ):
            problems.append(
                _policy_problem(
                    "time_limit_s",
                    self.time_limit_s,
                    "must be a positive number of seconds or null",
                )
            )
        for name in (
            "fair_share_between_heis",
            "fair_share_between_sectors",
            "minimise_travel",
            "stay_close_to_previous",
        ):
            if not isinstance(getattr(self, name), bool):
                problems.append(_policy_problem(name, getattr(self, name), "must be true or false"))
        if problems:
            raise InputError(problems)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(
                [
                    _policy_problem(key, data[key], f"unknown key; known keys are {sorted(known)}")
                    for key in unknown
                ]
            )
        return cls(**dict(data))

    @classmethod
    def from_json(cls, source: str | Path | Mapping[str, Any]) -> Policy:
        """Read a policy from JSON text, a JSON file path or an already parsed mapping."""
        if isinstance(source, Mapping):
            return cls.from_dict(source)
        text = source.read_text() if isinstance(source, Path) else source
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                [Problem("policy", None, None, None, f"not valid JSON: {exc}")]
            ) from exc
        if not isinstance(data, dict):
            raise InputError([Problem("policy", None, None, None, "must be a JSON object")])
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _policy_problem(key: str, value: object, message: str) -> Problem:
    return Problem("policy", None, key, value, message)


@dataclass(frozen=True)
class Pin:
    """Learners fixed in advance at a setting (a placement already agreed)."""

    request_id: str
    setting_id: str
    block: str
    learners: int


@dataclass(frozen=True)
class AllocationProblem:
    """Validated, normalised inputs: ids and blocks as strings, counts as integers.

    ``settings``: setting_id, sector, programmes (frozenset or None for any), lat, lon, active.
    ``capacity``: setting_id, block, places (learners_per_supervisor when it was given).
    ``demand``: request_id, hei, programme, block, learners, sector (None = any), lat, lon.
    """

    settings: pd.DataFrame
    capacity: pd.DataFrame
    demand: pd.DataFrame
    policy: Policy = field(default_factory=Policy)
    pins: tuple[Pin, ...] = ()
    previous: pd.DataFrame | None = None
    calendar: bool = False  # capacity given per date range: placements occupy every day


@dataclass(frozen=True)
class ObjectiveLevels:
    """The value reached at each objective level, in priority order."""

    requested: int
    placed: int
    min_hei_fill: float
    max_sector_utilisation: float
    learner_km: float
    moved_learners: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


#: Why a round of a fairness level held its HEIs or sectors where they are: the places in reach
#: of their unmet learners are full; every learner they asked for with a place in reach is
#: placed; the most learners that can be placed are placed (held by the total); no setting in
#: reach has places on the dates of their unmet requests; fully placed; every learner who could
#: go to the sector is there.
HeldReason = Literal["full", "all_placed", "by_total", "no_places", "fully_placed", "all_there"]


@dataclass(frozen=True)
class Held:
    """One round of a fairness level, as data: who was held at which value, and by what.

    ``level`` is ``fair_share_between_heis`` or ``fair_share_between_sectors``; ``members``
    (HEI code or sector code, fill or utilisation); ``places`` the full places that held them
    (setting id, and its block; the block is empty on dated capacity). The plan's text
    ``explanation`` is written from these, and the app shows them in its own words.
    """

    level: str
    round: int
    members: tuple[tuple[str, float], ...]
    places: tuple[tuple[str, str], ...]
    reason: HeldReason

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "round": self.round,
            "members": [[name, float(value)] for name, value in self.members],
            "places": [[setting, block] for setting, block in self.places],
            "reason": self.reason,
        }


@dataclass(frozen=True)
class AllocationResult:
    """A plan and everything a coordinator needs to trust it.

    ``placements``: request_id, setting_id, block, learners, hei, programme, sector,
    distance_km, pinned. ``unmet``: request_id, hei, programme, block, learners, reason_code,
    reason. ``hei_fill``: hei, requested, placed, fill_ratio. ``sector_utilisation``: sector,
    places, placed, utilisation. ``setting_utilisation``: setting_id, sector, block, places,
    placed, utilisation. ``bottlenecks``: setting_id, block, sector, places, placed,
    unmet_in_reach, learners_per_supervisor, supervisors_to_add.
    """

    status: Status
    placements: pd.DataFrame
    unmet: pd.DataFrame
    hei_fill: pd.DataFrame
    sector_utilisation: pd.DataFrame
    setting_utilisation: pd.DataFrame
    bottlenecks: pd.DataFrame
    levels: ObjectiveLevels
    solver: str
    timings: Mapping[str, float]
    policy: Policy
    messages: tuple[str, ...] = ()
    gaps: Mapping[str, float] = field(default_factory=dict)  # proven gap per level
    explanation: tuple[str, ...] = ()  # which HEIs the fairness levels held where, and why
    held: tuple[Held, ...] = ()  # the same rounds as data (``explanation`` is their text)

    @property
    def learner_km(self) -> float:
        return self.levels.learner_km

    @property
    def seconds(self) -> float:
        return float(self.timings.get("total", 0.0))
