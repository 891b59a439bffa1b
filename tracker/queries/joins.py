"""The join paths register reads share: one spelling of how a row reaches its cohort, HEI,
programme, block and setting.

Reads select different columns but walk the same foreign keys; writing each walk once keeps
them joined the same way. The HEI and a setting's organisation are both ``Organisation``
rows, so each has its own alias (``HEI``, ``SETTING_OWNER``) for reads to select from; the
aliases are immutable SQL constructs, safe to share between statements.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import col

from tracker.models import (
    Cohort,
    Organisation,
    Placement,
    PlacementBlock,
    PlacementSetting,
    PracticeStaff,
    Programme,
)

#: The HEI a cohort (or a calendar entry) belongs to.
HEI: Any = aliased(Organisation, name="hei")
#: The organisation that runs a placement setting.
SETTING_OWNER: Any = aliased(Organisation, name="setting_owner")
#: A named placement's practice supervisor and practice assessor (or practice educator).
SUPERVISOR: Any = aliased(PracticeStaff, name="supervisor")
ASSESSOR: Any = aliased(PracticeStaff, name="assessor")


def with_block(query: Any, block_id: Any) -> Any:
    """``query`` joined to the placement block that ``block_id`` names."""
    return query.join(PlacementBlock, col(PlacementBlock.id) == block_id)


def with_hei_and_programme(query: Any, *, hei_id: Any, programme_id: Any) -> Any:
    """``query`` joined to the HEI (as ``HEI``) and the programme a row names."""
    return query.join(HEI, col(HEI.id) == hei_id).join(Programme, col(Programme.id) == programme_id)


def with_cohort(query: Any, cohort_id: Any) -> Any:
    """``query`` joined to the cohort ``cohort_id`` names, its HEI (as ``HEI``) and programme."""
    return with_hei_and_programme(
        query.join(Cohort, col(Cohort.id) == cohort_id),
        hei_id=Cohort.hei_id,
        programme_id=Cohort.programme_id,
    )


def with_setting(query: Any, setting_id: Any, *, owner: bool = False) -> Any:
    """``query`` joined to the setting ``setting_id`` names and, with ``owner``, the
    organisation that runs it (as ``SETTING_OWNER``)."""
    query = query.join(PlacementSetting, col(PlacementSetting.id) == setting_id)
    if not owner:
        return query
    return query.join(SETTING_OWNER, col(SETTING_OWNER.id) == PlacementSetting.organisation_id)


def with_named_staff(query: Any) -> Any:
    """``query`` on placements outer-joined to their practice supervisor (``SUPERVISOR``) and
    practice assessor (``ASSESSOR``): empty on request-level rows and unnamed settings."""
    return query.outerjoin(
        SUPERVISOR, col(SUPERVISOR.id) == Placement.practice_supervisor_id
    ).outerjoin(ASSESSOR, col(ASSESSOR.id) == Placement.practice_assessor_id)


def staff_name(person: Any) -> Any:
    """A member of staff as the pages name them: the display name the organisation chose,
    else their reference."""
    return func.coalesce(person.display_name, person.staff_ref)


def named_staff_columns() -> tuple[Any, Any]:
    """The practice supervisor's and assessor's names (``staff_name``) of a query
    ``with_named_staff``, the two columns every named-placement list ends with."""
    return staff_name(SUPERVISOR), staff_name(ASSESSOR)
