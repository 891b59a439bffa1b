"""Bulk inserts for the demo: thousands of rows per table in one statement each.

The demo writes whole tables at scale 50 (hundreds of thousands of learners), so rows go in
with one executemany INSERT ... RETURNING per table rather than through ORM objects.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel


def insert_rows(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert; returns the new ids in the order of ``rows`` when the table has ids."""
    if not rows:
        return []
    table = model.__table__  # type: ignore[attr-defined]
    if "id" not in table.c:
        session.execute(insert(table), rows)
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [int(row[0]) for row in session.execute(statement, rows)]


def insert_keyed(
    session: Session, model: type[SQLModel], rows: list[dict[str, Any]]
) -> dict[str, int]:
    """Bulk insert rows that carry a ``code``; the new ids by code, for the rows that refer."""
    return dict(zip([row["code"] for row in rows], insert_rows(session, model, rows), strict=True))
