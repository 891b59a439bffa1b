"""Learners' academic assessors (NMC SSSA), scoped through ``tracker.access``: an HEI user
only ever gets its own learners and its own assessors.

Only NMC learners (nursing, midwifery, nursing associates) have academic assessors. A
learner's part of the programme on a day is their year of study on it (``measures.hours.
year_of_study``: whole years from their own start, within the programme's length); "in
training" is as for readiness. The day is the caller's (the page passes today).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlmodel import Session, col, select

from tracker.access import Principal, hei_scope, require_academic_assessor_reader
from tracker.measures.hours import year_of_study
from tracker.models import (
    AcademicAssessment,
    AcademicAssessor,
    Cohort,
    Learner,
    LearnerEvent,
    Programme,
)
from tracker.queries.joins import HEI, with_cohort
from tracker.queries.options import frame_of
from tracker.queries.readiness import ENDINGS
from tracker.queries.staff import NMC_GROUPS

NEEDS_COLUMNS = ["learner_id", "learner_ref", "hei_id", "hei", "programme", "part"]
ASSESSMENT_COLUMNS = [
    "learner_ref",
    "hei",
    "programme",
    "part",
    "academic_assessor",
    "previous_academic_assessor",
    "assessment_id",
    "version",
]


def learners_needing_academic_assessors(
    session: Session,
    *,
    principal: Principal,
    today: date,
) -> pd.DataFrame:
    """NMC learners in training on ``today`` (an HEI user's own) with their part of the
    programme on that day, by reference."""
    require_academic_assessor_reader(principal)
    ended = select(LearnerEvent.learner_id).where(
        col(LearnerEvent.event).in_(ENDINGS), LearnerEvent.event_date <= today
    )
    query = select(  # type: ignore[call-overload]
        Learner.id,
        Learner.learner_ref,
        Cohort.hei_id,
        HEI.code,
        Programme.code,
        Learner.start_date,
        Programme.years,
    )
    query = with_cohort(query, Learner.cohort_id).where(
        col(Learner.id).not_in(ended),
        col(Programme.profession_group).in_(sorted(NMC_GROUPS)),
        Learner.start_date <= today,
    )
    scope = hei_scope(principal)
    if scope is not None:
        query = query.where(Cohort.hei_id == scope)
    rows = [
        {
            "learner_id": learner_id,
            "learner_ref": ref,
            "hei_id": hei_id,
            "hei": hei_code,
            "programme": code,
            "part": year_of_study(start, today, float(years)),
        }
        for learner_id, ref, hei_id, hei_code, code, start, years in session.exec(
            query.order_by(col(Learner.learner_ref))
        ).all()
    ]
    return frame_of(rows, NEEDS_COLUMNS)


def held_assessments(session: Session, learner_ids: Sequence[int]) -> pd.DataFrame:
    """Every recorded (learner id, part, assessor id, assessment id, version) of the learners."""
    query = select(AcademicAssessment).where(
        col(AcademicAssessment.learner_id).in_(list(learner_ids))
    )
    rows = [
        {
            "learner_id": a.learner_id,
            "part": a.part,
            "assessor_id": a.assessor_id,
            "assessment_id": a.id,
            "version": a.version,
        }
        for a in session.exec(query).all()
    ]
    return frame_of(rows, ["learner_id", "part", "assessor_id", "assessment_id", "version"])


def academic_assessments(
    session: Session,
    *,
    principal: Principal,
    today: date,
) -> pd.DataFrame:
    """NMC learners in training with their part of the programme, its academic assessor and
    the previous part's (which may not be the same person), by display name else reference;
    empty where none is recorded."""
    needs = learners_needing_academic_assessors(session, principal=principal, today=today)
    held = held_assessments(session, needs["learner_id"].tolist())
    names = {
        a.id: a.display_name or a.staff_ref for a in session.exec(select(AcademicAssessor)).all()
    }
    by = {(r.learner_id, r.part): r for r in held.itertuples(index=False)}
    rows = []
    for n in needs.itertuples(index=False):
        now, before = by.get((n.learner_id, n.part)), by.get((n.learner_id, n.part - 1))
        rows.append(
            {
                "learner_ref": n.learner_ref,
                "hei": n.hei,
                "programme": n.programme,
                "part": n.part,
                "academic_assessor": names.get(now.assessor_id, "") if now else "",
                "previous_academic_assessor": names.get(before.assessor_id, "") if before else "",
                "assessment_id": now.assessment_id if now else None,
                "version": now.version if now else None,
            }
        )
    return frame_of(rows, ASSESSMENT_COLUMNS)
