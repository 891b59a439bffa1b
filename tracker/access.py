"""Who may read or change what: the one place that decides, by role and HEI.

Services and queries ask this module; pages never filter for permissions themselves. A
``Principal`` is a plain frozen value (not the Flask user) so that background jobs, the command
line and tests can pass one explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tracker.models import Role


class AccessDenied(PermissionError):
    """The signed-in user may not do this; the message is safe to show them."""


@dataclass(frozen=True)
class Principal:
    username: str
    role: Role
    user_id: int | None = None
    hei_id: int | None = None
    hei_code: str | None = None
    #: A placement provider user's organisation (the owner of the settings they see).
    organisation_id: int | None = None

    @property
    def is_hei(self) -> bool:
        return self.role is Role.HEI

    @property
    def is_provider(self) -> bool:
        return self.role is Role.PROVIDER


# The command line acts as an administrator (exact figures), as the issues ask.
SYSTEM = Principal(username="system", role=Role.ADMIN)

ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.COORDINATOR})
#: Placement provider users (trusts, practices, care homes) see their own organisation's
#: settings only: the placements coming to them, their audits, quality and tariff
#: (``setting_owner_scope``); no learner pipeline, no requests, no allocation runs.
PROVIDERS = frozenset({Role.PROVIDER})
#: Everyone who reads the learner pipeline's aggregate pages: every role but providers.
PIPELINE_VIEWERS = ALL_ROLES - PROVIDERS
#: Who may read the educational audits register: staff keep it; HEIs read it (read-only) to
#: see where their programmes may be placed and which audits they may be asked to join. The
#: collaborative role sees aggregate figures only and has no use for the register. There is no
#: settings' own role yet: their coordinators enter audits on their behalf.
#: Placement providers read their own settings' audits (``setting_owner_scope``).
AUDIT_READERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.HEI, Role.PROVIDER})
#: Who may read the practice staff register: staff keep it and HEIs read it (they need to
#: see who supervises and assesses their learners); the collaborative role, aggregate-only,
#: does not see named staff.
PRACTICE_STAFF_READERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.HEI})
#: Who may read academic assessors: HEIs their own (and edit them), staff every HEI's.
ACADEMIC_ASSESSOR_READERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.HEI})
#: Who may name learners' academic assessors: the same roles (HEIs their own learners').
ACADEMIC_ASSESSMENT_KEEPERS = ACADEMIC_ASSESSOR_READERS
#: Who may read the learner readiness register: staff, to see who may be placed, and HEI users,
#: for their own learners only (``hei_scope``). The collaborative role receives no learner-level
#: rows (``sees_learner_rows``).
READINESS_READERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.HEI})
#: Who keeps it: the learner's HEI, which holds the DBS, occupational health and training
#: records, and administrators (the command line, loading an HEI's file on its behalf).
#: Coordinators read it only: they place learners, they do not vouch for their checks.
READINESS_KEEPERS = frozenset({Role.ADMIN, Role.HEI})
#: Who may read learners' practice hours: as readiness, staff (to see who is behind before
#: placing) and HEI users, their own learners only.
HOURS_READERS = READINESS_READERS
#: Who keeps them: the learner's HEI, which holds the practice assessment record, and
#: administrators. Coordinators read them only.
HOURS_KEEPERS = READINESS_KEEPERS
#: Who sees how many learners are behind on hours, disclosure-controlled (no learner rows).
HOURS_AGGREGATE_READERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.COLLABORATIVE})
#: Who imports learners' placement evaluations: the learner's HEI (its survey export) and
#: staff for any HEI (a collaborative survey office loads every HEI's).
EVALUATION_KEEPERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.HEI})
#: Who sees the quality view: coordinators and administrators, and the owning organisation
#: (placement providers, their own settings only, under the same minimum of responses); HEIs
#: and the collaborative role do not see settings' scores.
QUALITY_READERS = STAFF | PROVIDERS
#: Who keeps quality reviews (puts a setting under review and ends it): staff only.
QUALITY_REVIEWERS = STAFF
#: Who configures each programme's practice requirement and behind margin.
REQUIREMENT_KEEPERS = STAFF
#: Who shares the Outlook page's saved scenarios: the collaborative's planners save, change
#: and see one common set. An HEI user keeps scenarios of their own, which nobody else sees
#: (and they see no one else's): a scenario holds no figures, but an HEI's plans for its
#: intakes are its own business until it shares them.
SCENARIO_PLANNERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.COLLABORATIVE})

# Page key -> roles that may open it. Navigation, page guards and the access-control walk in
# the tests all read this one table. Read-only (a mapping proxy of frozensets): no code path,
# plugin or test can widen who may open a page at run time.
PAGE_ROLES: Mapping[str, frozenset[Role]] = MappingProxyType(
    {
        "home": ALL_ROLES,
        "pipeline": frozenset({Role.ADMIN, Role.COLLABORATIVE, Role.COORDINATOR}),
        "concerns": frozenset({Role.ADMIN, Role.COLLABORATIVE, Role.COORDINATOR}),
        "cohorts": PIPELINE_VIEWERS,
        "outlook": PIPELINE_VIEWERS,
        "imports": frozenset({Role.ADMIN, Role.COORDINATOR, Role.HEI}),
        "settings": STAFF,
        "capacity": STAFF,
        "audits": AUDIT_READERS,
        "practice-staff": PRACTICE_STAFF_READERS,
        "academic-assessors": ACADEMIC_ASSESSOR_READERS,
        "readiness": READINESS_READERS,
        # learner rows: HEI users their own learners, staff every HEI's
        "practice-hours": HOURS_READERS,
        # how many are behind by programme and HEI, disclosure-controlled
        "hours-behind": HOURS_AGGREGATE_READERS,
        "calendar": frozenset({Role.ADMIN, Role.COORDINATOR, Role.HEI}),
        "requests": frozenset({Role.ADMIN, Role.COORDINATOR, Role.HEI}),
        "capacity-demand": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COLLABORATIVE}),
        "allocation": STAFF,
        # providers: the placements at their own organisation's settings only
        "placements": ALL_ROLES,
        # HEI users see their own HEI's placements only, providers their own organisation's;
        # others the system, controlled.
        "tariff": ALL_ROLES,
        "quality": QUALITY_READERS,
        "users": frozenset({Role.ADMIN}),
        "audit": frozenset({Role.ADMIN}),
        # each signed-in user's own e-mail address and notification choices
        "notifications": ALL_ROLES,
        # every message with its recipient: administrators only
        "outbox": frozenset({Role.ADMIN}),
    }
)


def can_view_page(principal: Principal, page_key: str) -> bool:
    return principal.role in PAGE_ROLES.get(page_key, frozenset())


def page_of_component(component_id: str) -> str | None:
    """The page a component id belongs to, by the ``<page>-<thing>`` naming rule.

    The longest page key wins (``capacity-demand-map`` is the capacity-demand page's, not the
    capacity page's). Ids outside any page (navigation, Dash's own) belong to none.
    """
    matches = [key for key in PAGE_ROLES if component_id.startswith(f"{key}-")]
    return max(matches, key=len) if matches else None


def may_call(principal: Principal, component_ids: Iterable[str]) -> bool:
    """Whether this user may run a callback that updates these components: only if every
    page they belong to is one the user may open. The web guard asks this before Dash runs
    anything, which also covers background callbacks (allocation runs), whose work happens
    in another process where no signed-in user is known."""
    pages = {page_of_component(c) for c in component_ids} - {None}
    return all(can_view_page(principal, page) for page in pages if page is not None)


def require_page(principal: Principal, page_key: str) -> None:
    if not can_view_page(principal, page_key):
        raise AccessDenied("Your role does not give access to this page.")


def require_role(principal: Principal, roles: Iterable[Role], action: str) -> None:
    if principal.role not in set(roles):
        raise AccessDenied(f"Your role ({principal.role.value}) may not {action}.")


def hei_scope(principal: Principal) -> int | None:
    """The one HEI whose learner-level rows this user may read, or None for all HEIs.

    None does not mean every role may read learner rows: see ``sees_learner_rows``."""
    return principal.hei_id if principal.is_hei else None


def setting_owner_scope(principal: Principal) -> int | None:
    """The one organisation whose settings this user may read (placements, audits, quality,
    tariff), or None for every organisation's: a placement provider user's own, or -1 (no
    organisation: nothing) for one bound to none, which the schema forbids."""
    if not principal.is_provider:
        return None
    return principal.organisation_id if principal.organisation_id is not None else -1


def sees_learner_rows(principal: Principal) -> bool:
    """Whether this user may receive learner-level rows at all (then within ``hei_scope``).

    The collaborative role is a system-wide aggregate view: with ``hei_scope`` None it would
    otherwise read every HEI's named learners, so learner-level reads ask this first.
    """
    return principal.role is not Role.COLLABORATIVE


def scenario_owner(principal: Principal) -> str:
    """Whose saved scenarios this user reads and changes: ``""`` (the planners' shared set)
    or, for an HEI user, their own username."""
    return "" if principal.role in SCENARIO_PLANNERS else principal.username


def require_hei(principal: Principal, hei_id: int, action: str) -> None:
    """Refuse an HEI user acting on another HEI's cohorts, learners or requests."""
    if principal.is_hei and principal.hei_id != hei_id:
        raise AccessDenied(f"You may only {action} for your own HEI.")


def sees_exact_figures(principal: Principal, owning_hei_id: int | None = None) -> bool:
    """Administrators and the owning HEI see exact counts; everyone else sees disclosure-
    controlled figures. ``owning_hei_id`` None means figures that span several HEIs."""
    if principal.role is Role.ADMIN:
        return True
    return principal.is_hei and owning_hei_id is not None and principal.hei_id == owning_hei_id


def may_keep_quality_reviews(principal: Principal) -> bool:
    """Whether this user puts settings under quality review and ends reviews (staff)."""
    return principal.role in QUALITY_REVIEWERS


def may_edit_registers(principal: Principal) -> bool:
    return principal.role in STAFF


def require_audits_reader(principal: Principal) -> None:
    """Refuse a role with no business reading the educational audits register."""
    require_role(principal, AUDIT_READERS, "read educational audits")


def require_practice_staff_reader(principal: Principal) -> None:
    """Refuse a role with no business reading the practice staff register."""
    require_role(principal, PRACTICE_STAFF_READERS, "read the practice staff register")


def require_academic_assessor_reader(principal: Principal) -> None:
    """Refuse a role with no business reading academic assessors (HEIs read their own)."""
    require_role(principal, ACADEMIC_ASSESSOR_READERS, "read academic assessors")


def require_readiness_reader(principal: Principal) -> None:
    """Refuse a role that may not read learners' readiness (then only within ``hei_scope``)."""
    require_role(principal, READINESS_READERS, "read learner readiness")


def may_edit_readiness(principal: Principal, learner_hei_id: int | None = None) -> bool:
    """Whether this user may record learners' readiness at all, or, given the learner's HEI,
    this learner's: an HEI user only its own learners', an administrator anyone's."""
    return _keeps_learner(principal, READINESS_KEEPERS, learner_hei_id)


def may_edit_hours(principal: Principal, learner_hei_id: int | None = None) -> bool:
    """Whether this user may record practice hours at all, or this learner's (as readiness:
    an HEI user its own learners', an administrator anyone's)."""
    return _keeps_learner(principal, HOURS_KEEPERS, learner_hei_id)


def may_import_evaluations(principal: Principal, learner_hei_id: int | None = None) -> bool:
    """Whether this user may import evaluations at all, or this learner's (an HEI user its
    own learners', staff anyone's)."""
    return _keeps_learner(principal, EVALUATION_KEEPERS, learner_hei_id)


def require_hours_reader(principal: Principal) -> None:
    """Refuse a role that may not read learners' practice hours (then within ``hei_scope``)."""
    require_role(principal, HOURS_READERS, "read learners' practice hours")


def require_hours_editor(principal: Principal, learner_hei_id: int | None = None) -> None:
    """Refuse recording practice hours for this user (or for a learner of ``learner_hei_id``)."""
    _require_keeper(principal, HOURS_KEEPERS, learner_hei_id, "practice hours", "practice hours")


def may_keep_academic_assessments(principal: Principal, learner_hei_id: int | None = None) -> bool:
    """Whether this user may name learners' academic assessors at all, or this learner's: an
    HEI user its own learners', coordinators and administrators any HEI's (as they keep any
    HEI's academic assessors)."""
    return _keeps_learner(principal, ACADEMIC_ASSESSMENT_KEEPERS, learner_hei_id)


def _keeps_learner(
    principal: Principal, keepers: frozenset[Role], learner_hei_id: int | None
) -> bool:
    """An HEI user keeps its own learners' records, other keepers anyone's."""
    if principal.role not in keepers:
        return False
    if principal.is_hei:
        own = principal.hei_id is not None
        return own and (learner_hei_id is None or learner_hei_id == principal.hei_id)
    return True


def _require_keeper(
    principal: Principal,
    keepers: frozenset[Role],
    learner_hei_id: int | None,
    record: str,
    record_of_role: str,
) -> None:
    """Refuse a user who may not keep this learner's ``record`` (``_keeps_learner``), saying
    whether it is the learner's HEI or the role that stands in the way."""
    if _keeps_learner(principal, keepers, learner_hei_id):
        return
    if principal.role in keepers:
        raise AccessDenied(f"You may only record {record} for your own HEI's learners.")
    raise AccessDenied(f"Your role ({principal.role.value}) may not record {record_of_role}.")


def require_readiness_editor(principal: Principal, learner_hei_id: int | None = None) -> None:
    """Refuse recording readiness for this user (or for a learner of ``learner_hei_id``)."""
    _require_keeper(principal, READINESS_KEEPERS, learner_hei_id, "readiness", "learner readiness")
