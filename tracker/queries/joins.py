"""The join paths register reads share: one spelling of how a row reaches its cohort, HEI,
programme, block and setting.

Reads select different columns but walk the same foreign keys; writing each walk once keeps
them joined the same way (the HEI and a setting's organisation are both ``Organisation``,
so callers pass the alias each one goes by).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col

from tracker.models import Cohort, PlacementBlock, PlacementSetting, Programme


def with_block(query: Any, block_id: Any) -> Any:
    """``query`` joined to the placement block that ``block_id`` names."""
    return query.join(PlacementBlock, col(PlacementBlock.id) == block_id)


def with_hei_and_programme(query: Any, hei: Any, *, hei_id: Any, programme_id: Any) -> Any:
    """``query`` joined to the HEI (as ``hei``) and the programme a row names."""
    return query.join(hei, col(hei.id) == hei_id).join(Programme, col(Programme.id) == programme_id)


def with_cohort(query: Any, hei: Any, cohort_id: Any) -> Any:
    """``query`` joined to the cohort ``cohort_id`` names, its HEI (as ``hei``) and programme."""
    return with_hei_and_programme(
        query.join(Cohort, col(Cohort.id) == cohort_id),
        hei,
        hei_id=Cohort.hei_id,
        programme_id=Cohort.programme_id,
    )


def with_setting(query: Any, setting_id: Any, owner: Any = None) -> Any:
    """``query`` joined to the setting ``setting_id`` names and, given an alias ``owner``,
    the organisation that runs it."""
    query = query.join(PlacementSetting, col(PlacementSetting.id) == setting_id)
    if owner is None:
        return query
    return query.join(owner, col(owner.id) == PlacementSetting.organisation_id)
