"""Fair placement allocation: pure pandas/numpy in, frozen dataclasses out.

No database and no Dash here: the service layer converts rows to these inputs and results
back to rows.
"""

from tracker.optimise.assign import assign_learners
from tracker.optimise.check import check_plan
from tracker.optimise.constraints import RULES
from tracker.optimise.greedy import greedy_allocate
from tracker.optimise.model import (
    SECTORS,
    AllocationProblem,
    AllocationResult,
    Held,
    InputError,
    ObjectiveLevels,
    Pin,
    Policy,
    Problem,
)
from tracker.optimise.solve import allocate, solve_problem
from tracker.optimise.validate import validate

__all__ = [
    "RULES",
    "SECTORS",
    "AllocationProblem",
    "AllocationResult",
    "Held",
    "InputError",
    "ObjectiveLevels",
    "Pin",
    "Policy",
    "Problem",
    "allocate",
    "assign_learners",
    "check_plan",
    "greedy_allocate",
    "solve_problem",
    "validate",
]
