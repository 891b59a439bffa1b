"""The settings register: every placement setting with its organisation, programmes and place."""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import Final

import pandas as pd
from sqlmodel import Session, col, select

from tracker.access import Principal, setting_owner_scope
from tracker.models import (
    Organisation,
    Placement,
    PlacementSetting,
)
from tracker.queries.filters import narrowed
from tracker.queries.options import ANY_PROGRAMME, frame_of, hosted_codes

SETTINGS_COLUMNS = [
    "id",
    "setting_id",
    "name",
    "organisation",
    "organisation_name",
    "sector",
    "programmes",
    "lat",
    "lon",
    "postcode_district",
    "contact_email",
    "active",
    "version",
    "has_history",
]
#: The register codes ``settings_register`` chooses (see ``queries.filters``).
SETTINGS_FILTERS: Final = MappingProxyType(
    {"sector": PlacementSetting.sector, "organisation": Organisation.code}
)


def settings_register(
    session: Session, *, principal: Principal, active: bool | None = None, **codes: Sequence[str]
) -> pd.DataFrame:
    """Every placement setting with its organisation, programmes hosted and location.

    ``codes`` choose sectors and organisations (``SETTINGS_FILTERS``); a filter left out or
    empty keeps every setting, as ``active=None`` keeps active and inactive ones.

    ``has_history`` marks settings with placements: they may be deactivated, never deleted.
    Settings are not personal data, so every role that may open a settings page sees them
    all, but a placement provider user, who sees its own organisation's only
    (``access.setting_owner_scope``).
    """
    query = (
        select(PlacementSetting, Organisation.code, Organisation.name)
        .join(Organisation, col(Organisation.id) == PlacementSetting.organisation_id)
        .order_by(PlacementSetting.code)
    )
    owner = setting_owner_scope(principal)
    if owner is not None:
        query = query.where(PlacementSetting.organisation_id == owner)
    query = narrowed(query, SETTINGS_FILTERS, codes)
    if active is not None:
        query = query.where(PlacementSetting.active == active)
    hosted = hosted_codes(session)
    with_history = set(session.exec(select(Placement.setting_id).distinct()).all())
    rows = [
        {
            "id": s.id,
            "setting_id": s.code,
            "name": s.name,
            "organisation": org_code,
            "organisation_name": org_name,
            "sector": s.sector,
            "programmes": ANY_PROGRAMME
            if s.hosts_any_programme
            else ";".join(sorted(hosted.get(s.id or 0, []))),
            "lat": s.lat,
            "lon": s.lon,
            "postcode_district": s.postcode_district,
            "contact_email": s.contact_email,
            "active": s.active,
            "version": s.version,
            "has_history": s.id in with_history,
        }
        for s, org_code, org_name in session.exec(query).all()
    ]
    return frame_of(rows, SETTINGS_COLUMNS)
