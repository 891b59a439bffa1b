"""Which settings' places come from named staff, and how many (``optimise.staff_capacity``).

A setting is *named* for a profession group once the practice staff register lists active
staff of that group there; its places in each block are then those staff's, counted by
``optimise.staff_capacity`` so that stage 2 can staff every one. Elsewhere it is *unnamed*
and the capacity register's typed counts stand. The capacity register, capacity against
demand and the allocator's inputs all read places through here, so they agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from tracker.measures.capacity import NAMED, UNNAMED
from tracker.models import (
    PlacementBlock,
    PlacementSetting,
    PracticeStaff,
    PracticeStaffSetting,
    Programme,
    SettingProgramme,
)
from tracker.optimise.staff import canonical_field
from tracker.optimise.staff_capacity import CountedStaff, named_block_places, shares
from tracker.queries.staff import roles_of


@dataclass(frozen=True)
class NamedCapacity:
    """Per (setting code, profession group) with named staff: the fields it offers
    (canonical) and its places per block code. Anything absent is unnamed."""

    fields: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    places: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)

    def kind(self, setting: str, group: str) -> str:
        return NAMED if (setting, group) in self.fields else UNNAMED

    def places_in(self, setting: str, group: str, block: str, typed: int) -> int:
        """The places of a capacity row: the named staff's where the setting lists them,
        else the typed count."""
        named = self.places.get((setting, group))
        return typed if named is None else named.get(block, 0)

    def offers(self, setting: str, group: str, programme_field: str) -> bool:
        """Whether the setting offers a programme of this field to the group: always where
        it is unnamed; where named, only if someone there can assess or educate the field."""
        fields = self.fields.get((setting, group))
        return fields is None or canonical_field(programme_field) in fields


def _hosted_fields(session: Session) -> dict[tuple[int, str], list[str]]:
    """Per (setting id, group), the fields of the programmes of that group it hosts."""
    programmes = {p.id: p for p in session.exec(select(Programme)).all()}
    hosted: dict[tuple[int, str], list[str]] = defaultdict(list)
    for link in session.exec(select(SettingProgramme)).all():
        p = programmes[link.programme_id]
        hosted[(link.setting_id, p.profession_group)].append(p.field)
    hosts_any = col(PlacementSetting.hosts_any_programme).is_(True)
    for setting_id in session.exec(select(PlacementSetting.id).where(hosts_any)).all():
        for p in programmes.values():
            hosted[(setting_id or 0, p.profession_group)].append(p.field)
    return hosted


def named_capacity(session: Session) -> NamedCapacity:
    """Named settings' offered fields and places in every block (see the module docstring)."""
    codes = dict(session.exec(select(PlacementSetting.id, PlacementSetting.code)).all())
    where: dict[int, list[int]] = defaultdict(list)
    for link in session.exec(select(PracticeStaffSetting)).all():
        where[link.staff_id].append(link.setting_id)
    active = col(PracticeStaff.active).is_(True)
    people: dict[tuple[int, str], list[CountedStaff]] = defaultdict(list)
    for person in session.exec(select(PracticeStaff).where(active)).all():
        settings = where.get(person.id or 0, [])
        split = shares(person.max_learners, [codes[s] for s in settings])
        for s in settings:
            people[(s, person.profession_group)].append(
                CountedStaff(
                    frozenset(roles_of(person).split(";")),
                    canonical_field(person.field or ""),
                    person.prepared_on,
                    split[codes[s]],
                )
            )
    if not people:
        return NamedCapacity()
    first_days: dict[str, date] = {
        b.code: b.start_date for b in session.exec(select(PlacementBlock)).all()
    }
    hosted = _hosted_fields(session)
    fields: dict[tuple[str, str], list[str]] = {}
    places: dict[tuple[str, str], dict[str, int]] = {}
    for (setting_id, group), counted in people.items():
        key = (codes[setting_id], group)
        fields[key], places[key] = named_block_places(
            counted, hosted.get((setting_id, group), []), first_days
        )
    return NamedCapacity(fields, places)
