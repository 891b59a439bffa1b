"""The demo's academic assessments (NMC SSSA): each NMC learner in training on DEMO_AS_OF has
an academic assessor for every part of the programme up to their current one (the part is the
year of study), of their HEI, assessing their programme, never the same person for two
consecutive parts, spread evenly by the same pure rule the app uses
(``optimise.academic.assign_academic``). Every thirtieth learner has not yet been given one for
their current part, so the page's *Name one for everyone without* has something to do.
Nothing here draws on the seeded generator, so adding it changed no other demo row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from tracker.data import demo_reference as ref
from tracker.data.demo_people import CohortPlan, LearnerPlan
from tracker.data.demo_readiness import IN_TRAINING
from tracker.measures.hours import year_of_study
from tracker.models import ProfessionGroup as PG
from tracker.optimise.academic import ASSESSORS, HELD, NEEDS, assign_academic

NMC = frozenset({PG.NURSING, PG.MIDWIFERY, PG.NURSING_ASSOCIATE})
#: Every this-many-th NMC learner in training is still to be given one for the current part.
NOT_YET_EVERY = 30


def academic_assessment_rows(
    cohorts: list[CohortPlan],
    learners: list[LearnerPlan],
    learner_ids: list[int],
    assessors: list[dict[str, Any]],
    assessor_ids: list[int],
    hei_ids: Mapping[str, int],
    as_of: date,
) -> list[dict[str, Any]]:
    """``AcademicAssessment`` rows, part by part so each part sees the one before."""
    needs, counted = [], 0
    for lid, lp in zip(learner_ids, learners, strict=True):
        spec = ref.PROGRAMME_BY_CODE[cohorts[lp.cohort].programme]
        if lp.status not in IN_TRAINING or spec.group not in NMC or lp.start > as_of:
            continue
        current = year_of_study(lp.start, as_of, spec.years)
        counted += 1
        skip_current = counted % NOT_YET_EVERY == 17
        hei = str(hei_ids[cohorts[lp.cohort].hei_code])
        for part in range(1, current + (0 if skip_current else 1)):
            needs.append((str(lid), hei, spec.code, part))
    pool = pd.DataFrame(
        [
            (str(i), str(a["hei_id"]), a["programmes"])
            for i, a in zip(assessor_ids, assessors, strict=True)
        ],
        columns=ASSESSORS,
    )
    frame = pd.DataFrame(needs, columns=NEEDS)
    held = pd.DataFrame(columns=HELD)
    for part in sorted(frame["part"].unique()):
        new, _left = assign_academic(frame[frame["part"] == part], pool, held)
        held = pd.concat([held, new], ignore_index=True)
    return [
        {
            "learner_id": int(r.learner),
            "part": int(r.part),
            "assessor_id": int(r.assessor),
            "version": 1,
        }
        for r in held.itertuples(index=False)
    ]
