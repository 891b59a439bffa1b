"""Every table of the tracker, with the vocabularies (enums) beside them, split by area.

``from tracker.models import X`` is the one way to name a table or a vocabulary: importing
this package registers every table on ``SQLModel.metadata`` (Alembic and the backup read it
there). The areas: ``vocabulary`` (enums and the shared schema helpers), ``organisations``
(organisations, programmes, cohorts), ``pipeline`` (learners, their events and readiness),
``registers`` (placement capacity, requests and educational audits), ``staff`` (practice
staff and academic assessors), ``hours`` (practice hours and programmes' requirements),
``tariff`` (the education and training tariff's rates), ``quality`` (learners' placement
evaluations and settings under quality review), ``allocation`` (runs, placements and
the learners stage 2 left unassigned), ``planning`` (the outlook's saved scenarios),
``notifications`` (the e-mail outbox and users' choices) and ``people`` (users, single
sign-on identities, sign-in throttling, API tokens, the audit log).
"""

from tracker.models.allocation import AllocationRun, Placement, UnassignedLearner
from tracker.models.hours import PracticeHours, PracticeRequirement
from tracker.models.notifications import NotificationPreference, OutboxMessage
from tracker.models.organisations import Cohort, Organisation, Programme
from tracker.models.people import (
    ApiToken,
    AuditLog,
    SignInThrottle,
    SsoIdentity,
    SsoLoginState,
    User,
)
from tracker.models.pipeline import Learner, LearnerEvent, LearnerReadiness, LearnerStatus
from tracker.models.planning import OutlookScenario
from tracker.models.quality import PlacementEvaluation, QualityReview
from tracker.models.registers import (
    EducationalAudit,
    PlacementBlock,
    PlacementRequest,
    PlacementSetting,
    ProgrammeCalendar,
    SettingProgramme,
    SupervisionCapacity,
)
from tracker.models.staff import (
    AcademicAssessment,
    AcademicAssessor,
    PracticeStaff,
    PracticeStaffSetting,
)
from tracker.models.tariff import TariffRate
from tracker.models.vocabulary import (
    AbsenceReason,
    AuditOutcome,
    AuditStatus,
    DeliveryMode,
    EvaluationItem,
    EventType,
    HoursPeriod,
    NotificationKind,
    OrgKind,
    OutboxStatus,
    PlacementStatus,
    ProfessionGroup,
    RequestStatus,
    RequirementUnit,
    Role,
    Route,
    RunStatus,
    Sector,
    SignOff,
    StaffRole,
    TariffUnit,
    WithdrawalReason,
    non_negative,
    one_of,
)

__all__ = [
    "AbsenceReason",
    "AcademicAssessment",
    "AcademicAssessor",
    "AllocationRun",
    "ApiToken",
    "AuditLog",
    "AuditOutcome",
    "AuditStatus",
    "Cohort",
    "DeliveryMode",
    "EducationalAudit",
    "EvaluationItem",
    "EventType",
    "HoursPeriod",
    "Learner",
    "LearnerEvent",
    "LearnerReadiness",
    "LearnerStatus",
    "NotificationKind",
    "NotificationPreference",
    "OrgKind",
    "Organisation",
    "OutboxMessage",
    "OutboxStatus",
    "OutlookScenario",
    "Placement",
    "PlacementBlock",
    "PlacementEvaluation",
    "PlacementRequest",
    "PlacementSetting",
    "PlacementStatus",
    "PracticeHours",
    "PracticeRequirement",
    "PracticeStaff",
    "PracticeStaffSetting",
    "ProfessionGroup",
    "Programme",
    "ProgrammeCalendar",
    "QualityReview",
    "RequestStatus",
    "RequirementUnit",
    "Role",
    "Route",
    "RunStatus",
    "Sector",
    "SettingProgramme",
    "SignInThrottle",
    "SignOff",
    "SsoIdentity",
    "SsoLoginState",
    "StaffRole",
    "SupervisionCapacity",
    "TariffRate",
    "TariffUnit",
    "UnassignedLearner",
    "User",
    "WithdrawalReason",
    "non_negative",
    "one_of",
]
