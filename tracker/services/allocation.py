"""What every allocation service shares: the refusal, the staff check, reading a run and its policy.

The use cases themselves are split by what users call them: ``services.runs`` (queue, cancel,
re-run, what-if), ``services.run_jobs`` (the background solve), ``services.plans`` (pin, move,
name learners) and ``services.placements`` (approve, complete or cancel).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from tracker import optimise
from tracker.access import STAFF, Principal, require_role
from tracker.models import (
    AllocationRun,
    RunStatus,
)
from tracker.refusals import Refused

EDITABLE_STATUSES = frozenset({RunStatus.SUCCEEDED.value})


class AllocationRefused(Refused):
    """The action breaks a rule or the state of the run; the message says which, for users."""


def staff_only(principal: Principal, action: str) -> None:
    require_role(principal, STAFF, action)


def run_or_refuse(session: Session, run_id: int, *, lock: bool = False) -> AllocationRun:
    query = select(AllocationRun).where(AllocationRun.id == run_id)
    if lock:
        query = query.with_for_update()
    run = session.exec(query).first()
    if run is None:
        raise AllocationRefused(f"Run {run_id} does not exist.")
    return run


def run_policy(data: Mapping[str, Any] | None) -> optimise.Policy:
    try:
        return optimise.Policy.from_dict(dict(data or {}))
    except optimise.InputError as exc:
        raise AllocationRefused(
            "The policy is not valid: " + "; ".join(str(p) for p in exc.problems)
        ) from exc
