"""Reads of the Outlook page's saved scenarios: the ones this user may see, and one of them.

A planner (coordinator, collaborative member, administrator) sees the shared set, an HEI
user only their own (``access.scenario_owner``); a scenario outside that set reads as one
that does not exist, so its name is never revealed.
"""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, col, select

from tracker.access import Principal, scenario_owner
from tracker.models import OutlookScenario
from tracker.refusals import Refused

SCENARIO_COLUMNS = ("id", "name", "description", "saved_by", "saved_at")


def saved_scenarios(session: Session, *, principal: Principal) -> pd.DataFrame:
    """The scenarios this user may load, compare and change, by name (SCENARIO_COLUMNS)."""
    rows = session.exec(
        select(OutlookScenario)
        .where(OutlookScenario.owner == scenario_owner(principal))
        .order_by(col(OutlookScenario.name))
    ).all()
    return pd.DataFrame(
        [{c: getattr(row, c) for c in SCENARIO_COLUMNS} for row in rows],
        columns=list(SCENARIO_COLUMNS),
    )


def saved_scenario(session: Session, *, principal: Principal, scenario_id: int) -> OutlookScenario:
    """One scenario this user may see, or Refused (deleted, or never theirs to see)."""
    row = session.get(OutlookScenario, scenario_id)
    if row is None or row.owner != scenario_owner(principal):
        raise Refused("That saved scenario no longer exists: choose another.")
    return row


def scenario_named(session: Session, *, principal: Principal, name: str) -> OutlookScenario | None:
    """The scenario of this name among those the user may see, if any."""
    return session.exec(
        select(OutlookScenario).where(
            OutlookScenario.owner == scenario_owner(principal), OutlookScenario.name == name
        )
    ).first()
