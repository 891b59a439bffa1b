"""Readiness in stage 2: the learners' check dates from the readiness register, and the
optimiser's readiness reasons in the register's words (which check, which date)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from tracker.measures.readiness import CHECK_COLUMNS, CHECKS, Dates, missing_checks
from tracker.models import LearnerReadiness
from tracker.vocabulary import READINESS_CHECKS


def check_dates(session: Session, learner_ids: Sequence[int]) -> dict[int, Dates] | None:
    """Each learner's check dates; None while the readiness register is empty (an
    installation that has not started recording readiness names learners as before)."""
    if session.exec(select(LearnerReadiness.id).limit(1)).first() is None:
        return None
    rows = session.exec(
        select(LearnerReadiness).where(col(LearnerReadiness.learner_id).in_(list(learner_ids)))
    ).all()
    found: dict[int, Dates] = {
        r.learner_id: {c: getattr(r, CHECK_COLUMNS[c]) for c in CHECKS} for r in rows
    }
    return {i: found.get(i, dict.fromkeys(CHECKS)) for i in learner_ids}


_ENDS = re.compile(r"before the placement ends on (\d{4}-\d{2}-\d{2})")
_CLAUSE = re.compile(r"not ready for placement: [^;]*")
_WHERE = re.compile(r"^at setting [^:]*\): ")  # optimise.staff_reasons.combine_reasons' prefix


def readiness_reason(dates: Dates, reason: str) -> str:
    """The optimiser's readiness reason in the register's words: which check is missing, or
    which expires before the placement ends ("DBS check expires 2027-01-31, before the
    placement ends on 2027-02-26"), said once when every place of the learner's request was
    refused for the same reason."""
    worded = _CLAUSE.sub(lambda m: _check_words(dates, m.group(0)), reason)
    parts = {_WHERE.sub("", part) for part in worded.split("; ")}
    return parts.pop() if len(parts) == 1 else worded


def _check_words(dates: Dates, clause: str) -> str:
    missing = missing_checks(dates)
    if missing:
        return "not ready for placement: not recorded: " + ", ".join(
            READINESS_CHECKS[c] for c in missing
        )
    ends = _ENDS.search(clause)
    if ends is None:
        return clause
    end = date.fromisoformat(ends.group(1))
    lapsing = [
        f"{READINESS_CHECKS[c]} expires {d.isoformat()}"
        for c in CHECKS
        if (d := dates.get(c)) is not None and d < end
    ]
    if not lapsing:
        return clause
    return f"{' and '.join(lapsing)}, before the placement ends on {end.isoformat()}"
