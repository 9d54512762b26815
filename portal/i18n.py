"""Languages: Finnish and Swedish, the user's choice first; times shown in Europe/Helsinki."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_babel import format_date, format_datetime, format_time, get_locale

LOCALES = ("fi", "sv")
DEFAULT_LOCALE = "fi"
HELSINKI = ZoneInfo("Europe/Helsinki")

# Each language's own name, written in that language, for the switch.
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska"}


def select_locale() -> str:
    """The remembered choice, then the browser's wish, then Finnish."""
    chosen = request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE


def current_locale() -> str:
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LOCALES else DEFAULT_LOCALE


def today() -> date:
    """The date in Finland: what "today" means to the people who use Polku."""
    return datetime.now(HELSINKI).date()


def other_locales() -> list[str]:
    current = current_locale()
    return [code for code in LOCALES if code != current]


def local_date(value: date | datetime, format: str = "long") -> str:
    return str(format_date(value, format))


# Finnish and Finland-Swedish both write the time with a full stop: 9.00, 14.30.
TIME_PATTERN = "H.mm"


def local_datetime(value: datetime, format: str = "long") -> str:
    if format == "long":
        # "28. marraskuuta 2026 14.30" reads better than Babel's long form with seconds.
        return f"{format_date(value, 'long')} {format_time(value, TIME_PATTERN)}"
    return str(format_datetime(value, format))


def local_time(value: datetime) -> str:
    return str(format_time(value, TIME_PATTERN))
