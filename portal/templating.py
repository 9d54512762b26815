"""What every template may use: locale helpers, formatting filters, the language switch."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from flask import Flask, current_app, request, session
from flask.globals import _cv_request
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

from portal import i18n, phone_numbers
from portal.content.consents import organisation_name
from portal.i18n import lazy_gettext as _l
from portal.identity.access import current_user
from portal.identity.sessions import ServerSession, idle_deadline
from portal.models import Role
from portal.models.base import utcnow
from portal.security import csrf_token
from portal.views.language import switch_returns_to

# Navigation: a feature's entry appears once its endpoint exists.
CLIENT_NAV = (
    ("home.client_home", _l("Front page")),
    ("pathway.client_pathway", _l("Your pathway")),
    ("consent.client_list", _l("Consents")),
    ("questionnaire.client_list", _l("Questionnaires")),
    ("booking.client_list", _l("Appointments")),
    ("mydata.overview", _l("Your data")),
)
# A professional's entries, each with the roles that see it (any one of them): the answers are the
# advisers' (views/questionnaire); a main user reads the accessibility feedback, and the rest of
# their work is the admin commands.
STAFF_NAV = (
    ("clients.my_clients", _l("My clients"), (Role.ADVISER, Role.STAFF)),
    ("questionnaire.review_queue", _l("Answers to review"), (Role.ADVISER,)),
    ("consent.staff_requests", _l("Consent requests"), (Role.ADVISER, Role.STAFF)),
    ("booking.schedule", _l("Schedule"), (Role.ADVISER, Role.STAFF)),
    ("feedback.received", _l("Accessibility feedback"), (Role.ADMIN,)),
)


def navigation(app: Flask, user: Any) -> tuple[tuple[str, str], ...]:
    """The menu's entries (endpoint, label): a tuple of plain values, as the layout keeps it rendered."""
    if user is None:
        return ()
    if user.role == "client":
        return _existing(app, CLIENT_NAV)
    return _existing(app, _entries_for(user))


def _entries_for(user: Any) -> tuple[tuple[str, Any], ...]:
    return tuple((endpoint, label) for endpoint, label, roles in STAFF_NAV if user.has_role(*roles))


# The menu's labels in each language, translated once: the menu is on every page.
_menu_labels: dict[tuple[str, str], str] = {}


def _existing(app: Flask, entries: tuple[tuple[str, Any], ...]) -> tuple[tuple[str, str], ...]:
    locale = i18n.current_locale()
    shown = []
    for endpoint, label in entries:
        if endpoint in app.view_functions:
            text = _menu_labels.get((locale, endpoint))
            if text is None:  # the lazy label translates in the current language, which is `locale`
                text = _menu_labels[(locale, endpoint)] = str(label)
            shown.append((endpoint, text))
    return tuple(shown)


# Addresses the templates ask for, built once per mount point: a page asks for the same few
# dozen (the stylesheet, the menu, the footer, its rows' links) on every request.
URLS_KEPT = 8192
_urls: dict[tuple[Any, ...], str] = {}


def kept_url_for(endpoint: str, /, **values: Any) -> str:
    """url_for, kept for the next request that asks for the same address (templates, long lists)."""
    context = _cv_request.get(None)  # what `request` and `current_app` look up, once
    if context is None or endpoint.startswith(".") or any(name.startswith("_") for name in values):
        return current_app.url_for(endpoint, **values)  # no request, relative to the blueprint, external...
    app = context.app
    try:
        key = (id(app), context.request.script_root, endpoint, *sorted(values.items()))
        found = _urls.get(key)
    except TypeError:  # a value that cannot be a key (a list): build it every time
        return app.url_for(endpoint, **values)
    if found is None:
        if len(_urls) >= URLS_KEPT:
            _urls.clear()
        found = _urls[key] = app.url_for(endpoint, **values)
    return found


# Rows of long lists, kept rendered (fragment caching). A row is rendered from its key alone, a
# tuple of the plain values it shows, in the current language: changed data makes a different
# key, so a kept row is never out of date, and a row can only be served to someone whose own
# query returned exactly those values. The body must use nothing but the key, translations,
# addresses and the content files (loaded once per process); anything about the viewer (a form's
# token, their name) would be shown to the next. A list's rows may be kept together as well as one
# by one; what is kept is bounded by count and by size, and simply forgotten when full.
FRAGMENTS_KEPT = 4096
FRAGMENT_CHARACTERS_KEPT = 4_000_000
_fragments: dict[tuple[Any, ...], str] = {}
_kept_characters = 0


