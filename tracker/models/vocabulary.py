"""The vocabularies (enums) of every table, and the schema helpers the tables share.

The codes of each enum are the exact strings used in import files, exports, the demo data and
the database, so one vocabulary runs through the product. Constraints live in the schema
(foreign keys, uniqueness, non-negative counts, checks on enumerations) so that no path into
the database, not even a hand-written SQL fix, can store a value the product cannot read.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import SQLModel


class OrgKind(StrEnum):
    HEI = "hei"
    NHS_TRUST = "nhs_trust"
    GP_PRACTICE = "gp_practice"
    PCN = "pcn"
    CARE_HOME_PROVIDER = "care_home_provider"
    LOCAL_AUTHORITY = "local_authority"
    VCSE = "vcse"


class Sector(StrEnum):
    ACUTE = "acute"
    PRIMARY_CARE = "primary_care"
    COMMUNITY = "community"
    MENTAL_HEALTH = "mental_health"
    CARE_HOME = "care_home"
    SOCIAL_CARE = "social_care"
    VCSE = "vcse"


class ProfessionGroup(StrEnum):
    NURSING = "nursing"
    MIDWIFERY = "midwifery"
    AHP = "ahp"
    NURSING_ASSOCIATE = "nursing_associate"
    SOCIAL_WORK = "social_work"


class Route(StrEnum):
    DEGREE = "degree"
    APPRENTICESHIP = "apprenticeship"
    POSTGRADUATE = "postgraduate"


class EventType(StrEnum):
    STARTED = "started"
    INTERRUPTED = "interrupted"
    RETURNED = "returned"
    WITHDREW = "withdrew"
    TRANSFERRED_IN = "transferred_in"
    TRANSFERRED_OUT = "transferred_out"
    COMPLETED = "completed"
    EMPLOYED_LOCAL = "employed_local"
    EMPLOYED_ELSEWHERE = "employed_elsewhere"


class WithdrawalReason(StrEnum):
    ACADEMIC = "academic"
    PERSONAL_HEALTH = "personal_health"
    FINANCIAL = "financial"
    CARING_RESPONSIBILITIES = "caring_responsibilities"
    PLACEMENT_EXPERIENCE = "placement_experience"
    WRONG_CAREER_CHOICE = "wrong_career_choice"
    OTHER = "other"


class PlacementStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class AuditOutcome(StrEnum):
    """An educational audit's outcome: "with actions" still approves the setting."""

    APPROVED = "approved"
    APPROVED_WITH_ACTIONS = "approved_with_actions"
    NOT_APPROVED = "not_approved"


class AuditStatus(StrEnum):
    """What an audit asks of a coordinator on a given day (derived, never stored)."""

    IN_DATE = "in_date"
    DUE = "due"  # expires within 90 days
    OVERDUE = "overdue"
    NOT_APPROVED = "not_approved"
    SUPERSEDED = "superseded"  # a later audit of the setting replaced it


class StaffRole(StrEnum):
    """The roles practice staff hold (NMC SSSA; HCPC and Social Work England's educator)."""

    PRACTICE_SUPERVISOR = "practice_supervisor"
    PRACTICE_ASSESSOR = "practice_assessor"
    PRACTICE_EDUCATOR = "practice_educator"


class HoursPeriod(StrEnum):
    """What one practice hours record covers."""

    WEEK = "week"
    SHIFT = "shift"


class SignOff(StrEnum):
    """A practice hours record's sign-off by the practice supervisor or assessor."""

    PENDING = "pending"
    SIGNED_OFF = "signed_off"
    QUERIED = "queried"


class AbsenceReason(StrEnum):
    """Why a learner missed practice hours (the categories HEIs report)."""

    SICKNESS = "sickness"
    CARING_RESPONSIBILITIES = "caring_responsibilities"
    BEREAVEMENT = "bereavement"
    AUTHORISED_LEAVE = "authorised_leave"
    UNAUTHORISED = "unauthorised"
    OTHER = "other"


class RequirementUnit(StrEnum):
    """What a programme's practice requirement counts."""

    HOURS = "hours"
    DAYS = "days"
    BIRTHS = "births"


class TariffUnit(StrEnum):
    """What a tariff rate is paid per: a full-time-equivalent placement week or year."""

    WEEK = "week"
    YEAR = "year"


class EvaluationItem(StrEnum):
    """The items of an end-of-placement evaluation, each scored 1 to 5 (modelled on NETS)."""

    SUPERVISION = "supervision"
    LEARNING_OPPORTUNITIES = "learning_opportunities"
    INDUCTION = "induction"
    FEELING_VALUED = "feeling_valued"
    WOULD_RECOMMEND = "would_recommend"


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    APPROVED = "approved"


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    COLLABORATIVE = "collaborative"
    HEI = "hei"
    #: A placement provider organisation's user (trust, practice, care home): its own
    #: settings' placements, audits, quality and tariff only.
    PROVIDER = "provider"


# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def one_of(column: str, values: type[StrEnum], *, nullable: bool = False) -> CheckConstraint:
    """A CHECK constraint that keeps ``column`` inside an enumeration's codes."""
    codes = ", ".join(f"'{member.value}'" for member in values)
    condition = f"{column} IN ({codes})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=f"{column}_code")


def non_negative(*columns: str) -> list[CheckConstraint]:
    return [CheckConstraint(f"{c} >= 0", name=f"{c}_nonneg") for c in columns]


class NotificationKind(StrEnum):
    """What an e-mail notification is about: each user chooses per kind how they get it."""

    REQUEST = "request"
    PLAN_PUBLISHED = "plan_published"
    IMPORT_DONE = "import_done"
    AUDIT_DUE = "audit_due"
    READINESS_EXPIRING = "readiness_expiring"
    #: One user's held notifications of a day, gathered into one message (not a choice).
    DIGEST = "digest"


class DeliveryMode(StrEnum):
    """How a user receives one kind of notification."""

    OFF = "off"
    IMMEDIATE = "immediate"
    DIGEST = "digest"


class OutboxStatus(StrEnum):
    """An outbox message's life: queued -> sending -> sent (or back to queued to retry, or
    failed after the last attempt); held (waiting for the daily digest) -> gathered."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"
    GATHERED = "gathered"
