"""Scenarios of the supply outlook: a small, validated JSON schema and what it changes.

A scenario says what is planned to differ from the observed past; with no scenario (or one
whose every change is zero) the outlook is the baseline exactly. Schema (every part
optional; unknown keys are refused, so a typing error cannot silently do nothing)::

    {
      "intake_change": {
        "ADN": {"percent": 92, "by_year": 2031, "shape": "linear"}
      },
      "withdrawal_change_points": {"nursing": {"points": -2, "from_year": 2027}},
      "local_employment_change_points": {"*": {"points": 5, "from_year": 2028}},
      "planned_intakes": [
        {"hei": "UNI-A", "programme": "ADN", "intake": "2027-09", "starters": 150}
      ],
      "capacity_change": [
        {"sector": "care_home", "add_supervisors": 2, "from_year": 2027}
      ],
      "policy_target": {"sectors": ["community", "care_home"], "per_learner": 1}
    }

Keys name a programme code (intake changes only), a field ("adult nursing"), a profession
group ("nursing") or ``*`` for all; the most specific key that matches wins. A capacity
change adds supervisors at every setting of a sector (``null`` or no ``sector``: every
sector) from a year on; the outlook of completions ignores it, the placement figures and the
cheapest expansion count it (``services.expansion``, which checks the sector's code). A
policy target asks for at least ``per_learner`` placements per learner per year in those
sectors (``placement_demand.with_policy_target``); it too changes placements only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Shape = Literal["linear", "step"]
SECTIONS = (
    "intake_change",
    "withdrawal_change_points",
    "local_employment_change_points",
    "planned_intakes",
    "capacity_change",
    "policy_target",
)
#: Most placements per learner per year a policy target may ask for.
MAX_TARGET_PER_LEARNER = 4.0
#: Most supervisors one capacity change may add at each setting (as the page's editor).
MAX_ADDED_SUPERVISORS = 50
ALL = "*"


class ScenarioError(ValueError):
    """A scenario that cannot be used, with a one-line message saying where and why."""


@dataclass(frozen=True)
class IntakeChange:
    """Intakes change by ``percent`` reached in ``by_year``: linearly from the last observed
    intake's year (``linear``), or all at once from intakes in ``by_year`` on (``step``)."""

    percent: float
    by_year: int
    shape: Shape = "linear"

    def factor(self, intake_year: int, base_year: int) -> float:
        """Multiplier of an intake starting in ``intake_year``; 1.0 exactly for no change."""
        if self.percent == 0 or intake_year <= base_year:
            return 1.0
        if self.shape == "step" or self.by_year <= base_year:
            reached = 1.0 if intake_year >= self.by_year else 0.0
        else:
            reached = min(1.0, (intake_year - base_year) / (self.by_year - base_year))
        return 1.0 + self.percent / 100.0 * reached


@dataclass(frozen=True)
class PointsChange:
    """A change of a yearly probability by ``points`` percentage points from ``from_year``."""

    points: float
    from_year: int

    def delta(self, year: int) -> float:
        return self.points / 100.0 if year >= self.from_year else 0.0


@dataclass(frozen=True)
class PlannedIntake:
    hei: str
    programme: str
    intake: str  # 'YYYY-MM'
    starters: float


@dataclass(frozen=True)
class CapacityStep:
    """``add_supervisors`` more supervisors at every setting of ``sector`` (None: every
    sector) from ``from_year`` on ("+2 supervisors in every care home from 2027")."""

    add_supervisors: int
    from_year: int
    sector: str | None = None


@dataclass(frozen=True)
class PolicyTarget:
    """At least ``per_learner`` placements per learner per year in ``sectors`` ("at least
    one community or care-home placement per learner per year")."""

    sectors: tuple[str, ...]
    per_learner: float


@dataclass(frozen=True)
class Scenario:
    """What is planned to differ from the baseline; the empty scenario is the baseline."""

    intake_change: Mapping[str, IntakeChange] = field(default_factory=dict)
    withdrawal_change_points: Mapping[str, PointsChange] = field(default_factory=dict)
    local_employment_change_points: Mapping[str, PointsChange] = field(default_factory=dict)
    planned_intakes: tuple[PlannedIntake, ...] = ()
    capacity_change: tuple[CapacityStep, ...] = ()
    policy_target: PolicyTarget | None = None

    def known_keys(self) -> set[str]:
        return {
            *self.intake_change,
            *self.withdrawal_change_points,
            *self.local_employment_change_points,
        }


def pick(changes: Mapping[str, Any], *keys: str) -> Any:
    """The change for the most specific of ``keys`` (then ``*``), or None."""
    folded = {k.casefold(): v for k, v in changes.items()}
    for key in (*keys, ALL):
        if key.casefold() in folded:
            return folded[key.casefold()]
    return None


