"""Reads for the supply outlook: the pipeline frames with each programme's field.

The outlook projects per profession group *and field* (adult nursing, physiotherapy), which
the pipeline frames do not carry; the field is looked up here from the programme register
rather than added to every pipeline read.
"""

from __future__ import annotations

from sqlmodel import Session, select

from tracker.access import Principal
from tracker.models import Programme
from tracker.queries.pipeline import PipelineFilters, PipelineFrames, pipeline_frames


def programme_fields(session: Session) -> dict[str, str]:
    """Programme code -> field, for every programme in the register."""
    return {code: field for code, field in session.exec(select(Programme.code, Programme.field))}


def outlook_frames(
    session: Session, *, principal: Principal, filters: PipelineFilters | None = None
) -> PipelineFrames:
    """The learners (with ``field``), events and cohorts this user may read.

    Scoped like every pipeline read: an HEI user gets only their own HEI's learners.
    """
    frames = pipeline_frames(session, principal=principal, filters=filters or PipelineFilters())
    fields = programme_fields(session)
    learners = frames.learners.assign(field=frames.learners["programme"].map(fields).astype(object))
    return PipelineFrames(learners=learners, events=frames.events, cohorts=frames.cohorts)
