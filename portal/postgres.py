"""PostgreSQL connections (psycopg) whose read-only transactions end with COMMIT, so that the
statements the portal runs on every page stay prepared on the server.

psycopg prepares a statement on the server once a connection has run it five times, and then only
binds and executes it. But it forgets every prepared statement whenever a transaction is rolled
back, and a page that only reads ends its transaction with a rollback (SQLAlchemy's session does
that on closing). Every page therefore had each statement parsed and planned again: measured under
the load run of `bench/`, half of PostgreSQL's CPU.

A transaction that has run nothing but SELECTs is ended with COMMIT instead: for the database the
same (there is nothing to undo; locks are released either way). A transaction that ran anything
else (INSERT, UPDATE, DELETE, COPY, a WITH that may hold one, a SAVEPOINT), or that failed, is
rolled back as before. A SELECT of a function that writes would be committed; the portal runs none.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

_READ = re.compile(rb"\s*SELECT\b", re.IGNORECASE)


def is_read(query: Any) -> bool:
    """Whether a statement only reads: a SELECT (and only text can say so)."""
    if isinstance(query, str):
        query = query.encode()
    return isinstance(query, bytes) and _READ.match(query) is not None


class _NotingCursor(psycopg.Cursor[Any]):
    """Tells its connection about every statement that is not a read."""

    connection: KeepsPrepared

    def execute(self, query: Any, params: Any = None, **options: Any) -> _NotingCursor:
        self.connection.note(query)
        super().execute(query, params, **options)
        return self

    def executemany(self, query: Any, params_seq: Any, **options: Any) -> None:
        self.connection.note(query)
        super().executemany(query, params_seq, **options)

    def copy(self, statement: Any, params: Any = None, **options: Any) -> Any:
        self.connection.wrote = True
        return super().copy(statement, params, **options)


class KeepsPrepared(psycopg.Connection[Any]):
    """A psycopg connection whose rollback() of a transaction that only read is a COMMIT."""

    wrote = False

    def note(self, query: Any) -> None:
        if not self.wrote and not is_read(query):
            self.wrote = True

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.wrote = False

    def rollback(self) -> None:
        try:
            if self.wrote or self.pgconn.transaction_status != TransactionStatus.INTRANS:
                super().rollback()  # a write to undo, a failed transaction, or none open
            else:
                super().commit()
        finally:
            self.wrote = False


def connect(*cargs: Any, **cparams: Any) -> KeepsPrepared:
    """SQLAlchemy's do_connect: the connection psycopg.connect would make, of this class."""
    connection = KeepsPrepared.connect(*cargs, **cparams)
    connection.cursor_factory = _NotingCursor
    return connection