def _number(value: Any, where: str, *, low: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{where} must be a number, got {value!r}")
    if low is not None and value < low:
        raise ScenarioError(f"{where} must be at least {low:g}, got {value!r}")
    return float(value)


def _year(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2200:
        raise ScenarioError(f"{where} must be a year such as 2031, got {value!r}")
    return value


def _fields(entry: Any, where: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ScenarioError(f"{where} must be an object, got {entry!r}")
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ScenarioError(f"{where}: unknown key {unknown[0]!r}; allowed: {sorted(allowed)}")
    missing = sorted(required - set(entry))
    if missing:
        raise ScenarioError(f"{where}: missing {missing[0]!r}")
    return entry


def _intake_change(entry: Any, where: str) -> IntakeChange:
    spec = _fields(entry, where, {"percent", "by_year", "shape"}, {"percent", "by_year"})
    shape = spec.get("shape", "linear")
    if shape not in ("linear", "step"):
        raise ScenarioError(f"{where}.shape must be 'linear' or 'step', got {shape!r}")
    percent = _number(spec["percent"], f"{where}.percent", low=-100)
    return IntakeChange(percent, _year(spec["by_year"], f"{where}.by_year"), shape)


def _points_change(entry: Any, where: str) -> PointsChange:
    spec = _fields(entry, where, {"points", "from_year"}, {"points", "from_year"})
    points = _number(spec["points"], f"{where}.points", low=-100)
    if points > 100:
        raise ScenarioError(f"{where}.points must be at most 100, got {points:g}")
    return PointsChange(points, _year(spec["from_year"], f"{where}.from_year"))


def _planned(entry: Any, where: str) -> PlannedIntake:
    names = {"hei", "programme", "intake", "starters"}
    spec = _fields(entry, where, names, names)
    intake = spec["intake"]
    ok = isinstance(intake, str) and len(intake) == 7 and intake[4] == "-"
    if not ok or not (intake[:4].isdigit() and intake[5:].isdigit() and 1 <= int(intake[5:]) <= 12):
        raise ScenarioError(f"{where}.intake must be 'YYYY-MM', got {intake!r}")
    return PlannedIntake(
        hei=str(spec["hei"]),
        programme=str(spec["programme"]),
        intake=intake,
        starters=_number(spec["starters"], f"{where}.starters", low=0),
    )


def _capacity_step(entry: Any, where: str) -> CapacityStep:
    spec = _fields(
        entry, where, {"sector", "add_supervisors", "from_year"}, {"add_supervisors", "from_year"}
    )
    added, sector = spec["add_supervisors"], spec.get("sector")
    if isinstance(added, bool) or not isinstance(added, int):
        raise ScenarioError(f"{where}.add_supervisors must be a whole number, got {added!r}")
    if not 0 <= added <= MAX_ADDED_SUPERVISORS:
        raise ScenarioError(
            f"{where}.add_supervisors must be from 0 to {MAX_ADDED_SUPERVISORS}, got {added}"
        )
    if sector is not None and not isinstance(sector, str):
        raise ScenarioError(f"{where}.sector must be a sector code or null, got {sector!r}")
    return CapacityStep(added, _year(spec["from_year"], f"{where}.from_year"), sector or None)


def _policy_target(entry: Any) -> PolicyTarget | None:
    if entry is None:
        return None
    spec = _fields(entry, "policy_target", {"sectors", "per_learner"}, {"sectors", "per_learner"})
    sectors = spec["sectors"]
    if not isinstance(sectors, list) or not sectors or not all(isinstance(x, str) for x in sectors):
        raise ScenarioError(
            f"policy_target.sectors must be a list of sector codes, got {sectors!r}"
        )
    per = _number(spec["per_learner"], "policy_target.per_learner", low=0)
    if per > MAX_TARGET_PER_LEARNER:
        raise ScenarioError(
            f"policy_target.per_learner must be at most {MAX_TARGET_PER_LEARNER:g}, got {per:g}"
        )
    return PolicyTarget(tuple(sectors), per)


def parse_scenario(data: Any) -> Scenario:
    """A Scenario from parsed JSON, or ScenarioError naming the first problem."""
    if not isinstance(data, dict):
        raise ScenarioError("the scenario must be a JSON object")
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise ScenarioError(f"unknown scenario key {unknown[0]!r}; allowed: {list(SECTIONS)}")

    def section(name: str) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise ScenarioError(f"{name} must be an object keyed by programme, field or group")
        return value

    planned, capacity = data.get("planned_intakes", []), data.get("capacity_change", [])
    if not isinstance(planned, list) or not isinstance(capacity, list):
        raise ScenarioError("planned_intakes and capacity_change must be lists")
    return Scenario(
        intake_change={
            k: _intake_change(v, f"intake_change[{k!r}]")
            for k, v in section("intake_change").items()
        },
        withdrawal_change_points={
            k: _points_change(v, f"withdrawal_change_points[{k!r}]")
            for k, v in section("withdrawal_change_points").items()
        },
        local_employment_change_points={
            k: _points_change(v, f"local_employment_change_points[{k!r}]")
            for k, v in section("local_employment_change_points").items()
        },
        planned_intakes=tuple(_planned(v, f"planned_intakes[{i}]") for i, v in enumerate(planned)),
        capacity_change=tuple(
            _capacity_step(v, f"capacity_change[{i}]") for i, v in enumerate(capacity)
        ),
        policy_target=_policy_target(data.get("policy_target")),
    )


def check_keys(
    scenario: Scenario, *, programmes: set[str], fields: set[str], groups: set[str]
) -> None:
    """Refuse keys that match nothing in the data (a misspelt field would change nothing)."""
    known = {k.casefold() for k in (*fields, *groups, ALL)}
    for name, changes, extra in (
        ("intake_change", scenario.intake_change, programmes),
        ("withdrawal_change_points", scenario.withdrawal_change_points, set()),
        ("local_employment_change_points", scenario.local_employment_change_points, set()),
    ):
        allowed = known | {p.casefold() for p in extra}
        for key in changes:
            if key.casefold() not in allowed:
                what = "programme, field" if extra else "field"
                raise ScenarioError(
                    f"{name}: {key!r} is no {what}, profession group or '*' in the data"
                )
    for entry in scenario.planned_intakes:
        if entry.programme not in programmes:
            raise ScenarioError(f"planned_intakes: unknown programme {entry.programme!r}")
