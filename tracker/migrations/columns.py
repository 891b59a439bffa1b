"""The naming rule of the migrations' keys, checks and indexes, written once.

Every constraint and index carries the name the models' naming convention gives it
(``pk_<table>``, ``fk_<table>_<column>_<target>``, ``ck_<table>_<name>``,
``uq_<table>_<columns>``, ``ix_<table>_<column>``), marked final with ``op.f`` so Alembic uses
it as written. The migrations build their tables from these, so each lists only what is its own:
the columns and the conditions. ``tests/test_migrations.py`` checks the migrated schema against
the models.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime


def create_table(
    table: str,
    *items: sa.SchemaItem,
    primary: Sequence[str] = (),
    indexed: Sequence[str] = (),
    unique_indexed: Sequence[str] = (),
) -> None:
    """Create ``table`` with its columns and constraints, and an index on each ``indexed`` and
    ``unique_indexed`` column.

    Its primary key is the ``primary`` columns, else a surrogate ``id``, its first column.
    """
    surrogate = () if primary else (sa.Column("id", sa.Integer(), nullable=False),)
    op.create_table(table, *surrogate, *items, primary_key(table, *primary))
    if unique_indexed:
        create_indexes(table, *unique_indexed, unique=True)
    if indexed:
        create_indexes(table, *indexed)


def number(name: str, *, nullable: bool = False) -> sa.Column:
    """An integer column: a count or another table's id."""
    return sa.Column(name, sa.Integer(), nullable=nullable)


def text(name: str, length: int | None = None, *, nullable: bool = False) -> sa.Column:
    """A string column as SQLModel declares ``str`` fields (VARCHAR of the given length)."""
    return sa.Column(name, AutoString(length=length), nullable=nullable)


def day(name: str, *, nullable: bool = False) -> sa.Column:
    """A calendar date."""
    return sa.Column(name, sa.Date(), nullable=nullable)


def moment(name: str, *, nullable: bool = True) -> sa.Column:
    """A timezone-aware timestamp (stored as UTC)."""
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def real(name: str, *, nullable: bool = False) -> sa.Column:
    """A floating-point number: a distance, a coordinate, a duration."""
    return sa.Column(name, sa.Float(), nullable=nullable)


def json(name: str, *, nullable: bool = False) -> sa.Column:
    """A JSON document (a run's inputs, an audit row's old and new values)."""
    return sa.Column(name, sa.JSON(), nullable=nullable)


def flag(name: str) -> sa.Column:
    """A yes/no column that is always set."""
    return sa.Column(name, sa.Boolean(), nullable=False)


def version(table: str) -> tuple[sa.Column, sa.CheckConstraint]:
    """The optimistic-locking ``version`` column and its check that it never goes below 0."""
    return number("version"), check(table, "version_nonneg", "version >= 0")


def check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    """A CHECK constraint named ``ck_<table>_<name>``."""
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def primary_key(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    """The table's primary key: ``id`` unless other columns are given."""
    return sa.PrimaryKeyConstraint(*(columns or ("id",)), name=op.f(f"pk_{table}"))


def reference(table: str, column: str, target: str, *, nullable: bool = False) -> sa.Column:
    """An id column of ``table`` that refers to ``target.id``."""
    constraint = sa.ForeignKey(f"{target}.id", name=op.f(f"fk_{table}_{column}_{target}"))
    return sa.Column(column, sa.Integer(), constraint, nullable=nullable)


def unique(table: str, *columns: str) -> sa.UniqueConstraint:
    """No two rows share these columns' values."""
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def create_indexes(table: str, *columns: str, unique: bool = False) -> None:
    """One index per column, named ``ix_<table>_<column>``."""
    with op.batch_alter_table(table) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=unique)


def drop_table(table: str, *indexed: str) -> None:
    """Drop a table after the indexes ``create_indexes`` gave its ``indexed`` columns."""
    if indexed:
        with op.batch_alter_table(table) as batch_op:
            for column in indexed:
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
    op.drop_table(table)
