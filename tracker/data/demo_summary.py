"""What writing the demo data wrote: rows per table, which the demo command prints and the
tests check. Its own module so the writer (``demo.py``) stays readable."""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields


@dataclass(frozen=True)
class DemoSummary:
    """Rows written per table, in the order they were written."""

    organisations: int
    programmes: int
    cohorts: int
    learners: int
    learner_events: int
    learner_readiness: int
    practice_requirements: int
    practice_hours: int
    placement_settings: int
    setting_programmes: int
    placement_blocks: int
    programme_calendars: int
    supervision_capacity: int
    educational_audits: int
    practice_staff: int
    academic_assessors: int
    academic_assessments: int
    placement_requests: int
    placements: int
    tariff_rates: int
    placement_evaluations: int
    quality_reviews: int
    users: int

    def items(self) -> list[tuple[str, int]]:
        return [(f.name, int(v)) for f, v in zip(fields(self), astuple(self), strict=True)]
