"""The fixed shape of the demo system: places, HEIs, programmes, providers and the rates used.

Kept apart from the generator so that the figures a reviewer checks against the published
sources (see ``README.md`` beside this file) sit in one readable place, not inside loops.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from tracker.models import ProfessionGroup as PG
from tracker.models import Route, Sector


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    districts: tuple[str, ...]
    region: str  # "bsol" (Birmingham and Solihull) or "hw" (Herefordshire and Worcestershire)


PLACES: Final[Mapping[str, Place]] = MappingProxyType(
    {
        "Birmingham": Place(
            52.4862,
            -1.8904,
            (
                "B5",
                "B9",
                "B10",
                "B11",
                "B12",
                "B13",
                "B14",
                "B16",
                "B18",
                "B19",
                "B20",
                "B21",
                "B26",
                "B27",
                "B28",
                "B33",
                "B34",
                "B36",
                "B38",
            ),
            "bsol",
        ),
        "Edgbaston": Place(52.4560, -1.9300, ("B15", "B16", "B17"), "bsol"),
        "Selly Oak": Place(52.4410, -1.9360, ("B29", "B30", "B31", "B32"), "bsol"),
        "Erdington": Place(52.5240, -1.8390, ("B23", "B24", "B35"), "bsol"),
        "Solihull": Place(52.4118, -1.7776, ("B90", "B91", "B92", "B93", "B94"), "bsol"),
        "Chelmsley Wood": Place(52.4780, -1.7350, ("B37", "B40", "B46"), "bsol"),
        "Sutton Coldfield": Place(52.5705, -1.8240, ("B72", "B73", "B74", "B75", "B76"), "bsol"),
        "Worcester": Place(52.1920, -2.2200, ("WR1", "WR2", "WR3", "WR4", "WR5"), "hw"),
        "Redditch": Place(52.3070, -1.9460, ("B97", "B98"), "hw"),
        "Bromsgrove": Place(52.3350, -2.0570, ("B60", "B61"), "hw"),
        "Kidderminster": Place(52.3880, -2.2490, ("DY10", "DY11", "DY13"), "hw"),
        "Droitwich": Place(52.2670, -2.1530, ("WR9",), "hw"),
        "Malvern": Place(52.1120, -2.3250, ("WR13", "WR14"), "hw"),
        "Evesham": Place(52.0920, -1.9470, ("WR10", "WR11"), "hw"),
        "Hereford": Place(52.0567, -2.7160, ("HR1", "HR2", "HR4"), "hw"),
        "Leominster": Place(52.2260, -2.7420, ("HR6",), "hw"),
        "Ledbury": Place(52.0350, -2.4230, ("HR8",), "hw"),
        "Ross-on-Wye": Place(51.9140, -2.5870, ("HR9",), "hw"),
    }
)
BSOL_PLACES: Final = tuple(p for p, v in PLACES.items() if v.region == "bsol")
HW_PLACES: Final = tuple(p for p, v in PLACES.items() if v.region == "hw")


@dataclass(frozen=True)
class ProgrammeSpec:
    code: str
    name: str
    group: PG
    field: str
    route: Route
    years: float
    withdrawal_factor: float  # multiplies the base withdrawal risk (see README)


PROGRAMMES: Final[tuple[ProgrammeSpec, ...]] = (
    ProgrammeSpec(
        "ADN", "BSc (Hons) Nursing (Adult)", PG.NURSING, "adult nursing", Route.DEGREE, 3, 1.0
    ),
    ProgrammeSpec(
        "CHN", "BSc (Hons) Nursing (Child)", PG.NURSING, "children's nursing", Route.DEGREE, 3, 0.9
    ),
    ProgrammeSpec(
        "MHN",
        "BSc (Hons) Nursing (Mental Health)",
        PG.NURSING,
        "mental health nursing",
        Route.DEGREE,
        3,
        1.35,
    ),
    ProgrammeSpec(
        "LDN",
        "BSc (Hons) Nursing (Learning Disabilities)",
        PG.NURSING,
        "learning disability nursing",
        Route.DEGREE,
        3,
        1.15,
    ),
    ProgrammeSpec(
        "ADA",
        "Registered Nurse Degree Apprenticeship (Adult)",
        PG.NURSING,
        "adult nursing",
        Route.APPRENTICESHIP,
        4,
        0.7,
    ),
    ProgrammeSpec(
        "ADP",
        "MSc Nursing (Adult) pre-registration",
        PG.NURSING,
        "adult nursing",
        Route.POSTGRADUATE,
        2,
        0.55,
    ),
    ProgrammeSpec("MID", "BSc (Hons) Midwifery", PG.MIDWIFERY, "midwifery", Route.DEGREE, 3, 0.75),
    ProgrammeSpec(
        "NAA",
        "FdSc Nursing Associate (apprenticeship)",
        PG.NURSING_ASSOCIATE,
        "nursing associate",
        Route.APPRENTICESHIP,
        2,
        0.8,
    ),
    ProgrammeSpec(
        "PHY", "BSc (Hons) Physiotherapy", PG.AHP, "physiotherapy", Route.DEGREE, 3, 0.85
    ),
    ProgrammeSpec(
        "OCT",
        "BSc (Hons) Occupational Therapy",
        PG.AHP,
        "occupational therapy",
        Route.DEGREE,
        3,
        1.0,
    ),
    ProgrammeSpec(
        "PAR", "BSc (Hons) Paramedic Science", PG.AHP, "paramedic science", Route.DEGREE, 3, 1.3
    ),
    ProgrammeSpec(
        "DRA",
        "BSc (Hons) Diagnostic Radiography",
        PG.AHP,
        "diagnostic radiography",
        Route.DEGREE,
        3,
        1.3,
    ),
    ProgrammeSpec(
        "SLT",
        "BSc (Hons) Speech and Language Therapy",
        PG.AHP,
        "speech and language therapy",
        Route.DEGREE,
        3,
        0.9,
    ),
    ProgrammeSpec("DIE", "BSc (Hons) Dietetics", PG.AHP, "dietetics", Route.DEGREE, 3, 1.0),
    ProgrammeSpec(
        "SWD", "BA (Hons) Social Work", PG.SOCIAL_WORK, "social work", Route.DEGREE, 3, 1.1
    ),
    ProgrammeSpec(
        "SWP", "MA Social Work", PG.SOCIAL_WORK, "social work", Route.POSTGRADUATE, 2, 0.6
    ),
)
PROGRAMME_BY_CODE: Final[Mapping[str, ProgrammeSpec]] = MappingProxyType(
    {p.code: p for p in PROGRAMMES}
)


@dataclass(frozen=True)
class HeiSpec:
    code: str
    name: str
    place: str
    campus: tuple[float, float]
    # programme code -> (September places, extra intake month or 0, extra intake places)
    offers: dict[str, tuple[int, int, int]]


HEIS: Final[tuple[HeiSpec, ...]] = (
    HeiSpec(
        "UNI-A",
        "Northbrook University",
        "Edgbaston",
        (52.4508, -1.9305),
        {
            "ADN": (115, 0, 0),
            "CHN": (35, 0, 0),
            "MHN": (45, 0, 0),
            "LDN": (20, 0, 0),
            "ADA": (20, 3, 20),
            "ADP": (25, 0, 0),
            "MID": (40, 0, 0),
            "PHY": (30, 0, 0),
            "OCT": (25, 0, 0),
            "SWD": (30, 0, 0),
            "SWP": (20, 0, 0),
        },
    ),
    HeiSpec(
        "UNI-B",
        "Blythe Valley University",
        "Solihull",
        (52.4060, -1.7700),
        {
            "ADN": (70, 0, 0),
            "CHN": (25, 0, 0),
            "MHN": (35, 0, 0),
            "MID": (30, 0, 0),
            "NAA": (25, 1, 25),
            "PAR": (35, 0, 0),
            "DRA": (25, 0, 0),
            "SWD": (25, 0, 0),
        },
    ),
    HeiSpec(
        "UNI-C",
        "University of Severn and Teme",
        "Worcester",
        (52.1970, -2.2430),
        {
            "ADN": (60, 0, 0),
            "MHN": (35, 0, 0),
            "MID": (25, 0, 0),
            "NAA": (20, 1, 25),
            "ADA": (20, 0, 0),
            "PAR": (25, 0, 0),
            "OCT": (20, 0, 0),
            "PHY": (25, 0, 0),
            "SWD": (20, 0, 0),
        },
    ),
    HeiSpec(
        "UNI-D",
        "Wye Marches University",
        "Hereford",
        (52.0610, -2.7080),
        {
            "ADN": (40, 0, 0),
            "MHN": (20, 0, 0),
            "LDN": (20, 0, 0),
            "NAA": (20, 0, 0),
            "DIE": (20, 0, 0),
            "SLT": (20, 0, 0),
            "ADP": (15, 0, 0),
            "SWP": (15, 0, 0),
        },
    ),
)
#: Five annual intakes up to the one that started in the autumn before DEMO_AS_OF.
INTAKE_YEARS: Final = (2022, 2023, 2024, 2025, 2026)

#: The "areas of concern" outlier: clearly higher withdrawal than the same field elsewhere.
OUTLIER: Final = ("UNI-C", "MHN", 2.6)
#: The cohort that recruited badly (fill rate well under the usual 85-105%).
POOR_RECRUITMENT: Final = ("UNI-D", "LDN", 2023, 0.52)

# --- learner journeys (probabilities per starter over the whole programme; see README) ---------
BASE_WITHDRAWAL: Final = 0.085
INTERRUPTION: Final = 0.115
INTERRUPTED_RETURN: Final = 0.76
RETURNER_LATER_WITHDRAWS: Final = 0.10
TRANSFER_OUT: Final = 0.015
TRANSFER_IN: Final = 0.012
LATE_COMPLETION: Final = 0.055
EMPLOYED_LOCAL: Final = 0.78
EMPLOYED_ELSEWHERE: Final = 0.16  # the rest have no employment recorded yet
REASONABLE_ADJUSTMENTS: Final = 0.10
DRIVER: Final = 0.45

#: Withdrawal reasons, most common first, as RePAIR and HESA reason-for-ending data rank them.
WITHDRAWAL_REASONS: Final[Mapping[str, float]] = MappingProxyType(
    {
        "financial": 0.32,
        "personal_health": 0.15,
        "academic": 0.17,
        "wrong_career_choice": 0.12,
        "caring_responsibilities": 0.09,
        "placement_experience": 0.08,
        "other": 0.06,
    }
)
#: Reasons of those who interrupt and then do not come back: health dominates.
REASONS_AFTER_INTERRUPTION: Final[Mapping[str, float]] = MappingProxyType(
    {
        "personal_health": 0.42,
        "caring_responsibilities": 0.17,
        "financial": 0.21,
        "wrong_career_choice": 0.08,
        "academic": 0.07,
        "other": 0.05,
    }
)
#: Share of withdrawals in each year of study: most leave in year 1.
WITHDRAWAL_YEAR: Final[Mapping[int, tuple[float, ...]]] = MappingProxyType(
    {
        2: (0.65, 0.35),
        3: (0.55, 0.30, 0.15),
        4: (0.50, 0.25, 0.15, 0.10),
    }
)

# --- placements ---------------------------------------------------------------------------------

#: Placement blocks of each academic year: number, name, nominal first day (month, day) in the
#: autumn (year 0) or the next calendar year (1), and length in weeks (4-10 weeks is usual).
BLOCKS: Final = (
    (1, "Block 1 (autumn)", (11, 9), 0, 6),
    (2, "Block 2 (winter)", (1, 11), 1, 8),
    (3, "Block 3 (spring)", (3, 22), 1, 7),
    (4, "Block 4 (summer)", (6, 7), 1, 8),
)
PLACEMENT_YEARS: Final = (2025, 2026)  # academic years 2025/26 (history) and 2026/27 (requests)

#: Blocks in which each year of study is out on placement, by programme (default: "*").
CALENDAR: Final[Mapping[str, Mapping[int, tuple[int, ...]]]] = MappingProxyType(
    {
        "*": {1: (2, 4), 2: (1, 3), 3: (2, 4)},
        "ADA": {1: (2,), 2: (1, 3), 3: (2, 4), 4: (1, 3)},
        "ADP": {1: (2, 4), 2: (1, 3)},
        "NAA": {1: (2, 4), 2: (1, 3)},
        "PHY": {1: (4,), 2: (2, 4), 3: (1, 2)},
        "OCT": {1: (4,), 2: (2, 4), 3: (1, 2)},
        "DIE": {1: (4,), 2: (2, 4), 3: (1, 2)},
        "SLT": {1: (4,), 2: (2, 4), 3: (1, 2)},
        "DRA": {1: (4,), 2: (2, 4), 3: (1, 2)},
        "PAR": {1: (2, 4), 2: (1, 3), 3: (1, 2)},
        "SWD": {1: (4,), 2: (2, 3), 3: (1, 2)},
        "SWP": {1: (2, 3), 2: (1, 2)},
    }
)

#: Sector some requests must be met in, and the share of the cohort's learners it applies to
#: (the rest may go to any setting hosting the programme).
REQUIRED_SECTOR: Final[Mapping[str, tuple[Sector, float]]] = MappingProxyType(
    {
        "MID": (Sector.ACUTE, 0.7),
        "CHN": (Sector.ACUTE, 0.6),
        "PAR": (Sector.ACUTE, 1.0),
        "DRA": (Sector.ACUTE, 1.0),
        "MHN": (Sector.MENTAL_HEALTH, 0.8),
    }
)
#: Final-year social work must include statutory work, i.e. a local authority team.
STATUTORY_SECTOR: Final = Sector.SOCIAL_CARE
#: Share of adult nursing learners whose request in blocks 3-4 must be in the community.
COMMUNITY_SHARE: Final = 0.25
