"""Stage 2 with named staff: each placed learner gets a place, a practice supervisor and a
practice assessor (or a practice educator), obeying every practice-learning rule.

Hard rules, each with the reason code a learner gets when it leaves them unassigned:
educational audit (``audit_expired`` / ``audit_not_approved``), active setting
(``setting_inactive``), the learner's own travel limit (``beyond_travel_limit``), readiness
through the placement's end (``not_ready``), named staff at the setting (``no_supervisor``,
``no_assessor_in_field``, ``no_educator_in_field``, ``staff_not_prepared``), and, between
learners, places (``more_learners_than_places``) and staff learner limits
(``staff_at_limit``). ``no_place``: the plan gave the learner's request no place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from tracker.optimise.audits import Audit, audit_problem, read_audits
from tracker.optimise.geo import EARTH_RADIUS_KM
from tracker.optimise.model import Problem
from tracker.optimise.practice_tables import (
    Learner,
    Placement,
    Setting,
    fail_if,
    read_learners,
    read_placements,
    read_settings,
    read_staff,
)
from tracker.optimise.readiness import readiness_problem
from tracker.optimise.staff import StaffChoice, StaffMember, choose_staff
from tracker.optimise.staff_reasons import combine_reasons, competition_reason
from tracker.optimise.staff_solve import Group, StaffProblem, pair_staff, solve_staff

ASSIGNMENT_COLUMNS = [
    "learner_id",
    "request_id",
    "setting_id",
    "block",
    "practice_supervisor",
    "practice_assessor",
]
UNASSIGNED_COLUMNS = ["learner_id", "reason_code", "reason"]


@dataclass(frozen=True)
class StaffAssignment:
    """``assignments`` and ``unassigned`` in the command's columns; ``status`` is the
    solver's ("optimal", or "time_limit" when the best plan found was not proven best)."""

    assignments: pd.DataFrame
    unassigned: pd.DataFrame
    status: str
    seconds: float
    levels: dict[str, float]


@dataclass(frozen=True)
class _Inputs:
    placements: tuple[Placement, ...]
    learners: tuple[Learner, ...]
    settings: dict[str, Setting]
    staff: tuple[StaffMember, ...]
    audits: tuple[Audit, ...] | None
    check_readiness: bool
    check_preparation: bool


def _read(
    placements: pd.DataFrame,
    learners: pd.DataFrame,
    settings: pd.DataFrame,
    staff: pd.DataFrame,
    audits: pd.DataFrame | None,
) -> _Inputs:
    problems: list[Problem] = []
    s = read_settings(settings, problems)
    p = read_placements(placements, s, problems)
    lr = read_learners(learners, problems)
    st = read_staff(staff, problems)
    au = None if audits is None else read_audits(audits, problems)
    fail_if(problems)
    cols = {str(c).strip().lower() for c in learners.columns}
    staff_cols = {str(c).strip().lower() for c in staff.columns}
    inputs = _Inputs(p, lr, s, st, au, "ready_until" in cols, "prepared_on" in staff_cols)
    _require_dates(inputs, problems)
    fail_if(problems)
    return inputs


def _require_dates(inputs: _Inputs, problems: list[Problem]) -> None:
    """Placement dates are needed to check audits, readiness dates and preparation dates."""
    dated_ready = {lr.request_id for lr in inputs.learners if lr.ready_until is not None}
    prepared_at = {sid for person in inputs.staff if person.prepared_on for sid in person.roles_at}
    for pl in inputs.placements:
        if pl.start is not None:
            continue
        why = (
            "educational audits are checked (--audits)"
            if inputs.audits is not None
            else "learners' readiness dates (ready_until) are checked"
            if inputs.check_readiness and pl.request_id in dated_ready
            else "staff preparation dates (prepared_on) are checked"
            if inputs.check_preparation and pl.setting_id in prepared_at
            else None
        )
        if why is not None:
            problems.append(
                Problem(
                    "placements",
                    pl.row,
                    "start_date/end_date",
                    None,
                    f"the placement's dates are required because {why}",
                )
            )