def kept_fragment(name: str, key: Iterable[Hashable], caller: Callable[[], str]) -> str:
    """`{% call kept_fragment("queue row", entry) %}…{% endcall %}`: the body, rendered once per key.

    The key's items must compare by value: plain values, tuples of them, frozen dataclasses,
    database rows (never ORM objects, which compare by identity).
    """
    global _kept_characters
    context = _cv_request.get(None)
    if context is None:
        return caller()
    kept = (name, i18n.current_locale(), context.request.script_root, *key)
    try:
        found = _fragments.get(kept)
    except TypeError:  # a value that cannot be a key (a list): render it every time
        return caller()
    if found is None:
        found = caller()
        if len(_fragments) >= FRAGMENTS_KEPT or _kept_characters + len(found) > FRAGMENT_CHARACTERS_KEPT:
            _fragments.clear()
            _kept_characters = 0
        _fragments[kept] = found
        _kept_characters += len(found)
    return found


# The template's gettext functions. Jinja's own (install_gettext_callables with newstyle) wrap them
# in functions that take the template context, and Jinja copies the whole context for such a call
# inside a loop or a block with its own variables: on a list page that copying cost more than the
# translating. These take only the evaluation context (is the output escaped?), do what Jinja's
# newstyle wrappers do (escape, then fill in the named values) and read the translations from the
# request, where i18n.translations() keeps them (force_locale included).


def _finish(eval_ctx: EvalContext, text: str, variables: dict[str, Any]) -> str:
    if not variables:  # no template writes "%%" in a text without values; Flask-Babel's gettext agrees
        return Markup(text) if eval_ctx.autoescape else text  # noqa: S704  (our own catalogs)
    if eval_ctx.autoescape:
        return Markup(text) % variables  # noqa: S704  (our own catalogs; the values are escaped)
    return text % variables


@pass_eval_context
def _gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    return _finish(eval_ctx, i18n.translations().ugettext(string), variables)


@pass_eval_context
def _ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any) -> str:
    variables.setdefault("num", num)
    return _finish(eval_ctx, i18n.translations().ungettext(singular, plural, num), variables)


@pass_eval_context
def _pgettext(eval_ctx: EvalContext, message_context: str, string: str, /, **variables: Any) -> str:
    variables.setdefault("context", message_context)
    return _finish(eval_ctx, i18n.translations().upgettext(message_context, string), variables)


@pass_eval_context
def _npgettext(
    eval_ctx: EvalContext, message_context: str, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    variables.setdefault("context", message_context)
    variables.setdefault("num", num)
    translated = i18n.translations().unpgettext(message_context, singular, plural, num)
    return _finish(eval_ctx, translated, variables)


def hidden_input(field: Any) -> Markup:
    """A WTForms hidden field's input, as its widget writes it. The widget's html_params and
    Markup.format took about 60 µs of CPU for the one hidden field of a questionnaire page."""
    named = f'id="{escape(field.id)}" name="{escape(field.name)}"'
    return Markup(f'<input {named} type="hidden" value="{escape(field._value())}">')  # noqa: S704  (escaped)


def init_app(app: Flask) -> None:
    # Flask-Babel has added Jinja's i18n extension; the newstyle flag shapes its {% trans %} tags.
    app.jinja_env.newstyle_gettext = True  # type: ignore[attr-defined]
    app.jinja_env.globals.update(
        _=_gettext, gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, npgettext=_npgettext
    )
    app.jinja_env.globals["url_for"] = kept_url_for
    app.jinja_env.globals["kept_fragment"] = kept_fragment
    app.jinja_env.globals["hidden_input"] = hidden_input
    app.before_request(i18n.share_form_translations)
    app.jinja_env.filters["local_date"] = i18n.local_date
    app.jinja_env.filters["local_datetime"] = i18n.local_datetime
    app.jinja_env.filters["local_time"] = i18n.local_time
    app.jinja_env.filters["phone"] = phone_numbers.readable
    app.jinja_env.filters["organisation"] = lambda name: organisation_name(name, i18n.current_locale())
    app.jinja_env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES

    @app.context_processor
    def layout_context() -> dict[str, Any]:
        user = current_user()
        deadline = 0
        if user is not None and isinstance(session, ServerSession):
            # Rounded up, and a second more: when the page acts on the time limit, the session has
            # surely ended on the server too (a page acting a moment early was sent back and forth
            # between the sign-in page and the home page until the session ended).
            remaining = (idle_deadline(session) - utcnow()).total_seconds()
            deadline = max(0, math.ceil(remaining)) + 1
        return {
            "current_locale": i18n.current_locale(),
            "other_locales": i18n.other_locales(),
            "current_user": user,
            "navigation": navigation(app, user),
            "session_deadline": deadline,
            "here": switch_returns_to() if request else "/",
            # In place of Flask-WTF's (the same token), which this context processor follows.
            "csrf_token": csrf_token,
        }
