"""Declarative base with a naming convention and a timezone-aware UTC column type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Join, MetaData, String, Table, literal_column
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def in_text(value: str) -> ColumnElement[str]:
    """One of the code's own status values written into the statement, not sent as a parameter.

    Where a table has a partial index (WHERE status = 'submitted'), SQLite prepares a statement
    that binds the status again at every execution, to see whether the index applies to the value
    bound: about 50 µs of CPU for the review queue's count. A status written into the text is
    planned once, and PostgreSQL's generic plan of a prepared statement can use the index too.
    Only for the code's own constants (a status), never for anything a person typed.
    """
    if not value.isidentifier():
        raise ValueError(f"{value!r} is not a status name")
    return literal_column(f"'{value}'", String())


class OuterFirst(Join):
    """An inner join that SQLite must plan with the left table as its outer loop (see outer_first)."""

    inherit_cache = True


def outer_first(left: Table, right: Table, onclause: ColumnElement[bool]) -> OuterFirst:
    """`left JOIN right ON onclause`, read row by row from `left`, each looked up in `right`.

    SQLite, which keeps no statistics here, takes an equality on an indexed column of `right` (a
    professional's id) for a narrow start and loops over `right` first, even where that is every row
    of it; its documented way to fix the order is CROSS JOIN. PostgreSQL plans the join by its own
    statistics, as any other. Only for a plain table on the left.
    """
    return OuterFirst(left, right, onclause)


@compiles(OuterFirst, "sqlite")
def _sqlite_cross_join(join: OuterFirst, compiler: SQLCompiler, **kw: Any) -> str:
    written: str = compiler.visit_join(join, **kw)  # type: ignore[no-untyped-call]
    # "<left> JOIN <right> ON …": the left side is one table, so its first JOIN is this join's.
    return written.replace(" JOIN ", " CROSS JOIN ", 1)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always hands back an aware datetime, also on SQLite, which keeps no zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    # On SQLite, bind_processor and result_processor below replace these two for every value;
    # process_bind_param is still what renders a time into literal SQL (offline migrations).
    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = _in_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name == "sqlite":
            return _sqlite_text_of_utc
        return super().bind_processor(dialect)

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None] | None:
        if dialect.name == "sqlite":
            return _utc_from_sqlite_text
        return super().result_processor(dialect, coltype)


def _sqlite_text_of_utc(value: datetime | None) -> str | None:
    """process_bind_param and SQLAlchemy's writing of the text for SQLite in one step, without
    datetime.replace (see _utc_from_sqlite_text): the same text, "YYYY-MM-DD HH:MM:SS.ffffff" in UTC."""
    return None if value is None else _in_utc(value).isoformat(" ", "microseconds")[:26]


def _in_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not stored; use an aware UTC time")
    return value.astimezone(UTC)


def _utc_from_sqlite_text(value: str | None) -> datetime | None:
    """A time as SQLite keeps it (UTC, as text without a zone), read as an aware datetime.

    SQLAlchemy's own reading parses the text and process_result_value then sets the zone with
    datetime.replace, whose parsing of its keyword arguments alone costs several times the parsing
    of the text: about 10 000 CPU instructions a value, and the client overview and the review queue
    read some sixty. The text with its zone written out is read as an aware time in one step.
    """
    return None if value is None else datetime.fromisoformat(value + "+00:00")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
