"""Naming learners' academic assessors (NMC SSSA): one per learner per part of the
programme, by hand or for every learner who still needs one.

Both paths obey the same rules, each refused with a sentence naming it:

* **the learner's HEI**: the assessor is one of the learner's own HEI's (an HEI user keeps
  only its own learners'; staff any HEI's, as for the academic assessors register);
* **active, for the programme**: the assessor is active and assesses the learner's programme;
* **a part of the programme**: from 1 to the programme's length in years;
* **not the same person for consecutive parts** (``optimise.academic.consecutive_problem``).

Each assessment written is one audit row (``academic_assessment.set``, old and new person).
"""

from __future__ import annotations

import math
from datetime import date

from sqlmodel import Session, col, select

from tracker.access import AccessDenied, Principal, may_keep_academic_assessments
from tracker.models import AcademicAssessment, AcademicAssessor, Cohort, Learner, Programme
from tracker.optimise.academic import assesses, assign_academic, consecutive_problem
from tracker.queries.academic_assessments import (
    held_assessments,
    learners_needing_academic_assessors,
)
from tracker.queries.options import frame_of
from tracker.refusals import Refused
from tracker.services import registers
from tracker.services.audit import record_audit

ACTION = "academic_assessment.set"


def _who(assessor: AcademicAssessor) -> str:
    return assessor.display_name or assessor.staff_ref


def _learner(session: Session, principal: Principal, ref: str) -> tuple[Learner, Cohort, Programme]:
    learner = registers.keepable_learner(session, principal, ref, may_keep_academic_assessments)
    cohort = session.get(Cohort, learner.cohort_id)
    assert cohort is not None
    programme = session.get(Programme, cohort.programme_id)
    assert programme is not None
    return learner, cohort, programme


def _by_part(session: Session, learner_id: int) -> dict[int, AcademicAssessment]:
    rows = session.exec(
        select(AcademicAssessment).where(AcademicAssessment.learner_id == learner_id)
    ).all()
    return {a.part: a for a in rows}


def _problem(
    assessor: AcademicAssessor | None,
    cohort: Cohort,
    programme: Programme,
    part: int,
    held: dict[int, AcademicAssessment],
) -> str | None:
    if not 1 <= part <= math.ceil(programme.years):
        return (
            f"A part of the programme: {programme.code} has parts 1 to "
            f"{math.ceil(programme.years)}, not {part}."
        )
    if assessor is None or assessor.hei_id != cohort.hei_id:
        return "The learner's HEI: choose one of the learner's own HEI's academic assessors."
    if not assessor.active:
        return f"{_who(assessor)} is not active on the academic assessors register."
    if not assesses(assessor.programmes, programme.code):
        return (
            f"{_who(assessor)} does not assess {programme.code} on the academic assessors register."
        )
    others = {p: str(a.assessor_id) for p, a in held.items() if p != part}
    return consecutive_problem(str(assessor.id), part, others, name=_who(assessor))


def set_academic_assessor(
    session: Session, *, principal: Principal, learner_ref: str, part: int, assessor_id: int
) -> str:
    """Name ``assessor_id`` the learner's academic assessor for ``part``, if every rule allows;
    returns what was done, in words. Refused (nothing written) with the rule's name."""
    if not may_keep_academic_assessments(principal):
        raise AccessDenied(
            f"Your role ({principal.role.value}) may not name learners' academic assessors."
        )
    learner, cohort, programme = _learner(session, principal, learner_ref)
    assessor = session.get(AcademicAssessor, assessor_id)
    held = _by_part(session, learner.id or 0)
    problem = _problem(assessor, cohort, programme, part, held)
    if problem is not None:
        raise Refused(problem)
    assert assessor is not None
    row = held.get(part)
    before = row.assessor_id if row else None
    if before == assessor_id:
        return f"{_who(assessor)} already assesses {learner_ref} for part {part}; nothing changed."
    if row is None:
        row = AcademicAssessment(learner_id=learner.id or 0, part=part, assessor_id=assessor_id)
    else:
        row.assessor_id, row.version = assessor_id, row.version + 1
    session.add(row)
    session.flush()
    _audit(session, principal, learner_ref, part, before, assessor_id)
    return f"{_who(assessor)} is now {learner_ref}'s academic assessor for part {part}."


def _audit(
    session: Session, principal: Principal, ref: str, part: int, before: int | None, after: int
) -> None:
    record_audit(
        session,
        principal,
        ACTION,
        entity="academic_assessment",
        entity_id=f"{ref}/part {part}",
        old={"assessor_id": before},
        new={"assessor_id": after},
    )


def assign_academic_assessors(
    session: Session, *, principal: Principal, hei: str, today: date
) -> dict[str, object]:
    """An academic assessor for every NMC learner in training of ``hei`` (an HEI user: only
    its own) who has none for their current part, each of the learner's HEI, active, for the
    programme and not the previous or next part's; spread evenly. Returns how many were
    named and the learners left without one with why (``reason_code``, ``reason``)."""
    if not may_keep_academic_assessments(principal):
        raise AccessDenied(
            f"Your role ({principal.role.value}) may not name learners' academic assessors."
        )
    if principal.is_hei and hei != principal.hei_code:
        raise Refused("You may only name academic assessors for your own HEI's learners.")
    needs = learners_needing_academic_assessors(session, principal=principal, today=today)
    needs = needs[needs["hei"] == hei]
    held = held_assessments(session, needs["learner_id"].tolist())
    pool = session.exec(select(AcademicAssessor).where(col(AcademicAssessor.active).is_(True)))
    assessors = [
        {"assessor": str(a.id), "hei": str(a.hei_id), "programmes": a.programmes} for a in pool
    ]
    new, left = assign_academic(
        needs.assign(learner=needs["learner_id"].astype(str), hei=needs["hei_id"].astype(str)),
        frame_of(assessors, ["assessor", "hei", "programmes"]),
        held.assign(
            learner=held["learner_id"].astype(str), assessor=held["assessor_id"].astype(str)
        ),
    )
    refs = dict(zip(needs["learner_id"].astype(str), needs["learner_ref"], strict=True))
    for row in new.itertuples(index=False):
        session.add(
            AcademicAssessment(
                learner_id=int(row.learner), part=int(row.part), assessor_id=int(row.assessor)
            )
        )
        _audit(session, principal, refs[str(row.learner)], int(row.part), None, int(row.assessor))
    session.flush()
    left = left.assign(learner=left["learner"].map(refs))
    return {"named": len(new), "left": left}
