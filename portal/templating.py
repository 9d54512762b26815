"""What every template may use: locale helpers, formatting filters, the language switch."""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context
from jinja2.runtime import Context

from portal import i18n
from portal.identity.access import current_user
from portal.identity.sessions import ServerSession, idle_deadline
from portal.models.base import utcnow

# Navigation: a feature's entry appears once its endpoint exists.
CLIENT_NAV = (
    ("home.client_home", _l("Front page")),
    ("pathway.client_pathway", _l("Your pathway")),
    ("consent.client_list", _l("Consents")),
    ("questionnaire.client_list", _l("Questionnaires")),
    ("booking.client_list", _l("Appointments")),
    ("mydata.overview", _l("Your data")),
)
STAFF_NAV = (
    ("clients.my_clients", _l("My clients")),
    ("questionnaire.review_queue", _l("Answers to review")),
    ("consent.staff_requests", _l("Consent requests")),
    ("booking.schedule", _l("Schedule")),
)


def navigation(app: Flask, user: Any) -> list[tuple[str, Any]]:
    if user is None:
        return []
    if user.role == "client":
        return _existing(app, CLIENT_NAV)
    # The professionals' pages are for advisers and staff; an admin's work is the admin commands.
    return _existing(app, STAFF_NAV) if user.has_role("adviser", "staff") else []


# The menu's labels in each language, translated once: the menu is on every page.
_menu_labels: dict[tuple[str, str], str] = {}


def _existing(app: Flask, entries: tuple[tuple[str, Any], ...]) -> list[tuple[str, Any]]:
    locale = i18n.current_locale()
    shown = []
    for endpoint, label in entries:
        if endpoint in app.view_functions:
            text = _menu_labels.get((locale, endpoint))
            if text is None:  # the lazy label translates in the current language, which is `locale`
                text = _menu_labels[(locale, endpoint)] = str(label)
            shown.append((endpoint, text))
    return shown


# Addresses the templates ask for, built once per mount point: a page asks for the same few
# dozen (the stylesheet, the menu, the footer, its rows' links) on every request.
URLS_KEPT = 8192
_urls: dict[tuple[Any, ...], str] = {}


def _template_url_for(app: Flask) -> Any:
    def url_for(endpoint: str, **values: Any) -> str:
        if (
            endpoint.startswith(".")
            or any(name.startswith("_") for name in values)
            or not has_request_context()
        ):
            return app.url_for(endpoint, **values)  # relative to the blueprint, external, no request...
        try:
            key = (request.script_root, endpoint, *sorted(values.items()))
            found = _urls.get(key)
        except TypeError:  # a value that cannot be a key (a list): build it every time
            return app.url_for(endpoint, **values)
        if found is None:
            if len(_urls) >= URLS_KEPT:
                _urls.clear()
            found = _urls[key] = app.url_for(endpoint, **values)
        return found

    return url_for


# The translations of the page being rendered, looked up once per render_template (force_locale
# included) instead of once per string: Flask-Babel's own lookup costs more than the translation.
TRANSLATIONS = "_polku_translations"


def _translations(context: Context) -> Any:
    # Macros imported without context do not see it, and fall back to the request's.
    return context.get(TRANSLATIONS) or i18n.translations()


@pass_context
def _gettext(context: Context, string: str) -> str:
    return str(_translations(context).ugettext(string))


@pass_context
def _ngettext(context: Context, singular: str, plural: str, number: int) -> str:
    return str(_translations(context).ungettext(singular, plural, number))


@pass_context
def _pgettext(context: Context, message_context: str, string: str) -> str:
    return str(_translations(context).upgettext(message_context, string))


@pass_context
def _npgettext(context: Context, message_context: str, singular: str, plural: str, number: int) -> str:
    return str(_translations(context).unpgettext(message_context, singular, plural, number))


def init_app(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True, pgettext=_pgettext, npgettext=_npgettext
    )
    app.jinja_env.globals["url_for"] = _template_url_for(app)
    app.before_request(i18n.share_form_translations)
    app.jinja_env.filters["local_date"] = i18n.local_date
    app.jinja_env.filters["local_datetime"] = i18n.local_datetime
    app.jinja_env.filters["local_time"] = i18n.local_time
    app.jinja_env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES

    @app.context_processor
    def layout_context() -> dict[str, Any]:
        user = current_user()
        deadline = 0
        if user is not None and isinstance(session, ServerSession):
            deadline = max(0, int((idle_deadline(session) - utcnow()).total_seconds()))
        return {
            TRANSLATIONS: i18n.translations(),
            "current_locale": i18n.current_locale(),
            "other_locales": i18n.other_locales(),
            "current_user": user,
            "navigation": navigation(app, user),
            "session_deadline": deadline,
            "here": request.full_path.rstrip("?") if request else "/",
        }
