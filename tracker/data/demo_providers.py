"""Placement providers of the demo system: organisations and their settings, with capacity.

What a kind of setting hosts is in ``demo_setting_kinds``, the providers' names in
``demo_provider_names``; this module builds one copy of the system's providers from them.
"""

from __future__ import annotations

import numpy as np

from tracker.data import demo_provider_names as names
from tracker.data.demo_reference import BSOL_PLACES, HW_PLACES, PLACES
from tracker.data.demo_setting_kinds import KINDS, OrgSpec, SettingSpec
from tracker.models import OrgKind


def _nth(values: tuple[str, ...], i: int) -> str:
    """The ``i``-th of a list of names, going round again past its end."""
    return values[i % len(values)]


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
    for code, name, sites, wards, women_and_children in names.ACUTE:
        org = b.org(code, name, OrgKind.NHS_TRUST, sites[0][0])
        for s, (place, site_name) in enumerate(sites):
            centre = PLACES[place]
            site = (centre.lat + b.rng.normal(0, 0.01), centre.lon + b.rng.normal(0, 0.015))
            for w in range(wards if s == 0 else max(3, wards - 3)):
                ward = _nth(names.WARDS, w + 3 * s)
                b.setting(org, f"{site_name}: Ward {10 + w} ({ward})", "adult_ward", place, site)
            for unit in names.SITE_UNITS[: 7 if s == 0 else 3]:
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
        place = _nth(BSOL_PLACES, i)
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
        place = _nth(places, p * 3)
        org = b.org(f"PCN{p + 1:02d}", f"{place} Central Primary Care Network", OrgKind.PCN, place)
        b.setting(org, f"{place} PCN Additional Roles Team", "pcn", place)
    for g in range(56):
        place = _nth(places, g)
        name = f"{_nth(names.GP_NAMES, g)} {_nth(names.GP_SUFFIX, g // 3)}"
        org = b.org(f"GPP{g + 1:03d}", f"{name}, {place}", OrgKind.GP_PRACTICE, place)
        b.setting(org, name, "gp", place)


def _social_care(b: _Builder) -> None:
    all_places = tuple(PLACES)
    home = 0
    for p, provider in enumerate(names.PROVIDER_NAMES * 2):
        place = _nth(all_places, p * 5)
        org = b.org(
            f"CHP{p + 1:02d}",
            f"{provider} {'Ltd' if p < 12 else 'Group'}",
            OrgKind.CARE_HOME_PROVIDER,
            place,
        )
        for _ in range(1 + (p * 7) % 5):
            home_place = _nth(all_places, p * 5 + home)
            name = f"{_nth(names.HOME_NAMES, home)} {_nth(names.HOME_SUFFIX, home)}"
            b.setting(org, f"{name}, {home_place}", "care_home", home_place)
            home += 1
    for code, name, place, teams in names.COUNCILS:
        org = b.org(code, name, OrgKind.LOCAL_AUTHORITY, place)
        region = BSOL_PLACES if PLACES[place].region == "bsol" else HW_PLACES
        for t in range(teams):
            team = _nth(names.LA_TEAMS, t)
            kind = "la_ot" if team.startswith("Occupational") else "la_team"
            team_place = _nth(region, t)
            b.setting(org, f"{team} ({team_place})", kind, team_place)
    for code, name, place, settings in names.VCSE:
        org = b.org(code, name, OrgKind.VCSE, place)
        for s in range(settings):
            b.setting(org, f"{name}{' – outreach' if s else ''}", "vcse", place)