def assign_staff(
    placements: pd.DataFrame,
    learners: pd.DataFrame,
    settings: pd.DataFrame,
    staff: pd.DataFrame,
    audits: pd.DataFrame | None = None,
    *,
    time_limit_s: float = 300.0,
) -> StaffAssignment:
    """Assign learners to places and named staff; raise ``InputError`` naming every bad row."""
    inputs = _read(placements, learners, settings, staff, audits)
    plan = _candidates(inputs)
    solution = solve_staff(plan.problem, time_limit_s=time_limit_s)
    rows: list[dict[str, object]] = []
    placed: set[int] = set()
    sups: dict[int, dict[str, int]] = {}
    asss: dict[int, dict[str, int]] = {}
    for counts, into in ((solution.supervised, sups), (solution.assessed, asss)):
        for (g, k), n in counts.items():
            into.setdefault(g, {})[k] = n
    for g, members in plan.group_learners(solution.chosen).items():
        pl = inputs.placements[plan.problem.groups[g].placement]
        for i, supervisor, assessor in pair_staff(members, sups.get(g, {}), asss.get(g, {})):
            lr = inputs.learners[i]
            placed.add(i)
            rows.append(
                {
                    "learner_id": lr.learner_id,
                    "request_id": lr.request_id,
                    "setting_id": pl.setting_id,
                    "block": pl.block,
                    "practice_supervisor": supervisor,
                    "practice_assessor": assessor,
                }
            )
    order = {lr.learner_id: n for n, lr in enumerate(inputs.learners)}
    assignments = pd.DataFrame(rows, columns=ASSIGNMENT_COLUMNS)
    assignments = assignments.sort_values(
        "learner_id", key=lambda s: s.map(order), kind="stable"
    ).reset_index(drop=True)
    unassigned = [
        {"learner_id": lr.learner_id, **plan.reason(i, solution, inputs)}
        for i, lr in enumerate(inputs.learners)
        if i not in placed
    ]
    return StaffAssignment(
        assignments,
        pd.DataFrame(unassigned, columns=UNASSIGNED_COLUMNS),
        solution.status,
        solution.seconds,
        solution.levels,
    )


@dataclass(frozen=True)
class _Plan:
    problem: StaffProblem
    refusals: dict[int, list[tuple[int, str, str]]]  # learner -> (placement, code, reason)
    no_place: frozenset[int]

    def group_learners(self, chosen: np.ndarray) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for j in np.flatnonzero(chosen):
            out.setdefault(int(self.problem.pair_group[j]), []).append(
                int(self.problem.pair_learner[j])
            )
        return out

    def reason(self, i: int, solution: object, inputs: _Inputs) -> dict[str, str]:
        lr = inputs.learners[i]
        if i in self.no_place:
            return {
                "reason_code": "no_place",
                "reason": f"no place was allocated to request {lr.request_id} (see the plan's "
                "unmet learners)",
            }
        lo, hi = np.searchsorted(self.problem.pair_learner, [i, i + 1])
        mine = np.arange(lo, hi)
        if len(mine):
            code, reason = competition_reason(self.problem, mine, solution, inputs.placements)
            return {"reason_code": code, "reason": reason}
        code, reason = combine_reasons(self.refusals[i], inputs.placements)
        return {"reason_code": code, "reason": reason}


