"""Placement providers of the demo system: organisations and their settings, with capacity.

Each kind of setting carries the programmes it hosts and how many practice supervisors it
usually has per profession group, so capacity follows from what a setting is (an acute ward
has more supervisors than a care home) rather than from one random number for everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np

from tracker.data.demo_reference import BSOL_PLACES, HW_PLACES, PLACES
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
KINDS: Final[dict[str, SettingKind]] = {
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
    "district_nursing": SettingKind(Sector.COMMUNITY, (*_ADULT, "NAA"), {NUR: (2, 4), NA: (1, 2)}),
    "community_rehab": SettingKind(
        Sector.COMMUNITY, ("PHY", "OCT", "ADN"), {AHP: (1, 3), NUR: (1, 2)}, 0.3
    ),
    "community_children": SettingKind(
        Sector.COMMUNITY, ("CHN", "SLT", "DIE"), {NUR: (1, 3), AHP: (1, 2)}
    ),
    "ld_team": SettingKind(Sector.COMMUNITY, ("LDN", "OCT", "SLT"), {NUR: (1, 3), AHP: (0, 1)}),
    "mh_ward": SettingKind(Sector.MENTAL_HEALTH, ("MHN", "NAA"), {NUR: (3, 6), NA: (0, 2)}, 0.15),
    "cmht": SettingKind(
        Sector.MENTAL_HEALTH, ("MHN", "OCT", "SWD", "SWP"), {NUR: (2, 4), AHP: (0, 1), SW: (0, 1)}
    ),
    "camhs": SettingKind(Sector.MENTAL_HEALTH, ("MHN", "CHN", "SLT"), {NUR: (1, 3), AHP: (0, 1)}),
    "gp": SettingKind(
        Sector.PRIMARY_CARE,
        (*_ADULT, "NAA", "PAR"),
        {NUR: (1, 2), NA: (0, 1), AHP: (0, 1)},
        0.0,
        0.1,
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
        0.0,
        0.3,
    ),
    "la_team": SettingKind(Sector.SOCIAL_CARE, ("SWD", "SWP"), {SW: (2, 4)}),
    "la_ot": SettingKind(Sector.SOCIAL_CARE, ("OCT", "SWD", "SWP"), {AHP: (1, 2), SW: (0, 1)}),
    "vcse": SettingKind(
        Sector.VCSE,
        ("SWD", "SWP", "MHN", "LDN", "OCT"),
        {SW: (1, 2), NUR: (0, 2), AHP: (0, 1)},
        0.0,
        0.5,
    ),
}


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


@dataclass
class OrgSpec:
    code: str
    name: str
    kind: OrgKind
    place: str


_WARDS: Final = (
    "Acute Medical Unit",
    "Respiratory",
    "Cardiology",
    "General Surgery",
    "Orthopaedics",
    "Elderly Care",
    "Gastroenterology",
    "Renal",
    "Oncology",
    "Diabetes and Endocrine",
    "Urology",
    "Vascular",
    "Haematology",
    "Short Stay Surgery",
    "Frailty Unit",
    "Trauma",
)
# Acute trusts: code, name, sites (place, site name), adult wards per site, maternity/children.
_ACUTE: Final = (
    (
        "RTRUST1",
        "Queensway University Hospitals NHS Foundation Trust",
        (("Birmingham", "Queensway General Hospital"), ("Selly Oak", "Selly Park Hospital")),
        11,
        False,
    ),
    (
        "RTRUST2",
        "Solihull & District Hospitals NHS Foundation Trust",
        (
            ("Solihull", "Solihull District Hospital"),
            ("Sutton Coldfield", "Four Oaks Hospital"),
            ("Chelmsley Wood", "Kingshurst Treatment Centre"),
        ),
        5,
        True,
    ),
    (
        "RTRUST3",
        "Severn Vale Hospitals NHS Trust",
        (
            ("Worcester", "Severn Vale Royal Hospital"),
            ("Redditch", "Arrow Park Hospital"),
            ("Kidderminster", "Stour Valley Hospital"),
        ),
        4,
        True,
    ),
    (
        "RTRUST4",
        "Marches General Hospital NHS Trust",
        (("Hereford", "Marches General Hospital"),),
        5,
        True,
    ),
)
_SITE_UNITS: Final = ("ed", "critical", "theatres", "stroke", "physio", "ot", "imaging")
_GP_NAMES: Final = (
    "Hollybank",
    "Oakfield",
    "Riverside",
    "Elmdon",
    "Greenway",
    "Beechwood",
    "Church Street",
    "Station Road",
    "Park View",
    "Meadowcroft",
    "Hawthorn",
    "Willow Tree",
    "Castle Mead",
    "Brookside",
    "Ashfield",
    "Lime Grove",
    "Millbrook",
    "Orchard",
    "Priory",
    "Rowan",
)
_GP_SUFFIX: Final = ("Surgery", "Medical Centre", "Health Centre", "Medical Practice")
_HOME_NAMES: Final = (
    "Abbeyfield",
    "Bluebell",
    "Cedar",
    "Dovecote",
    "Foxglove",
    "Heather",
    "Ivy",
    "Juniper",
    "Kingfisher",
    "Lavender",
    "Maple",
    "Primrose",
    "Rosewood",
    "Sycamore",
    "Tudor",
    "Wisteria",
)
_HOME_SUFFIX: Final = ("House", "Lodge", "Court", "Manor", "Care Centre", "Nursing Home")
_PROVIDER_NAMES: Final = (
    "Heartlands Care",
    "Mercian Living",
    "Greenacres Care",
    "Severnside Homes",
    "Arden Care",
    "Wyvern Healthcare",
    "Oakleaf Care",
    "Marches Care",
    "Kinver Homes",
    "Bright Horizons Care",
    "Lickey Hills Care",
    "Teme Valley Care",
)
_COUNCILS: Final = (
    ("LA01", "Kingsmere City Council", "Birmingham", 9),
    ("LA02", "Arden Metropolitan Borough Council", "Solihull", 5),
    ("LA03", "Severnshire County Council", "Worcester", 6),
    ("LA04", "Marches County Council", "Hereford", 4),
)
_LA_TEAMS: Final = (
    "Children's Safeguarding Team",
    "Adult Social Care Locality Team",
    "Hospital Discharge Team",
    "Children in Care Team",
    "Mental Health Social Work Team",
    "Learning Disability Team",
    "Family Support Team",
    "Occupational Therapy and Adaptations",
)
_VCSE: Final = (
    ("VCS01", "Brum Minds Matter", "Birmingham", 2),
    ("VCS02", "Solihull Carers Network", "Solihull", 1),
    ("VCS03", "Worcester Homeless Link", "Worcester", 2),
    ("VCS04", "Wye Hospice at Home", "Hereford", 2),
    ("VCS05", "Sutton Youth Project", "Sutton Coldfield", 1),
    ("VCS06", "Redditch Recovery Community", "Redditch", 1),
    ("VCS07", "Marches Learning Disability Alliance", "Leominster", 2),
    ("VCS08", "Edgbaston Refugee Welcome", "Edgbaston", 1),
)


class _Builder:
    """Collects the organisations and settings of one copy of the system."""

    def __init__(self, rng: np.random.Generator, suffix: str) -> None:
        self.rng, self.suffix = rng, suffix
        self.orgs: list[OrgSpec] = []
        self.settings: list[SettingSpec] = []
        self._serial: dict[str, int] = {}

    def org(self, code: str, name: str, kind: OrgKind, place: str) -> str:
        code = code + self.suffix
        self.orgs.append(OrgSpec(code, name + self._label(), kind, place))
        return code

    def _label(self) -> str:
        return f" (system {self.suffix.removeprefix('-S')})" if self.suffix else ""

    def setting(
        self,
        org_code: str,
        name: str,
        kind: str,
        place: str,
        site: tuple[float, float] | None = None,
    ) -> None:
        rng, spec = self.rng, KINDS[kind]
        n = self._serial[org_code] = self._serial.get(org_code, 0) + 1
        centre = PLACES[place]
        lat, lon = site if site else (centre.lat, centre.lon)
        spread = 0.0015 if site else 0.02
        base = {g: int(rng.integers(lo, hi + 1)) for g, (lo, hi) in spec.supervisors.items()}
        self.settings.append(
            SettingSpec(
                code=f"{org_code}-{n:03d}",
                org_code=org_code,
                name=name,
                kind=kind,
                place=place,
                lat=round(float(lat + rng.normal(0, spread)), 5),
                lon=round(float(lon + rng.normal(0, spread * 1.6)), 5),
                district=str(rng.choice(centre.districts)),
                active=bool(rng.random() > 0.03),
                hosts_any=bool(rng.random() < spec.hosts_any),
                coaching=bool(rng.random() < spec.coaching),
                base=base,
            )
        )


def build_providers(rng: np.random.Generator, copy: int) -> tuple[list[OrgSpec], list[SettingSpec]]:
    """Providers and settings of copy ``copy`` (1 = the system itself, 2+ for --scale)."""
    b = _Builder(rng, "" if copy == 1 else f"-S{copy}")
    _acute(b)
    _community_and_mental_health(b)
    _primary_care(b)
    _social_care(b)
    return b.orgs, b.settings


def _acute(b: _Builder) -> None:
    for code, name, sites, wards, women_and_children in _ACUTE:
        org = b.org(code, name, OrgKind.NHS_TRUST, sites[0][0])
        for s, (place, site_name) in enumerate(sites):
            centre = PLACES[place]
            site = (centre.lat + b.rng.normal(0, 0.01), centre.lon + b.rng.normal(0, 0.015))
            for w in range(wards if s == 0 else max(3, wards - 3)):
                ward = _WARDS[(w + 3 * s) % len(_WARDS)]
                b.setting(org, f"{site_name}: Ward {10 + w} ({ward})", "adult_ward", place, site)
            for unit in _SITE_UNITS[: 7 if s == 0 else 3]:
                b.setting(org, f"{site_name}: {_unit_name(unit)}", unit, place, site)
            if women_and_children and s == 0:
                for unit in (
                    "paeds",
                    "labour_ward",
                    "maternity_ward",
                    "birth_centre",
                    "neonatal",
                    "dietetics",
                    "slt",
                ):
                    b.setting(org, f"{site_name}: {_unit_name(unit)}", unit, place, site)
    org = b.org(
        "RTRUST5",
        "Edgbaston Women's and Children's NHS Foundation Trust",
        OrgKind.NHS_TRUST,
        "Edgbaston",
    )
    site = (52.4625, -1.9140)
    for unit in (
        "labour_ward",
        "maternity_ward",
        "birth_centre",
        "neonatal",
        "paeds",
        "paeds",
        "paeds",
        "paeds",
        "critical",
        "theatres",
        "physio",
        "dietetics",
        "slt",
    ):
        b.setting(org, _unit_name(unit), unit, "Edgbaston", site)
    org = b.org(
        "RTRUST6", "Mercia Ambulance Service NHS Foundation Trust", OrgKind.NHS_TRUST, "Birmingham"
    )
    for place in (
        "Birmingham",
        "Erdington",
        "Solihull",
        "Selly Oak",
        "Worcester",
        "Redditch",
        "Kidderminster",
        "Hereford",
        "Evesham",
        "Sutton Coldfield",
    ):
        b.setting(org, f"{place} Ambulance Hub", "ambulance", place)


def _unit_name(kind: str) -> str:
    return {
        "ed": "Emergency Department",
        "critical": "Critical Care Unit",
        "theatres": "Theatres and Recovery",
        "stroke": "Stroke Unit",
        "physio": "Physiotherapy Team",
        "ot": "Occupational Therapy Team",
        "imaging": "Imaging Department",
        "paeds": "Children's Ward",
        "labour_ward": "Delivery Suite",
        "maternity_ward": "Antenatal and Postnatal Ward",
        "birth_centre": "Midwife-led Birth Centre",
        "neonatal": "Neonatal Unit",
        "dietetics": "Dietetics Team",
        "slt": "Speech and Language Therapy Team",
    }[kind]


def _community_and_mental_health(b: _Builder) -> None:
    org = b.org("RTRUST7", "Forward Community Health NHS Trust", OrgKind.NHS_TRUST, "Birmingham")
    for i, place in enumerate(BSOL_PLACES * 3):
        kind = ("district_nursing", "community_rehab", "district_nursing")[i % 3]
        label = "District Nursing" if kind == "district_nursing" else "Community Rehabilitation"
        b.setting(org, f"{place} {label} Team {i // len(BSOL_PLACES) + 1}", kind, place)
    b.setting(org, "Children's Community Nursing Team", "community_children", "Birmingham")
    for place in ("Birmingham", "Solihull", "Erdington", "Selly Oak", "Chelmsley Wood"):
        b.setting(org, f"{place} Community Midwifery Team", "community_midwifery", place)
    b.setting(org, "Community Learning Disability Team", "ld_team", "Erdington")
    org = b.org(
        "RTRUST8",
        "Heart of Mercia Mental Health NHS Foundation Trust",
        OrgKind.NHS_TRUST,
        "Birmingham",
    )
    for i in range(20):
        place = BSOL_PLACES[i % len(BSOL_PLACES)]
        kind = ("mh_ward", "cmht", "mh_ward", "camhs" if i % 8 == 3 else "cmht")[i % 4]
        label = {
            "mh_ward": f"Ward {i + 1} (Adult Acute Mental Health)",
            "cmht": f"{place} Community Mental Health Team",
            "camhs": f"{place} CAMHS Team",
        }[kind]
        b.setting(org, label, kind, place)
    org = b.org("RTRUST9", "Teme & Wye Health and Care NHS Trust", OrgKind.NHS_TRUST, "Worcester")
    for i, place in enumerate(HW_PLACES * 2):
        kind = ("district_nursing", "community_rehab", "mh_ward", "cmht")[i % 4]
        b.setting(org, f"{place} {kind.replace('_', ' ').title()} {i + 1}", kind, place)
    b.setting(org, "Herefordshire Learning Disability Team", "ld_team", "Hereford")
    b.setting(org, "Worcestershire Children's Therapy Team", "community_children", "Worcester")
    for place in ("Worcester", "Redditch", "Hereford"):
        b.setting(org, f"{place} Community Midwifery Team", "community_midwifery", place)


def _primary_care(b: _Builder) -> None:
    places = (*BSOL_PLACES, *BSOL_PLACES, *HW_PLACES)
    for p in range(8):
        place = places[(p * 3) % len(places)]
        org = b.org(f"PCN{p + 1:02d}", f"{place} Central Primary Care Network", OrgKind.PCN, place)
        b.setting(org, f"{place} PCN Additional Roles Team", "pcn", place)
    for g in range(56):
        place = places[g % len(places)]
        name = f"{_GP_NAMES[g % len(_GP_NAMES)]} {_GP_SUFFIX[(g // 3) % len(_GP_SUFFIX)]}"
        org = b.org(f"GPP{g + 1:03d}", f"{name}, {place}", OrgKind.GP_PRACTICE, place)
        b.setting(org, name, "gp", place)


def _social_care(b: _Builder) -> None:
    all_places = tuple(PLACES)
    home = 0
    for p, provider in enumerate(_PROVIDER_NAMES * 2):
        place = all_places[(p * 5) % len(all_places)]
        org = b.org(
            f"CHP{p + 1:02d}",
            f"{provider} {'Ltd' if p < 12 else 'Group'}",
            OrgKind.CARE_HOME_PROVIDER,
            place,
        )
        for _ in range(1 + (p * 7) % 5):
            home_place = all_places[(p * 5 + home) % len(all_places)]
            name = f"{_HOME_NAMES[home % len(_HOME_NAMES)]} {_HOME_SUFFIX[home % 6]}"
            b.setting(org, f"{name}, {home_place}", "care_home", home_place)
            home += 1
    for code, name, place, teams in _COUNCILS:
        org = b.org(code, name, OrgKind.LOCAL_AUTHORITY, place)
        region = BSOL_PLACES if PLACES[place].region == "bsol" else HW_PLACES
        for t in range(teams):
            team = _LA_TEAMS[t % len(_LA_TEAMS)]
            kind = "la_ot" if team.startswith("Occupational") else "la_team"
            b.setting(org, f"{team} ({region[t % len(region)]})", kind, region[t % len(region)])
    for code, name, place, settings in _VCSE:
        org = b.org(code, name, OrgKind.VCSE, place)
        for s in range(settings):
            b.setting(org, f"{name}{' – outreach' if s else ''}", "vcse", place)
