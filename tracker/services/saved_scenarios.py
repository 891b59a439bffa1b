"""Saved, named scenarios of the Outlook page: save (or replace), rename, delete, load.

What is saved is the editor's few numbers (``ScenarioEdits``, checked again on the way in
and on the way out), never figures: every viewer who loads one sees its outlook as they may
see it. Planners share one set; an HEI user keeps their own (``access.scenario_owner``).
Every change writes one audit row in the caller's transaction (``services.audit``).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from tracker.access import Principal, scenario_owner
from tracker.clock import utcnow
from tracker.models import OutlookScenario
from tracker.queries.scenarios import saved_scenario, scenario_named
from tracker.refusals import Refused
from tracker.services.audit import record_audit
from tracker.services.outlook_scenarios import ScenarioEdits, edits_from

MAX_NAME, MAX_DESCRIPTION = 80, 500
ENTITY = "outlook_scenario"


def _name(text: object) -> str:
    name = " ".join(str(text or "").split()) if isinstance(text, str | None) else None
    if not name:
        raise Refused("Give the scenario a name.")
    if len(name) > MAX_NAME:
        raise Refused(f"A scenario's name may be at most {MAX_NAME} characters.")
    return name


def _description(text: object) -> str:
    if text is not None and not isinstance(text, str):
        raise Refused("The description must be text.")
    description = (text or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Refused(f"A description may be at most {MAX_DESCRIPTION} characters.")
    return description


def _audited(row: OutlookScenario) -> dict[str, Any]:
    return {"name": row.name, "description": row.description, "scenario": row.scenario}


def save_scenario(
    session: Session,
    *,
    principal: Principal,
    name: str,
    edits: ScenarioEdits,
    description: str = "",
    replace: bool = False,
) -> OutlookScenario:
    """Save ``edits`` under ``name``; a name already saved is refused unless ``replace``."""
    name, description = _name(name), _description(description)
    row = scenario_named(session, principal=principal, name=name)
    if row is not None and not replace:
        raise Refused(
            f"A scenario named '{name}' is saved already: choose another name, or tick "
            "'Replace the saved scenario of this name'."
        )
    old = None if row is None else _audited(row)
    if row is None:
        row = OutlookScenario(name=name, owner=scenario_owner(principal), saved_at=utcnow())
    row.description, row.scenario = description, edits.stored()
    row.saved_by, row.saved_at = principal.username, utcnow()
    session.add(row)
    session.flush()
    action = "outlook_scenario.save" if old is None else "outlook_scenario.replace"
    record_audit(
        session, principal, action, entity=ENTITY, entity_id=row.id, old=old, new=_audited(row)
    )
    return row


def rename_scenario(
    session: Session, *, principal: Principal, scenario_id: int, name: str
) -> OutlookScenario:
    """Give a saved scenario another name (not one already saved)."""
    row = saved_scenario(session, principal=principal, scenario_id=scenario_id)
    name = _name(name)
    other = scenario_named(session, principal=principal, name=name)
    if other is not None and other.id != row.id:
        raise Refused(f"A scenario named '{name}' is saved already: choose another name.")
    old = row.name
    row.name = name
    session.add(row)
    record_audit(
        session,
        principal,
        "outlook_scenario.rename",
        entity=ENTITY,
        entity_id=row.id,
        old={"name": old},
        new={"name": name},
    )
    return row


def delete_scenario(session: Session, *, principal: Principal, scenario_id: int) -> str:
    """Delete a saved scenario; returns its name for the message."""
    row = saved_scenario(session, principal=principal, scenario_id=scenario_id)
    record_audit(
        session,
        principal,
        "outlook_scenario.delete",
        entity=ENTITY,
        entity_id=row.id,
        old=_audited(row),
    )
    session.delete(row)
    return row.name


def load_scenario(
    session: Session, *, principal: Principal, scenario_id: int
) -> tuple[str, ScenarioEdits]:
    """A saved scenario's name and numbers, checked as the editor checks them."""
    row = saved_scenario(session, principal=principal, scenario_id=scenario_id)
    try:
        return row.name, edits_from(row.scenario)
    except ValueError as exc:
        raise Refused(f"The saved scenario '{row.name}' cannot be used: {exc}") from exc
