"""Counting a list's rows for its page: exactly up to a limit, "more than" beyond it.

A professional's list pages (the review queue, the client list) show how many rows there are. With
all 100 000 clients of the benchmark's data assigned to one adviser, counting each sent answer took
PostgreSQL 48 ms on every visit to the queue, and the client list's count 16 ms; counted no further
than the limit, 1.6 ms and 0.8 ms. Nobody needs the exact figure beyond a thousand, and the pages
go on to the next one as long as there are rows (see Listing).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, func, select

from portal.context import config


def counted(rows: Select[Any]) -> Select[tuple[int]]:
    """How many rows `rows` gives, counting no further than the `count_limit` parameter."""
    return select(func.count()).select_from(rows.limit(bindparam("count_limit")).subquery())


def count_limit() -> int:
    return int(config()["LIST_COUNT_LIMIT"])


def count_params() -> dict[str, int]:
    """The parameter of a counted() statement: one row over the limit tells that there are more."""
    return {"count_limit": count_limit() + 1}


class Listing(NamedTuple):
    """A page of a list: its rows, how many there are in all, and whether a next page has rows."""

    rows: list[Any]
    total: int  # counted up to limit + 1: one more than the limit means "more than the limit"
    limit: int
    more: bool
    pages: int | None  # None when the rows were not all counted

    @staticmethod
    def rows_to_read(total: int, page_size: int) -> int:
        """The LIMIT of the page's rows: when they were not all counted, one more than the page
        shows tells whether there is a next page."""
        return page_size if total <= count_limit() else page_size + 1

    @classmethod
    def of(cls, rows: list[Any], total: int, page: int, page_size: int) -> Listing:
        """`rows` as read with the LIMIT rows_to_read() gave."""
        limit = count_limit()
        if total <= limit:
            return cls(rows, total, limit, page * page_size < total, max(1, -(-total // page_size)))
        return cls(rows[:page_size], total, limit, len(rows) > page_size, None)

    @property
    def counted_all(self) -> bool:
        return self.pages is not None
