"""Practice staff as the regulators name them, and who may support which learner.

NMC (SSSA): nursing, midwifery and nursing associate learners have a named practice
supervisor and a named practice assessor, different people for one learner, the assessor
registered in the learner's field. HCPC (allied health) and Social Work England: one named
practice educator in the learner's profession. Everyone must have been prepared for the role
before the placement starts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

SUPERVISOR = "practice_supervisor"
ASSESSOR = "practice_assessor"
EDUCATOR = "practice_educator"
ROLES: tuple[str, ...] = (SUPERVISOR, ASSESSOR, EDUCATOR)

ROLE_NAMES: dict[str, str] = {
    SUPERVISOR: "practice supervisor",
    ASSESSOR: "practice assessor",
    EDUCATOR: "practice educator",
}

# Spellings coordinators use for the same NMC field; anything else is kept as written
# (lower case, single spaces), so equal fields always compare equal.
_FIELD_ALIASES: dict[str, str] = {
    "adult": "adult nursing",
    "mental health": "mental health nursing",
    "child": "children's nursing",
    "children": "children's nursing",
    "children's": "children's nursing",
    "childrens": "children's nursing",
    "child nursing": "children's nursing",
    "childrens nursing": "children's nursing",
    "child health nursing": "children's nursing",
    "learning disability": "learning disability nursing",
    "learning disabilities": "learning disability nursing",
    "learning disabilities nursing": "learning disability nursing",
    "midwife": "midwifery",
    "midwives": "midwifery",
}


_NURSING_WORDS: tuple[tuple[str, str], ...] = (
    ("associate", "nursing associate"),
    ("adult", "adult nursing"),
    ("mental", "mental health nursing"),
    ("child", "children's nursing"),
    ("learning", "learning disability nursing"),
)


def canonical_field(value: str) -> str:
    """The learner's or staff member's field, compared without regard to case or spacing."""
    text = re.sub(r"\s+", " ", value.replace("\u2019", "'").replace("_", " ")).strip().lower()
    if text in _FIELD_ALIASES:
        return _FIELD_ALIASES[text]
    if "nurs" in text:  # "Nursing (Adult)", "RN - mental health nursing", "Nursing Associate"
        for word, field in _NURSING_WORDS:
            if word in text:
                return field
    return text


def canonical_role(value: str) -> str | None:
    """``practice_supervisor`` for "Practice supervisor", "practice-supervisor", ...; None if
    the text names no role."""
    text = re.sub(r"[\s\-]+", "_", value.strip().lower())
    if text in ROLES:
        return text
    short = f"practice_{text}"
    return short if short in ROLES else None


def needs_supervisor_and_assessor(field: str) -> bool:
    """NMC learners (nursing, midwifery, nursing associates) need a supervisor and an assessor;
    allied health and social work learners need one practice educator."""
    return "nurs" in field or "midwif" in field


@dataclass(frozen=True)
class StaffMember:
    """One person (one ``staff_id``), who may work at several settings.

    ``roles_at`` maps each setting to the roles the person holds there. ``prepared_on`` is
    the date they were prepared for their roles (None: not recorded, so not prepared);
    ``max_learners`` is how many learners they can support at once, in any role.
    """

    staff_id: str
    field: str
    prepared_on: date | None
    max_learners: int
    roles_at: Mapping[str, frozenset[str]]
    row: int

    def can(self, role: str, setting_id: str) -> bool:
        return role in self.roles_at.get(setting_id, frozenset())


@dataclass(frozen=True)
class StaffChoice:
    """Who could support a group of learners (one placement, one field), before capacity."""

    supervisors: tuple[str, ...]
    assessors: tuple[str, ...]
    educator_model: bool
    problem: tuple[str, str] | None  # (reason_code, reason) when nobody suitable exists


def choose_staff(
    people: tuple[StaffMember, ...],
    setting_id: str,
    field: str,
    start: date | None,
    check_preparation: bool,
) -> StaffChoice:
    """The staff at a setting able to take a learner of ``field`` starting on ``start``."""
    educator_model = not needs_supervisor_and_assessor(field)

    def prepared(p: StaffMember) -> bool:
        if not check_preparation:
            return True
        return p.prepared_on is not None and (start is None or p.prepared_on <= start)

    def able(role: str, in_field: bool) -> tuple[list[StaffMember], list[StaffMember]]:
        named = [
            p
            for p in people
            if p.can(role, setting_id) and p.max_learners > 0 and (not in_field or p.field == field)
        ]
        return named, [p for p in named if prepared(p)]

    if educator_model:
        named, ready = able(EDUCATOR, True)
        problem = _missing(named, ready, EDUCATOR, field, setting_id, start, "no_educator_in_field")
        return StaffChoice((), tuple(p.staff_id for p in ready), True, problem)
    sup_named, sups = able(SUPERVISOR, False)
    ass_named, asss = able(ASSESSOR, True)
    problem = _missing(sup_named, sups, SUPERVISOR, None, setting_id, start, "no_supervisor")
    if problem is None:
        problem = _missing(
            ass_named, asss, ASSESSOR, field, setting_id, start, "no_assessor_in_field"
        )
    if problem is None and len(sups) == 1 and [p.staff_id for p in asss] == [sups[0].staff_id]:
        problem = (
            "no_supervisor",
            f"the only prepared practice supervisor at setting {setting_id}, "
            f"{sups[0].staff_id}, is also the only practice assessor in {field} there, and one "
            "person may not be both supervisor and assessor of a learner (NMC SSSA 7.10)",
        )
    return StaffChoice(
        tuple(p.staff_id for p in sups), tuple(p.staff_id for p in asss), False, problem
    )


def _missing(
    named: list[StaffMember],
    ready: list[StaffMember],
    role: str,
    field: str | None,
    setting_id: str,
    start: date | None,
    code: str,
) -> tuple[str, str] | None:
    if ready:
        return None
    who = ROLE_NAMES[role] + ("" if field is None else f" in {field}")
    if not named:
        return code, f"setting {setting_id} has no {who} with room for learners"
    when = "" if start is None else f" by the placement's start on {start.isoformat()}"
    listed = ", ".join(
        f"{p.staff_id} ("
        + ("preparation not recorded" if p.prepared_on is None else f"prepared {p.prepared_on}")
        + ")"
        for p in named[:5]
    )
    return (
        "staff_not_prepared",
        f"no {who} at setting {setting_id} was prepared for the role{when}: {listed}",
    )
