"""The education and training tariff: the rate DHSC publishes per financial year for a
profession group (or one programme), as the tariff table holds it."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.models.vocabulary import ProfessionGroup, TariffUnit, one_of


class TariffRate(SQLModel, table=True):
    """One published rate: pounds per full-time-equivalent placement week or year.

    A yearly rate carries the weeks one full-time-equivalent placement year is taken to hold
    (``weeks_per_year``), so the measure converts it to a weekly rate without any number in
    code. A row naming a programme overrides its profession group's rate for that programme.
    Rates are never written into code: this table (and the demo's documented illustrative
    rates in ``tracker/data/demo_tariff.py``) is where they live.
    """

    __tablename__ = "tariff_rate"
    __table_args__ = (
        UniqueConstraint("financial_year", "profession_group", "programme_id"),
        one_of("profession_group", ProfessionGroup),
        one_of("unit", TariffUnit),
        CheckConstraint("rate > 0", name="rate_positive"),
        CheckConstraint(
            "unit = 'week' OR (weeks_per_year IS NOT NULL AND weeks_per_year > 0)",
            name="weeks_per_year",
        ),
        CheckConstraint("length(financial_year) = 7", name="financial_year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    financial_year: str = Field(max_length=7, index=True, description="e.g. 2026/27")
    profession_group: str = Field(max_length=32)
    programme_id: int | None = Field(default=None, foreign_key="programme.id")
    rate: float = Field(description="Pounds per full-time-equivalent placement week or year")
    unit: str = Field(max_length=8)
    weeks_per_year: float | None = None
    source: str = Field(max_length=500)
