"""Plain reasons for learners left without a place or named staff.

A learner who passed every rule of their own but was not assigned lost to other learners: at
the optimum either every place they could take went to others, or every person who could
supervise or assess them is at their learner limit during the placement (otherwise adding
them would assign one more learner).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tracker.optimise.practice_tables import Placement
from tracker.optimise.staff_solve import StaffProblem, StaffSolution

# Which of a learner's refusals to show first when their request had several places: the
# ones nearest to working (staff, then readiness) before the setting's own problems.
_ORDER = (
    "staff_at_limit",
    "no_assessor_in_field",
    "no_educator_in_field",
    "no_supervisor",
    "staff_not_prepared",
    "not_ready",
    "beyond_travel_limit",
    "audit_expired",
    "audit_not_approved",
    "setting_inactive",
)


def _where(pl: Placement) -> str:
    when = (
        f"block {pl.block}"
        if pl.start is None or pl.end is None
        else f"block {pl.block}, {pl.start.isoformat()} to {pl.end.isoformat()}"
    )
    return f"setting {pl.setting_id} ({when})"


def combine_reasons(
    refusals: Sequence[tuple[int, str, str]], placements: Sequence[Placement]
) -> tuple[str, str]:
    """One code and one sentence for a learner refused at every place of their request."""
    ranked = sorted(refusals, key=lambda r: _ORDER.index(r[1]) if r[1] in _ORDER else 99)
    if len(ranked) == 1:
        return ranked[0][1], ranked[0][2]
    parts = [f"at {_where(placements[p])}: {reason}" for p, _, reason in ranked]
    return ranked[0][1], "; ".join(parts)


def _load(problem: StaffProblem, solution: StaffSolution, staff_id: str, group: int) -> int:
    """The most learners ``staff_id`` supports at one moment of ``group``'s placement."""
    peak = 0
    for groups in problem.overlaps.get(staff_id, ()):
        if group not in groups:
            continue
        peak = max(
            peak,
            sum(
                solution.supervised.get((g, staff_id), 0) + solution.assessed.get((g, staff_id), 0)
                for g in groups
            ),
        )
    return peak


def competition_reason(
    problem: StaffProblem,
    pairs: np.ndarray,
    solution: object,
    placements: Sequence[Placement],
) -> tuple[str, str]:
    """Why a learner who could have gone to the places in ``pairs`` went to none of them."""
    assert isinstance(solution, StaffSolution)
    used = np.bincount(problem.pair_placement[solution.chosen], minlength=len(problem.places))
    open_pairs = [
        int(j)
        for j in pairs
        if used[problem.pair_placement[j]] < problem.places[problem.pair_placement[j]]
    ]
    if not open_pairs:
        where = ", ".join(_where(placements[int(problem.pair_placement[j])]) for j in pairs)
        return (
            "more_learners_than_places",
            f"every place this learner could take ({where}) went to other learners, and no "
            "other choice assigns more learners in full",
        )
    j = open_pairs[0]
    g = int(problem.pair_group[j])
    group = problem.groups[g]
    pl = placements[group.placement]

    def full(people: tuple[str, ...]) -> list[str]:
        return [k for k in people if _load(problem, solution, k, g) >= problem.limits[k]]

    role = "practice educators" if group.educator_model else "practice assessors in the field"
    for people, name in ((group.supervisors, "practice supervisors"), (group.assessors, role)):
        if people and len(full(people)) == len(people):
            return (
                "staff_at_limit",
                f"every one of the {name} at {_where(pl)} ({', '.join(people[:8])}) already "
                "supports as many learners as they can at once during the placement",
            )
    room = sorted(set(group.supervisors) - set(full(group.supervisors)))
    busy = sorted(set(full(group.supervisors)) | set(full(group.assessors)))
    at_limit = f"; {', '.join(busy[:8])} at their learner limits" if busy else ""
    return (
        "staff_at_limit",
        f"at {_where(pl)} the only staff with room left ({', '.join(room[:8])}) cannot be "
        f"both practice supervisor and assessor of one learner{at_limit}, and no other "
        "choice assigns more learners in full",
    )
