"""What the allocation page's review buttons do to the chosen run, one function per button.

Private to ``tracker/pages/allocation.py``. Each runs in the caller's ``writing()`` session
and returns the message to show (and, for re-runs and what-ifs, the queued run's id); a
refusal is ``Refused`` with the reason, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker import components as ui
from tracker.access import Principal
from tracker.refusals import Refused
from tracker.services.named_learners import assign_named_learners
from tracker.services.placements import approve_run
from tracker.services.plans import move_learners, pin_placement
from tracker.services.runs import create_scenario, rerun_close_to
from tracker.snapshots import CapacityChange


@dataclass(frozen=True)
class Choices:
    """What the page's fields held when a review button was pressed."""

    run_id: int
    rows: list[dict[str, Any]] | None
    move_to: Any
    move_n: Any
    sector: Any
    add: Any
    supersede: Any


def _selected(choices: Choices) -> dict[str, Any]:
    if not choices.rows:
        raise Refused("Select a placement in the plan first.")
    return choices.rows[0]


def pin(session: ui.DbSession, principal: Principal, choices: Choices) -> tuple[str, int | None]:
    row = _selected(choices)
    pin_placement(
        session,
        principal=principal,
        placement_id=int(row["placement_id"]),
        pinned=not row.get("pinned"),
    )
    done = "unpinned" if row.get("pinned") else "pinned"
    return f"Placement {row['placement_id']} {done}.", None


def move(session: ui.DbSession, principal: Principal, choices: Choices) -> tuple[str, int | None]:
    row = _selected(choices)
    if not choices.move_to:
        raise Refused("Choose the setting to move to.")
    learners = int(choices.move_n or 1)
    move_learners(
        session,
        principal=principal,
        placement_id=int(row["placement_id"]),
        to_setting_id=int(choices.move_to),
        learners=learners,
    )
    return f"Moved {learners} learner(s); the move is pinned.", None


def rerun(session: ui.DbSession, principal: Principal, choices: Choices) -> tuple[str, int | None]:
    new_id = rerun_close_to(session, principal=principal, run_id=choices.run_id)
    return f"Run {new_id} queued: close to run {choices.run_id}.", new_id


def what_if(
    session: ui.DbSession, principal: Principal, choices: Choices
) -> tuple[str, int | None]:
    change = CapacityChange(sector=choices.sector, add_supervisors=int(choices.add or 0))
    new_id = create_scenario(
        session, principal=principal, run_id=choices.run_id, capacity_changes=[change]
    )
    return f"What-if run {new_id} queued on a copy of the inputs.", new_id


def assign(session: ui.DbSession, principal: Principal, choices: Choices) -> tuple[str, int | None]:
    summary = assign_named_learners(session, principal=principal, run_id=choices.run_id)
    staff = summary["with_named_staff"]
    with_staff = f", {staff} with a named supervisor and assessor" if staff else ""
    return (
        f"{summary['placed']} of {summary['learners']} learners named{with_staff}; "
        f"{summary['without_place']} without a place (reasons under Named learners)."
    ), None


def approve(
    session: ui.DbSession, principal: Principal, choices: Choices
) -> tuple[str, int | None]:
    count = approve_run(
        session, principal=principal, run_id=choices.run_id, supersede=bool(choices.supersede)
    )
    return (
        f"Run {choices.run_id} approved: {count} placements confirmed and visible to "
        "HEIs and settings."
    ), None


#: The review buttons (``allocation-<name>``) and what each does. Approval runs from the
#: confirm button of the dialog that first shows what it would publish.
ACTIONS = {
    "pin": pin,
    "move": move,
    "rerun": rerun,
    "whatif": what_if,
    "assign": assign,
    "approve-confirm": approve,
}
