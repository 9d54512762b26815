"""Wall-clock times in Europe/Helsinki and the UTC instants they stand for, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from portal.i18n import HELSINKI


def parse_clock(value: str) -> time | None:
    """ "9", "9.30", "09:30" or "9,30" as a time of day; None when it is not one. Minutes are two
    digits: "9.5" is not read as 9.05 (nor guessed to be half past)."""
    text = value.strip().replace(".", ":").replace(",", ":")
    if not text.isascii():  # "²".isdigit() is true, and int("²") fails
        return None
    hours, _, minutes = text.partition(":")
    if (
        not hours.isdigit()
        or (minutes and not minutes.isdigit())
        or len(hours) > 2
        or len(minutes) not in (0, 2)
    ):
        return None
    hour, minute = int(hours), int(minutes or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def clock(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def local_instant(day: date, at: time) -> datetime | None:
    """The UTC instant of a Helsinki wall-clock time: None in the spring gap, the earlier one in autumn."""
    local = datetime.combine(day, at, tzinfo=HELSINKI)
    instant = local.astimezone(UTC)
    if instant.astimezone(HELSINKI).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None  # 03:00-03:59 on the last Sunday of March does not exist
    return instant


def local_date(instant: datetime) -> date:
    return instant.astimezone(HELSINKI).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants of a Helsinki day's first moment and the next day's: 23 or 25 hours on DST days."""
    start = datetime.combine(day, time(0), tzinfo=HELSINKI).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=HELSINKI).astimezone(UTC)
    return start, end


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
