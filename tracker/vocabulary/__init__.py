"""What the product calls things: every code the UI shows, with its human label, in order.

Columns of tables and downloads, sectors, profession groups, routes, statuses, roles and
withdrawal reasons are stored and computed as codes (``care_home``, ``fill_ratio``); people
read labels ("Care home", "Fill ratio"). This package is the one place that maps one to the
other, so a grid header, a dropdown, a chart legend and a spreadsheet column say the same
thing. Order is the order of each mapping (the order the product lists them in).

Everything is imported from ``tracker.vocabulary``: the values' labels live here, the column
headings in ``columns`` and the rule that turns a code into words in ``words``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from tracker import models
from tracker.measures import readiness
from tracker.measures.capacity import ALL_SECTORS, ANY_SECTOR, NAMED, UNNAMED
from tracker.vocabulary.columns import (
    COLUMNS,
    COUNTS,
    FIGURE_COLUMNS,
    FIGURE_NUMBERS,
    FILTERS,
    MONEY,
    RATIOS,
    WEEKS,
    label,
)
from tracker.vocabulary.words import as_words
from tracker.vocabulary.words import labelled as _labelled

__all__ = [
    "COLUMNS",
    "COUNTS",
    "DELIVERY_MODES",
    "FIGURE_COLUMNS",
    "FIGURE_NUMBERS",
    "FILTERS",
    "MONEY",
    "NOTIFICATION_KINDS",
    "OUTBOX_STATUSES",
    "RATIOS",
    "WEEKS",
    "as_words",
    "label",
]


SECTORS: Final = _labelled(models.Sector, {"vcse": "Voluntary sector"})
#: Sector rows of capacity-against-demand tables that are not sectors.
SECTOR_ROWS: Final = MappingProxyType(
    {**SECTORS, ANY_SECTOR: "Any sector (no requirement)", ALL_SECTORS: "All sectors"}
)
PROFESSION_GROUPS: Final = _labelled(models.ProfessionGroup, {"ahp": "Allied health professions"})
ROUTES: Final = _labelled(models.Route)
WITHDRAWAL_REASONS: Final = _labelled(models.WithdrawalReason)
REQUEST_STATUSES: Final = _labelled(models.RequestStatus)
#: The status of a request still to be placed (what the requests page lists first).
SUBMITTED: Final = models.RequestStatus.SUBMITTED.value
#: Placement statuses a published placement can have (proposed ones belong to a draft run).
PLACEMENT_STATUSES: Final = _labelled(
    s.value for s in models.PlacementStatus if s is not models.PlacementStatus.PROPOSED
)
#: The status of a published placement still to happen (what the placements page lists first).
CONFIRMED: Final = models.PlacementStatus.CONFIRMED.value
RUN_STATUSES: Final = _labelled(models.RunStatus)
AUDIT_OUTCOMES: Final = _labelled(models.AuditOutcome)
AUDIT_STATUSES: Final = _labelled(models.AuditStatus, {"due": "Due within 90 days"})
STAFF_ROLES: Final = _labelled(models.StaffRole)
#: The kinds of e-mail notification a user chooses for (the digest is a way of receiving).
NOTIFICATION_KINDS: Final = _labelled(
    models.NotificationKind,
    {
        "request": "HEI requests submitted, changed or withdrawn",
        "plan_published": "Placement plans published",
        "import_done": "My imports finished or rejected",
        "audit_due": "Educational audits due within 60 days or overdue",
        "readiness_expiring": "Learners' readiness lapsing before their placement",
        "digest": "Daily digest",
    },
)
DELIVERY_MODES: Final = _labelled(
    models.DeliveryMode, {"off": "Off", "immediate": "Immediately", "digest": "Daily digest"}
)
OUTBOX_STATUSES: Final = _labelled(
    models.OutboxStatus,
    {"held": "Held for the daily digest", "gathered": "Sent in a digest"},
)


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
#: Where a capacity row's places come from: the setting's named staff, or (where it lists
#: none for the group) the counts typed on the capacity page.
CAPACITY_KINDS: Final = MappingProxyType({NAMED: "Named staff", UNNAMED: "Unnamed (typed counts)"})
#: Which of a named learner's staff a coordinator changes by hand (``services.staff_changes``).
STAFF_SLOTS: Final = MappingProxyType(
    {
        "supervisor": "Practice supervisor",
        "assessor": "Practice assessor (the educator, for allied health and social work)",
    }
)
#: Whether a member of practice staff has been prepared for their role (on the day shown).
PREPARATIONS: Final = MappingProxyType({"prepared": "Prepared", "not_prepared": "Not prepared"})
#: A learner's pre-placement checks (``measures.readiness.CHECKS``).
SIGN_OFFS: Final = _labelled(models.SignOff, {"pending": "Pending sign-off"})
ABSENCE_REASONS: Final = _labelled(models.AbsenceReason)
HOURS_PERIODS: Final = _labelled(models.HoursPeriod)
REQUIREMENT_UNITS: Final = _labelled(models.RequirementUnit)
#: Whether a learner is behind on practice hours (``measures.hours``).
HOURS_STATUSES: Final = MappingProxyType({"on_track": "On track", "behind": "Behind"})
#: What the quality view can be shown by (``measures.quality.LEVELS``).
QUALITY_LEVELS: Final = MappingProxyType(
    {
        "setting": "Setting",
        "organisation": "Provider organisation",
        "sector": "Sector",
        "all": "Whole system",
    }
)
#: What a run does with settings under quality review (``optimise.Policy.quality_review``).
QUALITY_REVIEW_POLICIES: Final = MappingProxyType(
    {
        "no_new_learners": "Offer them no new learners",
        "prefer_others": "Prefer other settings",
    }
)
#: What a run plans on (the allocation page's "Plan on"): capacity and requests by system
#: block, or each request on its programme calendar's dates over a date window.
RUN_MODES: Final = MappingProxyType(
    {
        "blocks": "System blocks",
        "calendars": "Programme calendars (dates)",
    }
)
#: The allocator's levels in their strict priority (``optimise.RULES``), as the run review's
#: fairness explanation names them.
PLAN_LEVELS: Final = MappingProxyType(
    {
        "most_learners_placed": "Most learners placed",
        "fair_share_between_heis": "Fair share between HEIs",
        "fair_share_between_sectors": "Fair share between sectors",
        "least_travel": "Least travel",
    }
)
#: How far a finished solve proved its plan (``AllocationResult.status``).
SOLVE_STATUSES: Final = MappingProxyType(
    {
        "optimal": "Proven best on every level",
        "time_limit": "Stopped by the time limit before every level was proven best",
        "failed": "The solver failed",
    }
)
#: The fairness a run was asked for (``optimise.Policy.fairness``).
FAIRNESS_POLICIES: Final = MappingProxyType(
    {
        "leximin": "the lowest HEI fill as high as it can be, then the next lowest, and so on "
        "for every HEI; then the busiest sector as little used as it can be, then the next",
        "max_min": "the lowest HEI fill as high as it can be, then the busiest sector as "
        "little used as it can be (the others are left as they fall)",
    }
)
#: Why a round of a fairness level held its HEIs or sectors where they are (``optimise.Held``).
HELD_REASONS: Final = MappingProxyType(
    {
        "full": "the places in reach of their learners still to place are full",
        "all_placed": "every learner they asked for who has a place in reach is placed",
        "by_total": "the most learners that can be placed are placed, shared as evenly as "
        "whole learners allow",
        "no_places": "no setting in reach has places on every day their learners still to "
        "place need",
        "fully_placed": "every learner they asked for is placed",
        "all_there": "every learner who could go there is there",
    }
)
READINESS_CHECKS: Final = _labelled(readiness.CHECKS, {"dbs": "DBS check"})
READINESS_STATUSES: Final = _labelled(readiness.STATUSES, {"expiring": "Expiring soon"})
ROLES: Final = _labelled(
    models.Role,
    {
        "admin": "Administrator",
        "coordinator": "Placement coordinator",
        "collaborative": "Collaborative member",
        "hei": "HEI user",
        "provider": "Placement provider",
    },
)
#: What an HEI system's API token may do (``services.api_tokens.TokenScope``).
TOKEN_SCOPES: Final = MappingProxyType(
    {"read": "Read placements and requests", "write": "Read, and push imports"}
)
#: The role a new user gets unless another is chosen.
DEFAULT_ROLE: Final = models.Role.COORDINATOR.value
#: The role whose users are bound to one HEI.
HEI_ROLE: Final = models.Role.HEI.value
#: The role whose users belong to one placement provider organisation.
PROVIDER_ROLE: Final = models.Role.PROVIDER.value

#: A learner's status on a date, as the pipeline measures count it.
LEARNER_STATUSES: Final = _labelled(
    ("not_started", "active", "interrupted", "withdrawn", "transferred_out", "completed"),
    {"active": "On programme"},
)
#: Every status a grid shows (learners, requests, placements, runs, audits): one code, one
#: word, whichever table it stands in.
STATUSES: Final = MappingProxyType(
    {
        **_labelled(models.PlacementStatus),
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
        "signin.pending": "Sign-in awaiting approval",
        "signout": "Signed out",
        "sso.first_sign_in": "First sign-in with the organisation's account",
        "sso.grant": "Organisation account granted access",
        "sso.rule_failed": "Claims rule could not grant access",
        "user.create": "User added",
        "user.update": "User changed",
        "user.password_reset": "Password reset",
        "api_token.create": "API token created",
        "api_token.revoke": "API token revoked",
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
        "academic_assessment.set": "Learner's academic assessor named",
        "save_learner_readiness": "Learner readiness saved",
        "save_practice_hours": "Practice hours saved",
        "delete_practice_hours": "Practice hours deleted",
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
        "placement.named_staff": "Supervisor or assessor changed",
        "outlook_scenario.save": "Outlook scenario saved",
        "outlook_scenario.replace": "Outlook scenario replaced",
        "outlook_scenario.rename": "Outlook scenario renamed",
        "outlook_scenario.delete": "Outlook scenario deleted",
        "quality_review.start": "Setting put under quality review",
        "quality_review.end": "Quality review ended",
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
        "practice-requirements",
        "practice-hours",
        "tariff",
        "evaluations",
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
                "academic_assessment",
                "learner_readiness",
                "practice_hours",
                "outlook_scenario",
                "quality_review",
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
        "capacity_kind": CAPACITY_KINDS,
        "first_to_expire": READINESS_CHECKS,
        "readiness_status": READINESS_STATUSES,
        "sign_off": SIGN_OFFS,
        "absence_reason": ABSENCE_REASONS,
        "period": HOURS_PERIODS,
        "unit": REQUIREMENT_UNITS,
        "hours_status": HOURS_STATUSES,
        "role": ROLES,
        "notification": NOTIFICATION_KINDS,
        "outbox_status": OUTBOX_STATUSES,
        "status": STATUSES,
        "action": AUDIT_ACTIONS,
        "entity": AUDIT_ENTITIES,
    }
)


def value_label(code: str) -> str:
    """The label of a value the UI shows (a sector, group, reason, status...)."""
    for labels in (SECTOR_ROWS, PROFESSION_GROUPS, WITHDRAWAL_REASONS, ROUTES, STATUSES):
        if code in labels:
            return labels[code]
    return as_words(code.replace(".", " "))


def options(labels: Mapping[str, str]) -> list[dict[str, str]]:
    """Dropdown options for a vocabulary, in its order."""
    return [{"label": text, "value": code} for code, text in labels.items()]
