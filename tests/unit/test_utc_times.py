"""Times on SQLite: UTCDateTime writes and reads the same text and values as SQLAlchemy's own
DATETIME with UTCDateTime's conversions, in one step each way."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite

from portal.models.base import UTCDateTime

SQLITE = sqlite.dialect()
TIMES = [
    datetime(2026, 11, 30, 6, 11, 45, 97215, tzinfo=UTC),
    datetime(2026, 1, 1, tzinfo=UTC),  # no fraction of a second: still written out
    datetime(999, 5, 6, 7, 8, 9, 1, tzinfo=UTC),  # a year of three digits
    datetime(2026, 3, 29, 3, 30, tzinfo=timezone(timedelta(hours=3))),  # another zone: kept as UTC
]


def ours() -> UTCDateTime:
    return UTCDateTime().dialect_impl(SQLITE)  # type: ignore[return-value]


@pytest.mark.parametrize("value", TIMES)
def test_a_time_is_written_as_sqlalchemy_writes_it_in_utc(value):
    theirs = sqlite.DATETIME().bind_processor(SQLITE)
    write = ours().bind_processor(SQLITE)
    assert write(value) == theirs(value.astimezone(UTC).replace(tzinfo=None))


@pytest.mark.parametrize("value", TIMES)
def test_a_time_read_back_is_the_same_moment_in_utc(value):
    text = ours().bind_processor(SQLITE)(value)
    read = ours().result_processor(SQLITE, None)(text)
    assert read == value
    assert read.tzinfo is UTC


@pytest.mark.parametrize("text", ["2026-11-30 06:11:45", "2026-11-30 06:11:45.5"])
def test_text_sqlite_wrote_itself_is_read_as_sqlalchemy_reads_it(text):
    """CURRENT_TIMESTAMP writes whole seconds."""
    theirs = sqlite.DATETIME().result_processor(SQLITE, None)
    assert ours().result_processor(SQLITE, None)(text) == theirs(text).replace(tzinfo=UTC)


def test_missing_times_stay_missing_and_naive_ones_are_refused():
    assert ours().bind_processor(SQLITE)(None) is None
    assert ours().result_processor(SQLITE, None)(None) is None
    with pytest.raises(ValueError, match="naive"):
        ours().bind_processor(SQLITE)(datetime(2026, 1, 1))  # noqa: DTZ001  (the naive time refused)
