"""Messages from per-language template files: an e-mail's subject, text and HTML, an SMS's text.

An e-mail's .txt file starts with a "Subject: ..." line and a blank line; the rest is the body.
The HTML file gets the subject as `subject`. Every template gets `base_url` and the params;
an appointment time given as `starts_at` (ISO 8601, UTC) also arrives as local `weekday`, `date`
and `time`. TEMPLATE_PARAMS names each message and the params it needs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from portal import resource_dir

TEMPLATES_DIR = resource_dir("templates")
LOCALES = ("fi", "sv")
HELSINKI = ZoneInfo("Europe/Helsinki")
# Finnish conventions for both languages: the Swedish spoken here writes 28.11.2026 kl. 14.30 too.
BABEL_LOCALES = {"fi": "fi_FI", "sv": "sv_FI"}
HETU_PATTERN = re.compile(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]")
TEMPLATE_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
SUBJECT_PREFIX = "Subject: "
BOOKING_PARAMS = frozenset({"path", "starts_at"})
TEMPLATE_PARAMS: dict[str, frozenset[str]] = {
    "consent_requested": frozenset({"path"}),
    "consent_revoked": frozenset({"path"}),
    "feedback_received": frozenset({"path"}),
    "questionnaire_assigned": frozenset({"path"}),
    "pathway_updated": frozenset({"path"}),
    "booking_confirmed": BOOKING_PARAMS,
    "booking_moved": BOOKING_PARAMS,
    "booking_cancelled": BOOKING_PARAMS,
    "booking_reminder": BOOKING_PARAMS,
}


class MissingTemplate(LookupError):
    """A message was asked for in a language, or under a key, that has no template file."""


class UnsafeMessage(ValueError):
    """A rendered message looked as if it carried a personal identity code."""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def template_names(channel: str, template_key: str, locale: str) -> list[str]:
    if not TEMPLATE_KEY.fullmatch(template_key) or locale not in LOCALES:
        raise MissingTemplate(f"no {channel} template {template_key!r} in {locale!r}")
    if channel == "email":
        return [f"emails/{template_key}.{locale}.txt", f"emails/{template_key}.{locale}.html"]
    if channel == "sms":
        return [f"sms/{template_key}.{locale}.txt"]
    raise ValueError(f"unknown channel {channel!r}")


def require_templates(
    channel: str, template_key: str, locale: str, templates_dir: Path = TEMPLATES_DIR
) -> None:
    """Refuse at queueing time what could never be sent."""
    for name in template_names(channel, template_key, locale):
        if not (templates_dir / name).is_file():
            raise MissingTemplate(f"template file {name} is missing")


class Renderer:
    def __init__(self, base_url: str, templates_dir: Path = TEMPLATES_DIR) -> None:
        self.base_url = base_url.rstrip("/")
        self.templates_dir = templates_dir
        self.env = Environment(
            loader=FileSystemLoader(str(templates_dir)),
            autoescape=select_autoescape(["html"]),
            # A missing value must stop the message, not send it with a hole where the link was.
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )

    def email(self, template_key: str, locale: str, params: Mapping[str, Any]) -> RenderedEmail:
        require_templates("email", template_key, locale, self.templates_dir)
        text_name, html_name = template_names("email", template_key, locale)
        context = self._context(locale, params)
        first_line, _, body = self.env.get_template(text_name).render(context).partition("\n")
        if not first_line.startswith(SUBJECT_PREFIX):
            raise MissingTemplate(f"{text_name} must start with a '{SUBJECT_PREFIX}...' line")
        subject = first_line.removeprefix(SUBJECT_PREFIX).strip()
        html = self.env.get_template(html_name).render(context, subject=subject)
        return _checked(RenderedEmail(subject=subject, text=body.lstrip("\n"), html=html))

    def sms(self, template_key: str, locale: str, params: Mapping[str, Any]) -> str:
        require_templates("sms", template_key, locale, self.templates_dir)
        (name,) = template_names("sms", template_key, locale)
        text = self.env.get_template(name).render(self._context(locale, params)).strip()
        _refuse_hetu(text)
        return text

    def _context(self, locale: str, params: Mapping[str, Any]) -> dict[str, Any]:
        context = {**params, "base_url": self.base_url}
        if "starts_at" in params:
            starts_at = datetime.fromisoformat(str(params["starts_at"])).astimezone(HELSINKI)
            babel_locale = BABEL_LOCALES[locale]
            context["weekday"] = format_date(starts_at, "cccc", locale=babel_locale)
            context["date"] = format_date(starts_at, "d.M.yyyy", locale=babel_locale)
            context["time"] = format_time(starts_at, "H.mm", locale=babel_locale, tzinfo=HELSINKI)
        return context


def _checked(message: RenderedEmail) -> RenderedEmail:
    for part in (message.subject, message.text, message.html):
        _refuse_hetu(part)
    return message


def _refuse_hetu(text: str) -> None:
    if HETU_PATTERN.search(text):
        raise UnsafeMessage("a rendered message contains what looks like a personal identity code")
