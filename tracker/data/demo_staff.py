"""The demo's named practice staff and academic assessors, dated around DEMO_AS_OF.

Every active setting names as many staff per profession group as it usually has supervisors
(its ``base``): for nursing, midwifery and nursing associates alternately a practice
supervisor and a practice assessor, in turn across the fields of the programmes the setting
hosts, then an assessor for each hosted field still without one, except at every 23rd
setting (which lacks an assessor in some field, as small care homes do); one person where a
group has one, holding both roles; practice educators for allied health and social work.
References are pseudonymous, the organisation's code then the role and a serial
(``RXK-PS-0142``). About one in sixty has no preparation date recorded, one in ninety has
left (inactive), and every twentieth setting shares its first person per group with the
organisation's next setting. Each HEI names two academic assessors per programme it runs.
Everything follows from positions, not the seeded generator, so no other demo row changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tracker.data import demo_reference as ref
from tracker.data.demo_setting_kinds import KINDS, SettingSpec

NMC = frozenset({"nursing", "midwifery", "nursing_associate"})
PREFIX = {"supervisor": "PS", "assessor": "PA", "educator": "PE"}
#: Every SHORT_EVERY-th setting (from SHORT_AT) names no assessor for some hosted fields.
SHORT_EVERY, SHORT_AT = 23, 9


@dataclass(frozen=True)
class DemoStaff:
    """The rows to insert: people, and the settings (by position) each works at."""

    people: list[dict[str, Any]]
    settings: list[list[int]]  # per person: positions of their settings


def _fields(setting: SettingSpec, group: str) -> list[str]:
    """The fields of the programmes of ``group`` the setting hosts (its kind's, or every
    programme's when it hosts any), in order."""
    codes = (
        [p.code for p in ref.PROGRAMMES] if setting.hosts_any else KINDS[setting.kind].programmes
    )
    fields = [
        ref.PROGRAMME_BY_CODE[code].field
        for code in codes
        if ref.PROGRAMME_BY_CODE[code].group.value == group
    ]
    return list(dict.fromkeys(fields)) or [_any_field(group)]


def _any_field(group: str) -> str:
    return next(p.field for p in ref.PROGRAMMES if p.group.value == group)


def _role(group: str, i: int, count: int) -> str:
    if group not in NMC:
        return "educator"
    if count == 1:
        return "both"
    return "supervisor" if i % 2 == 0 else "assessor"


def _person(
    setting: SettingSpec,
    group: str,
    i: int,
    count: int,
    as_of: date,
    key: int,
    role: str | None = None,
) -> dict[str, Any]:
    """One person's row but its reference (``prefix`` says which role it starts with)."""
    role = role or _role(group, i, count)
    fields = _fields(setting, group)
    prefix = PREFIX["supervisor" if role == "both" else role]
    per = 2 if setting.coaching and role in {"supervisor", "educator"} else 1
    return {
        "prefix": prefix,
        "display_name": None,
        "profession_group": group,
        "field": fields[(i // 2) % len(fields)] if group in NMC else fields[i % len(fields)],
        "is_supervisor": role in {"supervisor", "both"},
        "is_assessor": role in {"assessor", "both"},
        "is_educator": role == "educator",
        "prepared_on": None if key % 61 == 5 else as_of - timedelta(days=120 + (key * 53) % 1500),
        "max_learners": 2 if role == "assessor" else per,
        "active": key % 89 != 11,
        "version": 1,
    }


def _cover(
    setting: SettingSpec, group: str, named: list[dict[str, Any]], as_of: date, key: int
) -> list[dict[str, Any]]:
    """An extra practice assessor for each field the setting hosts that no one assesses."""
    assessed = {p["field"] for p in named if p["is_assessor"]}
    extra = []
    for n, field in enumerate(f for f in _fields(setting, group) if f not in assessed):
        person = _person(setting, group, 1, 2, as_of, key + n, role="assessor")
        extra.append({**person, "field": field})
    return extra


def staff_rows(settings: list[SettingSpec], org_ids: dict[str, int], as_of: date) -> DemoStaff:
    """Practice staff for every active setting, in setting order."""
    serials: dict[str, int] = {}
    people: list[dict[str, Any]] = []
    where: list[list[int]] = []
    for position, setting in enumerate(settings):
        if not setting.active:
            continue
        for group, base in setting.base.items():
            count = max(base, 1)
            named = [
                _person(setting, group, i, count, as_of, position * 7 + len(people) + i)
                for i in range(count)
            ]
            if group in NMC and position % SHORT_EVERY != SHORT_AT:
                named += _cover(setting, group, named, as_of, position * 7 + len(people) + count)
            for i, person in enumerate(named):
                serials[setting.org_code] = serial = serials.get(setting.org_code, 0) + 1
                prefix = person.pop("prefix")
                person["staff_ref"] = f"{setting.org_code}-{prefix}-{serial:04d}"
                people.append({"organisation_id": org_ids[setting.org_code], **person})
                shared = (
                    i == 0
                    and position % 20 == 0
                    and position + 1 < len(settings)
                    and settings[position + 1].org_code == setting.org_code
                    and settings[position + 1].active
                )
                where.append([position, position + 1] if shared else [position])
    return DemoStaff(people, where)


def assessor_rows(heis: list[tuple[ref.HeiSpec, str]], hei_ids: dict[str, int]) -> list[dict]:
    """Two academic assessors per programme each HEI runs (consecutive parts of a programme
    need different assessors)."""
    rows: list[dict[str, Any]] = []
    for hei, code in heis:
        serial = 0
        for programme in hei.offers:
            for _ in range(2):
                serial += 1
                rows.append(
                    {
                        "hei_id": hei_ids[code],
                        "staff_ref": f"{code}-AA-{serial:04d}",
                        "display_name": None,
                        "programmes": programme,
                        "active": True,
                        "version": 1,
                    }
                )
    return rows
