"""The kinds of placement setting in the demo system, and the records the generator makes.

Each kind of setting carries the programmes it hosts and how many practice supervisors it
usually has per profession group, so capacity follows from what a setting is (an acute ward
has more supervisors than a care home) rather than from one random number for everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from tracker.models import OrgKind, Sector

NUR, MID, NA, AHP, SW = "nursing", "midwifery", "nursing_associate", "ahp", "social_work"


@dataclass(frozen=True)
class SettingKind:
    sector: Sector
    programmes: tuple[str, ...]
    supervisors: dict[str, tuple[int, int]]  # profession group -> (low, high) supervisors
    coaching: float = 0.0  # chance the setting supports two learners per supervisor
    hosts_any: float = 0.0  # chance the setting takes any programme of its groups


_ADULT = ("ADN", "ADA", "ADP")
#: Read-only: the demo generator and its tests read the same kinds, and none adds to them.
KINDS: Final[Mapping[str, SettingKind]] = MappingProxyType(
    {
        "adult_ward": SettingKind(Sector.ACUTE, (*_ADULT, "NAA"), {NUR: (3, 6), NA: (1, 2)}, 0.2),
        "ed": SettingKind(
            Sector.ACUTE, (*_ADULT, "NAA", "PAR"), {NUR: (3, 6), NA: (1, 2), AHP: (1, 2)}
        ),
        "critical": SettingKind(Sector.ACUTE, _ADULT, {NUR: (2, 5)}),
        "theatres": SettingKind(Sector.ACUTE, (*_ADULT, "PAR"), {NUR: (2, 4), AHP: (1, 2)}),
        "stroke": SettingKind(
            Sector.ACUTE, (*_ADULT, "PHY", "OCT", "SLT"), {NUR: (3, 5), AHP: (1, 3)}, 0.2
        ),
        "paeds": SettingKind(Sector.ACUTE, ("CHN", "NAA"), {NUR: (3, 6), NA: (0, 1)}),
        "neonatal": SettingKind(Sector.ACUTE, ("CHN", "MID"), {NUR: (2, 4), MID: (1, 2)}),
        "labour_ward": SettingKind(Sector.ACUTE, ("MID",), {MID: (6, 9)}),
        "maternity_ward": SettingKind(Sector.ACUTE, ("MID", "NAA"), {MID: (3, 6), NA: (0, 1)}),
        "birth_centre": SettingKind(Sector.ACUTE, ("MID",), {MID: (2, 4)}),
        "community_midwifery": SettingKind(Sector.COMMUNITY, ("MID",), {MID: (2, 4)}),
        "physio": SettingKind(Sector.ACUTE, ("PHY",), {AHP: (2, 4)}, 0.35),
        "ot": SettingKind(Sector.ACUTE, ("OCT",), {AHP: (2, 3)}, 0.3),
        "dietetics": SettingKind(Sector.ACUTE, ("DIE",), {AHP: (1, 3)}),
        "slt": SettingKind(Sector.ACUTE, ("SLT",), {AHP: (1, 2)}),
        "imaging": SettingKind(Sector.ACUTE, ("DRA",), {AHP: (2, 5)}),
        "ambulance": SettingKind(Sector.ACUTE, ("PAR",), {AHP: (3, 6)}),
        "district_nursing": SettingKind(
            Sector.COMMUNITY, (*_ADULT, "NAA"), {NUR: (2, 4), NA: (1, 2)}
        ),
        "community_rehab": SettingKind(
            Sector.COMMUNITY, ("PHY", "OCT", "ADN"), {AHP: (1, 3), NUR: (1, 2)}, 0.3
        ),
        "community_children": SettingKind(
            Sector.COMMUNITY, ("CHN", "SLT", "DIE"), {NUR: (1, 3), AHP: (1, 2)}
        ),
        "ld_team": SettingKind(Sector.COMMUNITY, ("LDN", "OCT", "SLT"), {NUR: (1, 3), AHP: (0, 1)}),
        "mh_ward": SettingKind(
            Sector.MENTAL_HEALTH, ("MHN", "NAA"), {NUR: (3, 6), NA: (0, 2)}, 0.15
        ),
        "cmht": SettingKind(
            Sector.MENTAL_HEALTH,
            ("MHN", "OCT", "SWD", "SWP"),
            {NUR: (2, 4), AHP: (0, 1), SW: (0, 1)},
        ),
        "camhs": SettingKind(
            Sector.MENTAL_HEALTH, ("MHN", "CHN", "SLT"), {NUR: (1, 3), AHP: (0, 1)}
        ),
        "gp": SettingKind(
            Sector.PRIMARY_CARE,
            (*_ADULT, "NAA", "PAR"),
            {NUR: (1, 2), NA: (0, 1), AHP: (0, 1)},
            hosts_any=0.1,
        ),
        "pcn": SettingKind(
            Sector.PRIMARY_CARE,
            ("PHY", "DIE", "PAR", "OCT", "ADN", "NAA"),
            {AHP: (2, 3), NUR: (1, 2), NA: (1, 1)},
        ),
        "care_home": SettingKind(
            Sector.CARE_HOME,
            ("ADN", "LDN", "MHN", "NAA", "OCT"),
            {NUR: (1, 2), NA: (0, 2), AHP: (0, 1)},
            hosts_any=0.3,
        ),
        "la_team": SettingKind(Sector.SOCIAL_CARE, ("SWD", "SWP"), {SW: (2, 4)}),
        "la_ot": SettingKind(Sector.SOCIAL_CARE, ("OCT", "SWD", "SWP"), {AHP: (1, 2), SW: (0, 1)}),
        "vcse": SettingKind(
            Sector.VCSE,
            ("SWD", "SWP", "MHN", "LDN", "OCT"),
            {SW: (1, 2), NUR: (0, 2), AHP: (0, 1)},
            hosts_any=0.5,
        ),
    }
)


@dataclass
class SettingSpec:
    code: str
    org_code: str
    name: str
    kind: str
    place: str
    lat: float
    lon: float
    district: str
    active: bool = True
    hosts_any: bool = False
    coaching: bool = False
    base: dict[str, int] = field(default_factory=dict)  # supervisors per profession group

    def record(self, organisation_id: int) -> dict[str, Any]:
        """The ``PlacementSetting`` row: its sector is its kind's, its version the first."""
        return {
            "code": self.code,
            "organisation_id": organisation_id,
            "name": self.name,
            "sector": KINDS[self.kind].sector.value,
            "hosts_any_programme": self.hosts_any,
            "lat": self.lat,
            "lon": self.lon,
            "postcode_district": self.district,
            "active": self.active,
            "version": 1,
        }


@dataclass
class OrgSpec:
    code: str
    name: str
    kind: OrgKind
    place: str
