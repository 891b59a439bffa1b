"""The join paths register reads share: one spelling of how a row reaches its cohort, HEI,
programme, block and setting.

Reads select different columns but walk the same foreign keys; writing each walk once keeps
them joined the same way. The HEI and a setting's organisation are both ``Organisation``
rows, so each has its own alias (``HEI``, ``SETTING_OWNER``) for reads to select from; the
aliases are immutable SQL constructs, safe to share between statements.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import col

from tracker.models import Cohort, Organisation, PlacementBlock, PlacementSetting, Programme

#: The HEI a cohort (or a calendar entry) belongs to.
HEI: Any = aliased(Organisation, name="hei")
#: The organisation that runs a placement setting.
SETTING_OWNER: Any = aliased(Organisation, name="setting_owner")


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
