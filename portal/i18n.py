"""Languages: Finnish and Swedish, the user's choice first; times shown in Europe/Helsinki."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, dates, support
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from werkzeug.wrappers import Response
from wtforms.i18n import messages_path

from portal.context import config, current_application, current_request, request_globals

LOCALES = ("fi", "sv")
DEFAULT_LOCALE = "fi"
HELSINKI = ZoneInfo("Europe/Helsinki")

# Each language's own name, written in that language, for the switch.
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska"}
ONE_YEAR = 365 * 24 * 3600


def supported_locale(value: str | None) -> str:
    """The language if the portal has it, else Finnish: for a stored language read back."""
    return value if value in LOCALES else DEFAULT_LOCALE


def remember_choice(response: Response, language: str) -> None:
    """The language chosen with the switch, kept for a year in a cookie (select_locale reads it)."""
    response.set_cookie(
        config()["LANGUAGE_COOKIE"],
        language,
        max_age=ONE_YEAR,
        secure=current_request().is_secure,
        httponly=True,
        samesite="Lax",
    )


# Dates and times as written in Finland: Finland-Swedish writes 10.12.2026 9.00, where Sweden's
# Swedish (Babel's "sv") writes 2026-12-10 09:00.
FORMAT_LOCALES = {"sv": "sv_FI"}


@cache
def _babel(language: str) -> Locale:
    return Locale.parse(language)


@cache
def _formats(language: str) -> Locale:
    """The locale whose conventions dates and times are written in: the language as used in Finland."""
    return Locale.parse(FORMAT_LOCALES.get(language, language))


def select_locale() -> Locale:
    """The remembered choice, then the browser's wish, then Finnish.

    Flask-Babel takes a Locale as it is and would parse a language code anew in every request.
    """
    asked = current_request()
    chosen = asked.cookies.get(config()["LANGUAGE_COOKIE"])
    if chosen in LOCALES:
        return _babel(chosen)
    return _babel(asked.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE)


def _locale() -> Locale | None:
    """Flask-Babel's get_locale(), reading the chosen locale straight from `g` once it is known:
    pages ask for it for every date and label they show."""
    try:
        state = request_globals().__dict__.get("_flask_babel")
    except RuntimeError:  # outside the application
        return None
    known: Locale | None = getattr(state, "babel_locale", None)
    return known if known is not None else get_locale()


def current_locale() -> str:
    locale = _locale()
    return locale.language if locale is not None and locale.language in LOCALES else DEFAULT_LOCALE


def translations() -> support.NullTranslations:
    """Flask-Babel's translations for the current locale, kept on the request while the locale
    stays the same (force_locale changes it): its own lookup costs more than translating."""
    # Templates ask for every string; one lookup of `g` here replaces Flask-Babel's several.
    store = request_globals().__dict__
    kept = store.get("_polku_translations")
    babel_state = store.get("_flask_babel")
    if kept is None or kept[0] is not getattr(babel_state, "babel_locale", None):
        locale = get_locale()
        kept = store["_polku_translations"] = (locale, _catalogue(locale))
    found: support.NullTranslations = kept[1]
    return found


def _catalogue(locale: Locale | None) -> support.NullTranslations:
    """Flask-Babel's translations for the locale, kept by the application per language: Flask-Babel
    finds them again in every request through its request state, domain and locale, each a
    look-up through `flask.g`, on the first string of every page."""
    if locale is None:
        anyway: support.NullTranslations = get_translations()
        return anyway
    kept: dict[tuple[str, str | None], support.NullTranslations] = (
        current_application().extensions.setdefault("polku.translations", {})
    )
    language = (locale.language, locale.territory)
    found = kept.get(language)
    if found is None:
        found = kept[language] = get_translations()
    return found


def _gettext_now(string: str, **variables: Any) -> str:
    try:
        translated: str = translations().ugettext(string)
    except RuntimeError:  # a label read outside the application: the English original
        translated = string
    return translated % variables if variables else translated


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """Flask-Babel's lazy_gettext, translated through the request's kept translations.

    Labels of forms, menus and statuses are translated each time a page shows them; Flask-Babel's
    own lookup of the translations on every one of them was a visible share of a list page.
    """
    return LazyString(_gettext_now, string, **variables)


@cache
def _form_translations(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def share_form_translations() -> None:
    """WTForms' own messages in the request's language, loaded once per language and process.

    Flask-WTF would read the catalogue from disk in every request that makes a form; it takes
    the one already on the request (the same catalogue, by the same locale).
    """
    asked = current_request()
    if asked.endpoint != "static":
        asked.wtforms_translations = _form_translations(current_locale())  # type: ignore[attr-defined]


def today() -> date:
    """The date in Finland: what "today" means to the people who use Polku."""
    return datetime.now(HELSINKI).date()


def other_locales() -> list[str]:
    current = current_locale()
    return [code for code in LOCALES if code != current]


# Formatting goes straight to Babel with the request's locale and Helsinki time, which is what
# Flask-Babel's format_* do (BABEL_DEFAULT_TIMEZONE is Europe/Helsinki; a naive time is UTC), and
# the texts are kept: list pages show the same dates and times again and again.
FORMATTED = 4096


def _language() -> str:
    """The language code of the request's locale: the formatted texts are kept by it (comparing
    Babel's Locale objects for every date on a list page cost more than formatting them)."""
    locale = _locale()
    return locale.language if locale is not None else DEFAULT_LOCALE


def _in_helsinki(value: datetime) -> datetime:
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(HELSINKI)


@lru_cache(maxsize=FORMATTED)
def _date_text(day: date, format: str, language: str) -> str:
    return str(dates.format_date(day, format, locale=_formats(language)))


@lru_cache(maxsize=FORMATTED)
def _time_text(moment: datetime, format: str, language: str) -> str:
    return str(dates.format_time(moment, format, locale=_formats(language)))


@lru_cache(maxsize=FORMATTED)
def _datetime_text(moment: datetime, format: str, language: str) -> str:
    return str(dates.format_datetime(moment, format, locale=_formats(language)))


def local_date(value: date | datetime, format: str = "long") -> str:
    day = _in_helsinki(value).date() if isinstance(value, datetime) else value
    return _date_text(day, format, _language())


# Finnish and Finland-Swedish both write the time with a full stop: 9.00, 14.30.
TIME_PATTERN = "H.mm"


def local_datetime(value: datetime, format: str = "long") -> str:
    moment, language = _in_helsinki(value), _language()
    if format == "long":
        # "28. marraskuuta 2026 klo 14.30" reads better than Babel's long form with seconds, and
        # klo / kl. keeps the time from reading as part of the date.
        day, clock = _date_text(moment.date(), "long", language), _time_text(moment, TIME_PATTERN, language)
        return str(lazy_gettext("%(date)s at %(time)s", date=day, time=clock))
    return _datetime_text(moment, format, language)


def local_time(value: datetime) -> str:
    return _time_text(_in_helsinki(value), TIME_PATTERN, _language())