def _candidates(inputs: _Inputs) -> _Plan:
    """Every (learner, placement) pair that passes the learner's own rules, grouped by
    placement and field, with the reason each other pair fails."""
    by_request: dict[str, list[int]] = {}
    for p, pl in enumerate(inputs.placements):
        if pl.learners > 0:
            by_request.setdefault(pl.request_id, []).append(p)
    audit_cache: dict[int, tuple[str, str] | None] = {}
    choice_cache: dict[tuple[int, str], StaffChoice] = {}
    group_index: dict[tuple[int, str], int] = {}
    groups: list[Group] = []
    pairs: list[tuple[int, int, int, bool, float, bool]] = []
    refusals: dict[int, list[tuple[int, str, str]]] = {}
    no_place: set[int] = set()
    at_setting: dict[str, list[StaffMember]] = {}
    for person in inputs.staff:
        for sid in person.roles_at:
            at_setting.setdefault(sid, []).append(person)
    for i, lr in enumerate(inputs.learners):
        options = by_request.get(lr.request_id, [])
        if not options:
            no_place.add(i)
            continue
        for p in options:
            pl = inputs.placements[p]
            setting = inputs.settings[pl.setting_id]
            if p not in audit_cache:
                audit_cache[p] = _audit(inputs.audits, pl)
            km = _km(lr, setting)
            problem = audit_cache[p] or _setting_and_learner(lr, pl, setting, km, inputs)
            if problem is None:
                key = (p, lr.field)
                if key not in choice_cache:
                    choice_cache[key] = choose_staff(
                        tuple(at_setting.get(pl.setting_id, ())),
                        pl.setting_id,
                        lr.field,
                        pl.start,
                        inputs.check_preparation,
                    )
                problem = choice_cache[key].problem
            if problem is not None:
                refusals.setdefault(i, []).append((p, *problem))
                continue
            if key not in group_index:
                c = choice_cache[key]
                group_index[key] = len(groups)
                groups.append(Group(p, c.supervisors, c.assessors, c.educator_model))
            repeat = setting.sector in lr.sectors_had
            pairs.append((i, p, group_index[key], repeat, km, lr.behind_on_hours))
    arr = np.array(pairs, dtype=np.float64).reshape(-1, 6)
    staff_problem = StaffProblem(
        pair_learner=arr[:, 0].astype(np.int64),
        pair_placement=arr[:, 1].astype(np.int64),
        pair_group=arr[:, 2].astype(np.int64),
        pair_repeat=arr[:, 3].astype(bool),
        pair_km=arr[:, 4],
        places=np.array([pl.learners for pl in inputs.placements], dtype=np.int64),
        groups=tuple(groups),
        limits={person.staff_id: person.max_learners for person in inputs.staff},
        overlaps=_overlaps(groups, inputs.placements),
        pair_behind=arr[:, 5].astype(bool),
    )
    return _Plan(staff_problem, refusals, frozenset(no_place))


def _audit(audits: tuple[Audit, ...] | None, pl: Placement) -> tuple[str, str] | None:
    if audits is None or pl.start is None or pl.end is None:
        return None
    return audit_problem(audits, pl.setting_id, pl.programme, pl.start, pl.end)


def _km(lr: Learner, setting: Setting) -> float:
    if lr.lat is None or lr.lon is None or setting.lat is None or setting.lon is None:
        return 0.0
    p1, p2 = math.radians(lr.lat), math.radians(setting.lat)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(setting.lon - lr.lon) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(max(a, 0.0), 1.0)))


def _setting_and_learner(
    lr: Learner, pl: Placement, setting: Setting, km: float, inputs: _Inputs
) -> tuple[str, str] | None:
    if not setting.active:
        return "setting_inactive", f"setting {pl.setting_id} is not active"
    if lr.max_distance_km is not None and km > lr.max_distance_km:
        return (
            "beyond_travel_limit",
            f"setting {pl.setting_id} is {km:.1f} km away, beyond the learner's own "
            f"{lr.max_distance_km:g} km travel limit",
        )
    if inputs.check_readiness:
        return readiness_problem(lr.ready_until, pl.end)
    return None


def _overlaps(
    groups: Iterable[Group], placements: tuple[Placement, ...]
) -> dict[str, tuple[tuple[int, ...], ...]]:
    """Per staff member, the sets of their groups that run at one moment: at each start date
    (the most learners at once is always reached on some placement's first day), or per block
    for placements without dates. Sets that cannot exceed any limit are still listed; HiGHS's
    presolve drops them."""
    of_staff: dict[str, list[int]] = {}
    for g, group in enumerate(groups):
        for k in set(group.supervisors) | set(group.assessors):
            of_staff.setdefault(k, []).append(g)
    group_list = list(groups)
    out: dict[str, tuple[tuple[int, ...], ...]] = {}
    for k, mine in of_staff.items():
        moments: set[tuple[int, ...]] = set()
        spans = [(placements[group_list[g].placement], g) for g in mine]
        for pl, _ in spans:
            if pl.start is None:
                moment = tuple(g for other, g in spans if other.block == pl.block)
            else:
                moment = tuple(g for other, g in spans if _covers(other, pl.start))
            moments.add(moment)
        out[k] = tuple(sorted(moments))
    return out


def _covers(pl: Placement, day: date) -> bool:
    return pl.start is not None and pl.end is not None and pl.start <= day <= pl.end
