"""Changing a named learner's practice supervisor or assessor by hand (someone is off sick).

A coordinator chooses another person at the placement's setting; the change must obey every
rule stage 2 obeys (``optimise.practice``), each refused with a sentence naming it:

* **who needs whom**: NMC learners have a practice supervisor and a practice assessor; allied
  health and social work learners one practice educator, held in the assessor slot;
* **at the setting, in the role**: the person is active, listed at the placement's setting
  and holds the role (an assessor slot takes an educator for AHP and social work learners);
* **different people**: one learner's supervisor and assessor are never the same person;
* **assessor in the learner's field** (and an educator in it), compared as stage 2 compares;
* **prepared**: preparation recorded on or before the placement's start;
* **learner limit**: at no moment of the placement does the person support more learners, in
  any role at any setting, than they can at once: every confirmed or completed named
  placement naming them counts, and the proposed ones of the same run;
* **ready**: once the readiness register is in use, the learner's checks are in date through
  the placement's end.

The placement's dates are stage 2's (the HEI's calendar for the programme in the block, else
the block's). Each change is one audit row (old and new person); the HEI and the setting read
the new name wherever the placement is shown.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, and_, col, or_, select

from tracker.access import Principal
from tracker.measures.readiness import ready_until
from tracker.models import (
    Cohort,
    Learner,
    Placement,
    PlacementBlock,
    PlacementRequest,
    PlacementStatus,
    PracticeStaff,
    PracticeStaffSetting,
    Programme,
)
from tracker.optimise.staff import canonical_field, needs_supervisor_and_assessor
from tracker.services.allocation import AllocationRefused, staff_only
from tracker.services.audit import record_audit
from tracker.services.named_readiness import check_dates, readiness_reason
from tracker.services.named_staff import placement_dates

SUPERVISOR, ASSESSOR = "supervisor", "assessor"
#: Which column of a placement each slot is.
SLOTS = {SUPERVISOR: "practice_supervisor_id", ASSESSOR: "practice_assessor_id"}
#: Placements that still happen or happened: a hand change never touches cancelled ones.
_CHANGEABLE = (PlacementStatus.PROPOSED.value, PlacementStatus.CONFIRMED.value)


def _who(person: PracticeStaff) -> str:
    return person.display_name or person.staff_ref


def _learner_context(session: Session, placement: Placement) -> tuple[str, date, date]:
    """The learner's field and the placement's dates, as stage 2 reads them."""
    learner = session.get(Learner, placement.learner_id)
    request = session.get(PlacementRequest, placement.request_id)
    block = session.get(PlacementBlock, placement.block_id)
    assert learner is not None and request is not None and block is not None
    cohort = session.get(Cohort, request.cohort_id)
    assert cohort is not None
    programme = session.get(Programme, cohort.programme_id)
    assert programme is not None
    start, end = placement_dates(session, request, cohort, block)
    return canonical_field(programme.field), start, end


def _placement(session: Session, placement_id: int) -> Placement:
    placement = session.exec(
        select(Placement).where(Placement.id == placement_id).with_for_update()
    ).first()
    if placement is None:
        raise AllocationRefused(f"Placement {placement_id} does not exist.")
    if placement.learner_id is None:
        raise AllocationRefused(
            f"Placement {placement_id} is a request's row, not a named learner's: "
            "choose the learner's row to change their supervisor or assessor."
        )
    if placement.status not in _CHANGEABLE:
        raise AllocationRefused(
            f"Placement {placement_id} is {placement.status}: only a proposed or confirmed "
            "placement's staff can change."
        )
    return placement


def _role_problem(
    person: PracticeStaff, slot: str, field: str, educator_model: bool, at_setting: bool
) -> str | None:
    """The first of: at the setting in the role; assessor (or educator) in the field."""
    who = _who(person)
    if not person.active:
        return f"{who} is not active on the practice staff register."
    if not at_setting:
        return f"{who} is not listed at this placement's setting on the practice staff register."
    if educator_model and slot == SUPERVISOR:
        return (
            "Who needs whom: allied health and social work learners have one practice "
            "educator (in the assessor column) and no practice supervisor."
        )
    if slot == SUPERVISOR:
        return None if person.is_supervisor else f"{who} is not a practice supervisor."
    role = "educator" if educator_model else "assessor"
    if not (person.is_educator if educator_model else person.is_assessor):
        return f"{who} is not a practice {role}, and this learner needs one."
    if canonical_field(person.field or "") != field:
        return (
            f"{role.capitalize()} in the learner's field: {who} is registered in "
            f"{person.field or 'no field'}, this learner is in {field}."
        )
    return None


def _peak_load(
    session: Session, person_id: int, placement: Placement, start: date, end: date
) -> tuple[int, date]:
    """The most learners the person would support at once during [start, end] with this
    one, and the first day it is reached (always some placement's first day)."""
    query = select(Placement).where(
        or_(
            Placement.practice_supervisor_id == person_id,
            Placement.practice_assessor_id == person_id,
        ),
        Placement.id != placement.id,
        or_(
            col(Placement.status).in_(
                [PlacementStatus.CONFIRMED.value, PlacementStatus.COMPLETED.value]
            ),
            and_(
                Placement.run_id == placement.run_id,
                Placement.status == PlacementStatus.PROPOSED.value,
            ),
        ),
    )
    spans = []
    for other in session.exec(query).all():
        _, o_start, o_end = _learner_context(session, other)
        if o_start <= end and o_end >= start:
            spans.append((o_start, o_end))
    days = sorted({start} | {s for s, _ in spans if start <= s <= end})
    peak = max(days, key=lambda d: sum(s <= d <= e for s, e in spans))
    return 1 + sum(s <= peak <= e for s, e in spans), peak


def _readiness_problem(session: Session, learner_id: int, end: date) -> str | None:
    checks = check_dates(session, [learner_id])
    if checks is None:
        return None
    until = ready_until(checks[learner_id])
    if until is not None and until >= end:
        return None
    reason = readiness_reason(
        checks[learner_id], f"not ready for placement: before the placement ends on {end}"
    )
    return f"Learner ready through the placement's end: {reason}."


def change_named_staff(
    session: Session, *, principal: Principal, placement_id: int, slot: str, staff_id: int
) -> str:
    """Name ``staff_id`` as the placement's supervisor or assessor (``slot``), if every
    stage-2 rule allows it; returns what was done, in words. Refused (nothing written) with
    the rule's name otherwise."""
    staff_only(principal, "change a learner's practice supervisor or assessor")
    if slot not in SLOTS:
        raise AllocationRefused("Choose whether to change the supervisor or the assessor.")
    placement = _placement(session, placement_id)
    person = session.get(PracticeStaff, staff_id)
    if person is None:
        raise AllocationRefused("That member of practice staff does not exist.")
    field, start, end = _learner_context(session, placement)
    educator_model = not needs_supervisor_and_assessor(field)
    at_setting = session.get(PracticeStaffSetting, (staff_id, placement.setting_id)) is not None
    problem = _role_problem(person, slot, field, educator_model, at_setting)
    other_id = (
        placement.practice_assessor_id if slot == SUPERVISOR else (placement.practice_supervisor_id)
    )
    if problem is None and other_id == staff_id:
        other = "assessor" if slot == SUPERVISOR else "supervisor"
        problem = (
            f"Different people: {_who(person)} is already this learner's practice {other}, "
            "and one person may not be both supervisor and assessor of a learner "
            "(NMC SSSA 7.10)."
        )
    if problem is None and (person.prepared_on is None or person.prepared_on > start):
        when = "not recorded" if person.prepared_on is None else f"{person.prepared_on}"
        problem = (
            f"Prepared before the placement starts: {_who(person)}'s preparation for the "
            f"role is {when}, and the placement starts on {start}."
        )
    if problem is None and getattr(placement, SLOTS[slot]) != staff_id:
        load, day = _peak_load(session, staff_id, placement, start, end)
        if load > person.max_learners:
            problem = (
                f"No one over their learner limit: with this learner {_who(person)} would "
                f"support {load} learners at once on {day}, and can support "
                f"{person.max_learners}."
            )
    if problem is None:
        problem = _readiness_problem(session, placement.learner_id or 0, end)
    if problem is not None:
        raise AllocationRefused(problem)
    before = getattr(placement, SLOTS[slot])
    if before == staff_id:
        return f"{_who(person)} is already this learner's practice {slot}; nothing changed."
    setattr(placement, SLOTS[slot], staff_id)
    record_audit(
        session,
        principal,
        "placement.named_staff",
        entity="placement",
        entity_id=placement_id,
        old={SLOTS[slot]: before},
        new={SLOTS[slot]: staff_id},
    )
    role = "practice educator" if educator_model else f"practice {slot}"
    return f"{_who(person)} is now the learner's {role} (placement {placement_id})."
