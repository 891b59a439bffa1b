"""The names of the demo system's providers: trusts and their sites, practices, homes, councils.

Fixed tables (no randomness), kept apart from the builder so the system's make-up reads in one
place: which acute trusts there are, how many wards each site has, which councils and charities.
"""

from __future__ import annotations

from typing import Final

WARDS: Final = (
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
ACUTE: Final = (
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
SITE_UNITS: Final = ("ed", "critical", "theatres", "stroke", "physio", "ot", "imaging")
GP_NAMES: Final = (
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
GP_SUFFIX: Final = ("Surgery", "Medical Centre", "Health Centre", "Medical Practice")
# Care home providers, then the names their homes take.
PROVIDER_NAMES: Final = (
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
HOME_NAMES: Final = (
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
HOME_SUFFIX: Final = ("House", "Lodge", "Court", "Manor", "Care Centre", "Nursing Home")
# Councils (code, name, place, social work teams) and the teams they run.
COUNCILS: Final = (
    ("LA01", "Kingsmere City Council", "Birmingham", 9),
    ("LA02", "Arden Metropolitan Borough Council", "Solihull", 5),
    ("LA03", "Severnshire County Council", "Worcester", 6),
    ("LA04", "Marches County Council", "Hereford", 4),
)
LA_TEAMS: Final = (
    "Children's Safeguarding Team",
    "Adult Social Care Locality Team",
    "Hospital Discharge Team",
    "Children in Care Team",
    "Mental Health Social Work Team",
    "Learning Disability Team",
    "Family Support Team",
    "Occupational Therapy and Adaptations",
)
# Voluntary and community organisations: code, name, place, settings.
VCSE: Final = (
    ("VCS01", "Brum Minds Matter", "Birmingham", 2),
    ("VCS02", "Solihull Carers Network", "Solihull", 1),
    ("VCS03", "Worcester Homeless Link", "Worcester", 2),
    ("VCS04", "Wye Hospice at Home", "Hereford", 2),
    ("VCS05", "Sutton Youth Project", "Sutton Coldfield", 1),
    ("VCS06", "Redditch Recovery Community", "Redditch", 1),
    ("VCS07", "Marches Learning Disability Alliance", "Leominster", 2),
    ("VCS08", "Edgbaston Refugee Welcome", "Edgbaston", 1),
)
