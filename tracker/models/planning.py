"""Planning: the workforce outlook's saved, named scenarios."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class OutlookScenario(SQLModel, table=True):
    """A named scenario of the Outlook page, as the editor's few numbers (``scenario``).

    ``owner`` is empty for a scenario shared by the collaborative's planners (coordinators,
    collaborative members, administrators); an HEI user's scenarios carry their username and
    no one else sees them. Names are unique within an owner.
    """

    __tablename__ = "outlook_scenario"
    __table_args__ = (UniqueConstraint("owner", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    description: str = Field(default="", max_length=500)
    scenario: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    owner: str = Field(default="", max_length=64, index=True)
    saved_by: str | None = Field(default=None, max_length=64)
    saved_at: datetime
