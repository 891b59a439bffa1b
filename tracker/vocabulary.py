"""What the product calls things: every code the UI shows, with its human label, in order.

Columns of tables and downloads, sectors, profession groups, routes, statuses, roles and
withdrawal reasons are stored and computed as codes (``care_home``, ``fill_ratio``); people
read labels ("Care home", "Fill ratio"). This module is the one place that maps one to the
other, so a grid header, a dropdown, a chart legend and a spreadsheet column say the same
thing. Order is the order of each mapping (the order the product lists them in).

Two kinds of table share some codes with different meanings: register and allocation grids
(``COLUMNS``: ``active`` is a setting's flag) and pipeline figure tables (``FIGURE_COLUMNS``:
``active`` is the "On programme" measure, ``reason`` a reason for withdrawal). A figure table
asks with ``label(code, figures=True)``; its measures keep their definition labels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from tracker.measures import MEASURE_LABELS, readiness
from tracker.measures.capacity import ALL_SECTORS, ANY_SECTOR
from tracker.models import (
    AuditOutcome,
    AuditStatus,
    PlacementStatus,
    ProfessionGroup,
    RequestStatus,
    Role,
    Route,
    RunStatus,
    Sector,
    StaffRole,
    WithdrawalReason,
)


def as_words(code: str) -> str:
    """A code read as words (``care_home``: "Care home"): the label of every code whose words
    say what it means, so only the codes the product words differently are spelled out."""
    return code.replace("_", " ").capitalize()


def _labelled(
    codes: type[StrEnum] | Iterable[str],
    labels: Mapping[str, str] | Callable[[str], str] = as_words,
) -> Mapping[str, str]:
    """Codes in order (an enumeration's values in its own order), each with its label: made
    from the code (``as_words`` unless told otherwise), except the codes ``labels`` words
    differently (each of them must be one of the codes)."""
    values = [c.value for c in codes] if isinstance(codes, type) else list(codes)
    if callable(labels):
        return MappingProxyType({code: labels(code) for code in values})
    unknown = set(labels) - set(values)
    if unknown:
        raise ValueError(f"labels for codes that do not exist: {sorted(unknown)}")
    return MappingProxyType({code: labels.get(code, as_words(code)) for code in values})


SECTORS: Final = _labelled(Sector, {"vcse": "Voluntary sector"})
#: Sector rows of capacity-against-demand tables that are not sectors.
SECTOR_ROWS: Final = MappingProxyType(
    {**SECTORS, ANY_SECTOR: "Any sector (no requirement)", ALL_SECTORS: "All sectors"}
)
PROFESSION_GROUPS: Final = _labelled(ProfessionGroup, {"ahp": "Allied health professions"})
ROUTES: Final = _labelled(Route)
WITHDRAWAL_REASONS: Final = _labelled(WithdrawalReason)
REQUEST_STATUSES: Final = _labelled(RequestStatus)
#: The status of a request still to be placed (what the requests page lists first).
SUBMITTED: Final = RequestStatus.SUBMITTED.value
#: Placement statuses a published placement can have (proposed ones belong to a draft run).
PLACEMENT_STATUSES: Final = _labelled(
    s.value for s in PlacementStatus if s is not PlacementStatus.PROPOSED
)
#: The status of a published placement still to happen (what the placements page lists first).
CONFIRMED: Final = PlacementStatus.CONFIRMED.value
RUN_STATUSES: Final = _labelled(RunStatus)
AUDIT_OUTCOMES: Final = _labelled(AuditOutcome)
AUDIT_STATUSES: Final = _labelled(AuditStatus, {"due": "Due within 90 days"})
STAFF_ROLES: Final = _labelled(StaffRole)


def _role_sets() -> Mapping[str, str]:
    """Every combination of roles as the register writes it (codes ``;``-joined in order),
    said in words: "Practice supervisor and assessor"."""
    codes = list(STAFF_ROLES)
    combos = {}
    for mask in range(1, 2 ** len(codes)):
        held = [c for i, c in enumerate(codes) if mask >> i & 1]
        words = [STAFF_ROLES[c].removeprefix("Practice ").lower() for c in held]
        spoken = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
        combos[";".join(held)] = f"Practice {spoken}"
    return MappingProxyType(combos)


#: The roles cell of the practice staff register (one or several roles) in words.
STAFF_ROLE_SETS: Final = _role_sets()
#: Whether a member of practice staff has been prepared for their role (on the day shown).
PREPARATIONS: Final = MappingProxyType({"prepared": "Prepared", "not_prepared": "Not prepared"})
#: A learner's pre-placement checks (``measures.readiness.CHECKS``).
READINESS_CHECKS: Final = _labelled(readiness.CHECKS, {"dbs": "DBS check"})
READINESS_STATUSES: Final = _labelled(readiness.STATUSES, {"expiring": "Expiring soon"})
ROLES: Final = _labelled(
    Role,
    {
        "admin": "Administrator",
        "coordinator": "Placement coordinator",
        "collaborative": "Collaborative member",
        "hei": "HEI user",
    },
)
#: The role a new user gets unless another is chosen.
DEFAULT_ROLE: Final = Role.COORDINATOR.value
#: The role whose users are bound to one HEI.
HEI_ROLE: Final = Role.HEI.value

#: A learner's status on a date, as the pipeline measures count it.
LEARNER_STATUSES: Final = _labelled(
    ("not_started", "active", "interrupted", "withdrawn", "transferred_out", "completed"),
    {"active": "On programme"},
)
#: Every status a grid shows (learners, requests, placements, runs, audits): one code, one
#: word, whichever table it stands in.
STATUSES: Final = MappingProxyType(
    {
        **_labelled(PlacementStatus),
        **REQUEST_STATUSES,
        **RUN_STATUSES,
        **AUDIT_STATUSES,
        **READINESS_STATUSES,
        **LEARNER_STATUSES,
    }
)
#: What the audit log calls each action (codes stay in the log and its download).
AUDIT_ACTIONS: Final = MappingProxyType(
    {
        "signin": "Signed in",
        "signin.failed": "Sign-in failed",
        "signin.throttled": "Sign-in held back",
        "signout": "Signed out",
        "user.create": "User added",
        "user.update": "User changed",
        "user.password_reset": "Password reset",
        "import": "File imported",
        "save_setting": "Setting saved",
        "deactivate_setting": "Setting deactivated",
        "delete_setting": "Setting deleted",
        "save_capacity": "Capacity saved",
        "bulk_adjust_capacity": "Capacity changed in bulk",
        "save_calendar_entry": "Calendar entry saved",
        "submit_request": "Request submitted",
        "withdraw_request": "Request withdrawn",
        "save_educational_audit": "Educational audit saved",
        "delete_educational_audit": "Educational audit deleted",
        "save_practice_staff": "Practice staff member saved",
        "delete_practice_staff": "Practice staff member deleted",
        "save_academic_assessor": "Academic assessor saved",
        "delete_academic_assessor": "Academic assessor deleted",
        "save_learner_readiness": "Learner readiness saved",
        "delete_learner_readiness": "Learner readiness cleared",
        "allocation.run.create": "Allocation run started",
        "allocation.run.finish": "Allocation run finished",
        "allocation.run.cancel": "Allocation run cancelled",
        "allocation.run.stale": "Allocation run closed (worker lost)",
        "allocation.run.approve": "Plan approved",
        "allocation.run.supersede": "Plan superseded",
        "allocation.placement.pin": "Placement pinned",
        "allocation.placement.unpin": "Placement unpinned",
        "allocation.placement.move": "Learners moved",
        "allocation.learners.assign": "Named learners assigned",
    }
)
#: What each import kind is called (the kind's code stays in the file name, the command line
#: and the audit log's download); tests check that every import kind has one.
IMPORT_KINDS: Final = _labelled(
    [
        "organisations",
        "programmes",
        "cohorts",
        "learners",
        "learner-events",
        "settings",
        "placement-blocks",
        "calendar",
        "capacity",
        "audits",
        "practice-staff",
        "academic-assessors",
        "requests",
        "readiness",
    ],
    lambda code: as_words(code.replace("-", "_")),
)
#: What an audit-log row changed (the record's kind; an import's is the import kind).
AUDIT_ENTITIES: Final = MappingProxyType(
    {
        **_labelled(
            [
                "user",
                "placement_setting",
                "supervision_capacity",
                "programme_calendar",
                "placement_request",
                "allocation_run",
                "placement",
                "educational_audit",
                "practice_staff",
                "academic_assessor",
                "learner_readiness",
            ],
            {
                "placement_setting": "Setting",
                "supervision_capacity": "Capacity",
                "placement_request": "Request",
            },
        ),
        **IMPORT_KINDS,
    }
)
#: Columns whose cells hold codes, and the labels a grid shows for them (the data, and so
#: downloads and imports, keep the codes).
VALUE_LABELS: Final = MappingProxyType(
    {
        "sector": SECTOR_ROWS,
        "required_sector": SECTORS,
        "profession_group": PROFESSION_GROUPS,
        "route": ROUTES,
        "reason": WITHDRAWAL_REASONS,
        "withdrawal_reason": WITHDRAWAL_REASONS,
        "outcome": AUDIT_OUTCOMES,
        "audit_status": AUDIT_STATUSES,
        "roles": STAFF_ROLE_SETS,
        "preparation": PREPARATIONS,
        "first_to_expire": READINESS_CHECKS,
        "readiness_status": READINESS_STATUSES,
        "role": ROLES,
        "status": STATUSES,
        "action": AUDIT_ACTIONS,
        "entity": AUDIT_ENTITIES,
    }
)

#: Pipeline filters, in the order of the filter bar.
FILTERS: Final = MappingProxyType(
    {
        "profession_group": "Profession group",
        "programme": "Programme",
        "hei": "HEI",
        "intake_year": "Intake year",
        "route": "Route",
    }
)

#: Column headers of register, allocation and placement grids and their downloads.
COLUMNS: Final = MappingProxyType(
    {
        "at": "When",
        "username": "User",
        "action": "Action",
        "entity": "Record type",
        "entity_id": "Record",
        "old_text": "Before",
        "new_text": "After",
        "detail": "Detail",
        **FILTERS,
        # organisations and settings
        "setting": "Setting",
        "setting_id": "Setting code",
        "setting_name": "Setting name",
        "name": "Name",
        "organisation": "Organisation",
        "organisation_name": "Organisation name",
        "sector": "Sector",
        "programmes": "Programmes hosted",
        "postcode_district": "Postcode district",
        "active": "Active",
        "has_history": "Has placements",
        # capacity
        "block": "Block",
        "block_start": "Starts",
        "block_end": "Ends",
        "practice_supervisors": "Practice supervisors",
        "practice_assessors": "Practice assessors",
        "practice_educators": "Practice educators",
        "learners_per_supervisor": "Learners per supervisor",
        "places": "Places",
        "spare": "Spare places",
        "shortfall": "Shortfall",
        "places_per_learner": "Places per learner requested",
        # requests and calendars
        "request_id": "Request",
        "intake": "Intake",
        "learners": "Learners",
        "status": "Status",
        "created_at": "Submitted at",
        "created_by": "Submitted by",
        "requested": "Learners requested",
        "year_of_study": "Year of study",
        "start_date": "Start",
        "end_date": "End",
        "hei_a": "HEI",
        "programme_a": "Programme",
        "hei_b": "Overlaps HEI",
        "programme_b": "Its programme",
        "overlap_start": "From",
        "overlap_end": "To",
        "overlap_days": "Days shared",
        # educational audits
        "audited_on": "Audited on",
        "outcome": "Outcome",
        "expires_on": "Expires on",
        "audit_status": "Audit status",
        "approved_programmes": "Programmes approved",
        "action_plan": "Action plan",
        "action_due_on": "Actions due",
        # practice staff and academic assessors
        "staff_ref": "Staff reference",
        "display_name": "Display name",
        "settings": "Settings",
        "roles": "Roles",
        "field": "Field",
        "prepared_on": "Prepared on",
        "preparation": "Preparation",
        "max_learners": "Learners at once",
        "assessed_programmes": "Programmes assessed",
        "named_staff": "Named supervisors / assessors",
        "practice_supervisor": "Practice supervisor",
        "practice_assessor": "Practice assessor",
        # learner readiness
        "learner_ref": "Learner",
        "dbs_valid_until": "DBS check valid until",
        "occupational_health_valid_until": "Occupational health valid until",
        "mandatory_training_valid_until": "Mandatory training valid until",
        "ready_until": "Ready until",
        "first_to_expire": "Expires first",
        "not_recorded": "Not recorded",
        "readiness_status": "Readiness",
        "note": "Note",
        "updated_at": "Updated at",
        # allocation runs
        "run_id": "Run",
        "what_if": "What-if",
        "min_hei_fill": "Lowest HEI fill",
        "fill_ratio": "Fill ratio",
        "reason_code": "Reason code",
        "reason": "Reason",
        "unmet_in_reach": "Could place here",
        "extra_with_1": "+1 supervisor places",
        "extra_with_2": "+2 supervisors place",
        "extra_with_5": "+5 supervisors place",
        "supervisors_to_add": "Supervisors to place all",
        "distance_km": "Distance (km)",
        "learner_km": "Learner km",
        "max_sector_utilisation": "Highest sector use",
        # workforce outlook and placement growth
        "year": "Year",
        "completions": "Completions",
        "completions_low": "Completions (low)",
        "completions_high": "Completions (high)",
        "local_posts": "Taking a local post",
        "predicted": "Predicted completions",
        "actual": "Recorded completions",
        "mape": "Mean absolute percentage error",
        "placements": "Placements needed",
        "supervisors_added": "Extra supervisors",
        "places_added": "Places added",
        "learners_let_in": "Learners it lets in",
        "cost": "Cost",
        "blocks": "Blocks",
        "explanation": "Why",
    }
)
#: Column headers of pipeline figure tables and their downloads: measures by definition.
FIGURE_COLUMNS: Final = MappingProxyType(
    {
        **FILTERS,
        "intake": "Intake",
        "academic_year": "Academic year",
        "reason": "Reason for withdrawal",
        "share": "Share of withdrawals",
        "flag": "Funnel position",
        "learner_ref": "Learner",
        "status": "Status",
        "status_date": "Since",
        "year_of_study": "Year of study",
        "withdrawal_reason": "Reason for withdrawal",
        "disclosure_flags": "Hidden cells (why)",
        **MEASURE_LABELS,
    }
)
#: Columns holding a share (0 to 1) that grids show as a percentage.
RATIOS: Final = frozenset({"fill_ratio", "utilisation", "min_hei_fill", "max_sector_utilisation"})
#: Figure-table columns that are numbers (right-aligned even when shown as text).
FIGURE_NUMBERS: Final = frozenset({*MEASURE_LABELS, "share"})


def label(code: str, *, figures: bool = False) -> str:
    """The header for a column code; codes without an entry read as words."""
    known = FIGURE_COLUMNS if figures else COLUMNS
    return known.get(code, as_words(code))


def value_label(code: str) -> str:
    """The label of a value the UI shows (a sector, group, reason, status...)."""
    for labels in (SECTOR_ROWS, PROFESSION_GROUPS, WITHDRAWAL_REASONS, ROUTES, STATUSES):
        if code in labels:
            return labels[code]
    return as_words(code.replace(".", " "))


def options(labels: Mapping[str, str]) -> list[dict[str, str]]:
    """Dropdown options for a vocabulary, in its order."""
    return [{"label": text, "value": code} for code, text in labels.items()]
