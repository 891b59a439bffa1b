"""The registry of importable kinds, in the order a new system is loaded."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tracker.data.importers.audits import AUDITS
from tracker.data.importers.blocks import CALENDAR, PLACEMENT_BLOCKS
from tracker.data.importers.capacity import CAPACITY, SETTINGS
from tracker.data.importers.core import KindSpec
from tracker.data.importers.evaluations import EVALUATIONS
from tracker.data.importers.events import LEARNER_EVENTS
from tracker.data.importers.hours import PRACTICE_HOURS, PRACTICE_REQUIREMENTS
from tracker.data.importers.pipeline import COHORTS, LEARNERS
from tracker.data.importers.readiness import READINESS
from tracker.data.importers.registers import ORGANISATIONS, PROGRAMMES
from tracker.data.importers.requests import REQUESTS
from tracker.data.importers.staff import ACADEMIC_ASSESSORS, PRACTICE_STAFF
from tracker.data.importers.tariff import TARIFF

#: Read-only: every user of every worker reads the same registry, and no one may add to it.
KINDS: Mapping[str, KindSpec] = MappingProxyType(
    {
        spec.kind: spec
        for spec in (
            ORGANISATIONS,
            PROGRAMMES,
            COHORTS,
            LEARNERS,
            LEARNER_EVENTS,
            SETTINGS,
            PLACEMENT_BLOCKS,
            CALENDAR,
            CAPACITY,
            AUDITS,
            PRACTICE_STAFF,
            ACADEMIC_ASSESSORS,
            REQUESTS,
            READINESS,
            PRACTICE_REQUIREMENTS,
            PRACTICE_HOURS,
            TARIFF,
            EVALUATIONS,
        )
    }
)


class UnknownKind(ValueError):
    """The kind is not one of :data:`KINDS`; the message lists the ones there are."""


def spec_for(kind: str) -> KindSpec:
    try:
        return KINDS[kind]
    except KeyError:
        raise UnknownKind(f"Unknown kind {kind!r}; choose one of: {', '.join(KINDS)}.") from None
