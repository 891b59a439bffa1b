"""The demo's education and training tariff: illustrative rates, documented, not DHSC's.

DHSC publishes the healthcare education and training tariff each financial year (gov.uk,
"Healthcare education and training tariff"); the non-medical placement tariff was £3,175 per
full-time-equivalent placement year in 2013/14 and is revised every year (a 3% in-year uplift
in 2023/24). These rates start from an illustrative £5,300 per full-time-equivalent placement
year in 2025/26 and rise 3% a year, for every non-medical profession group the demo
places. They are for the demo only: a real deployment imports the published rates (the
``tariff`` import kind). ``WEEKS_PER_YEAR`` is this module's documented assumption for turning
a yearly rate into a weekly one (a placement year read as 52 weeks of placement); each rate row
carries it, so a deployment whose guidance says otherwise imports its own. Social work has no
rate here: in England its placements are funded outside this tariff (the social work
Education Support Grant), so the tariff views show its weeks with no rate.
See ``tracker/data/README.md``.
"""

from __future__ import annotations

from typing import Any, Final

from tracker.measures.tariff import year_name
from tracker.models import ProfessionGroup, TariffUnit

#: The illustrative yearly rate of the first demo financial year, and its yearly uplift.
BASE_YEAR: Final = 2025
BASE_RATE: Final = 5300.0
UPLIFT: Final = 0.03
#: Financial years the demo's placements fall in (academic years 2025/26 and 2026/27).
YEARS: Final = 3
#: The documented assumption: weeks in one full-time-equivalent placement year.
WEEKS_PER_YEAR: Final = 52.0
#: Profession groups paid the non-medical placement tariff in the demo.
GROUPS: Final = tuple(g for g in ProfessionGroup if g is not ProfessionGroup.SOCIAL_WORK)
SOURCE: Final = (
    "Illustrative demo rate (not DHSC's): £5,300 per FTE placement year in 2025/26, "
    "+3% a year; 52 weeks per placement year assumed. See tracker/data/README.md."
)


def tariff_rows() -> list[dict[str, Any]]:
    """The demo's tariff table: one yearly rate per financial year and profession group."""
    return [
        {
            "financial_year": year_name(BASE_YEAR + offset),
            "profession_group": group.value,
            "programme_id": None,
            "rate": round(BASE_RATE * (1 + UPLIFT) ** offset, 2),
            "unit": TariffUnit.YEAR.value,
            "weeks_per_year": WEEKS_PER_YEAR,
            "source": SOURCE,
        }
        for offset in range(YEARS)
        for group in GROUPS
    ]
