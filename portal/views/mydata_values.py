"""How the values of the data download read in its summary: times in Helsinki, codes in words.

Each function takes a value and the record it is in (some values need their neighbours: the end of
an appointment, the consent text a choice belongs to) and gives the text, a list, or groups of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from portal.content import consents as consent_content
from portal.content import pathways as pathway_content
from portal.content import questionnaires as questionnaire_content
from portal.content.appointments import appointment_type, modality_name, office
from portal.content.consents import organisation_name
from portal.i18n import current_locale, local_date, local_datetime, local_time
from portal.i18n import lazy_gettext as _l
from portal.identity.providers import ACR_RANK
from portal.phone_numbers import readable
from portal.views.mydata_labels import ROLE_LABELS, event_label
from portal.views.questionnaire import answers as shown_answers
from portal.views.questionnaire.panels import STATUS_LABELS as QUESTIONNAIRE_STATUS

Record = Mapping[str, Any]


@dataclass(frozen=True)
class Row:
    label: str
    text: str = ""
    items: tuple[str, ...] = ()  # a list of things (chosen purposes): one per line


@dataclass(frozen=True)
class Group:
    """Rows under a heading of their own (none if empty): a questionnaire's section of answers."""

    title: str
    rows: tuple[Row, ...]


Readable = str | tuple[str, ...] | list[Group] | None


def text(value: Any, record: Record) -> Readable:
    return None if value in (None, "", [], {}) else str(value)


@dataclass(frozen=True)
class Field:
    label: Any  # a lazy translated string
    show: Callable[[Any, Record], Readable] = text
    # For a list of mappings read as a whole (pathway events): the keys `show` reads; any other is
    # reported as unlabelled like a key missing from FIELDS.
    reads: frozenset[str] = field(default_factory=frozenset)


def _parsed(value: Any) -> date | datetime:
    """A stored instant: ISO text in some sections (and all of the JSON), a datetime in others."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)


def moment(value: Any, record: Record | None = None) -> Readable:
    """An instant in Helsinki time, with the time of day; a day on its own as a date."""
    if value is None:
        return None
    parsed = _parsed(value)
    return local_datetime(parsed) if isinstance(parsed, datetime) else local_date(parsed)


def day(value: Any, record: Record | None = None) -> Readable:
    """The day in Helsinki, also of an instant (a pathway started at 1.30 Finnish time began that day)."""
    return None if value is None else local_date(_parsed(value))


def yes_no(value: Any, record: Record) -> Readable:
    return str(_l("Yes") if value else _l("No"))


def named(labels: Mapping[Any, Any]) -> Callable[[Any, Record], Readable]:
    """A code in words, with the label the portal's pages use; an unknown code shows as itself."""
    return lambda value, record: None if value is None else str(labels.get(value, value))


LANGUAGES = {"fi": _l("Finnish"), "sv": _l("Swedish")}
PATHWAY_STATUS = {"active": _l("In progress"), "closed": _l("Ended")}
# The access log's purposes are the audit trail's own notes; those a client meets are put in words,
# any other is left to the JSON rather than shown in English.
PURPOSES = {
    "declined": _l("Declined"),
    "cancelled": _l("Cancelled"),
    "reminded": _l("Reminder sent"),
    "submitted": _l("Sent"),
    "reviewed": _l("Reviewed"),
    "review reopened": _l("Review opened again"),
    "moved": _l("Moved to another time"),
    "video link": _l("Video meeting link"),
    "call number": _l("Phone number for the call"),
    "interview time": _l("Time of the interview"),
    "issue a consent request": _l("Request sent"),
    "FHIR download": _l("Your answers were downloaded for the professional's system"),
    "find client by personal identity code": _l("Searched by your personal identity code"),
    "search": _l("Your name was in the results of a search"),
    "ended": _l("A professional's work with you ended"),
}


def purpose(value: Any, record: Record) -> Readable:
    if isinstance(value, str) and value.startswith("re-issue of "):
        return str(_l("Sent again as a new request"))
    return None if value not in PURPOSES else str(PURPOSES[value])


def who(value: Any, record: Record) -> Readable:
    # As the page "who has used your data" says it: the name (where shown), the role, the place.
    place = record.get("organisation")
    parts = [record.get("name"), str(ROLE_LABELS.get(value, value))]
    parts.append(organisation_name(place, current_locale()) if place else None)
    return ", ".join(part for part in parts if part)


def what(value: Any, record: Record) -> Readable:
    done = event_label(value, record["object_type"])
    return f"{done} ({_l('your name on a list')})" if record.get("on_a_list") else done


def appointment_name(value: Any, record: Record) -> Readable:
    return appointment_type(value).name[current_locale()]


def appointment_time(value: Any, record: Record) -> Readable:
    """As the appointment's own page shows it: the weekday, the date and the time from–to."""
    starts, ends = datetime.fromisoformat(value), datetime.fromisoformat(record["ends_at"])
    span = _l("at %(start)s–%(end)s", start=local_time(starts), end=local_time(ends))
    return f"{local_date(starts, 'EEEE d.M.yyyy')} {span}"


def meeting(value: Any, record: Record) -> Readable:
    place = office(record["office"]) if value == "in_person" and record.get("office") else None
    if place is None:
        return modality_name(value)
    return f"{place.name[current_locale()]}, {place.address[current_locale()]}"


def phone(value: Any, record: Record) -> Readable:
    return readable(value) or None


def valid_until(value: Any, record: Record) -> Readable:
    if record.get("revoked_at"):
        return None  # it ended when revoked ("Revoked on"); the date signed for stays in the data
    return day(value) if value else str(_l("Until your TYM client relationship ends."))


def _consent_template(record: Record) -> consent_content.ConsentTemplate:
    return consent_content.load_all()[(record["template"], record["version"])]


def purposes(value: Any, record: Record) -> Readable:
    locale, chosen = current_locale(), set(value or ())
    return tuple(p.label[locale] for p in _consent_template(record).purposes if p.key in chosen) or None


def categories(value: Any, record: Record) -> Readable:
    locale, chosen = current_locale(), set(value or ())
    return tuple(c.label[locale] for c in _consent_template(record).categories if c.key in chosen) or None


def assurance(value: Any, record: Record) -> Readable:
    level = {2: _l("substantial"), 3: _l("high")}.get(ACR_RANK.get(value or "", 0))
    return None if level is None else str(level)


def questionnaire_title(value: Any, record: Record) -> Readable:
    return _questionnaire(record).title[current_locale()]


def _questionnaire(record: Record) -> questionnaire_content.Questionnaire:
    return questionnaire_content.load_all()[(record["questionnaire"], record["version"])]


def questionnaire_status(value: Any, record: Record) -> Readable:
    if value == "draft":
        return str(QUESTIONNAIRE_STATUS["answering" if record.get("answers") else "not_started"])
    return str(QUESTIONNAIRE_STATUS["reviewed" if record.get("reviewed") else "submitted"])


def answers(value: Any, record: Record) -> Readable:
    """The questions and answers as the questionnaire's own summary shows them, section by section."""
    shown = shown_answers.sections(_questionnaire(record), value or {}, current_locale())
    return [Group(s["title"], tuple(Row(r["key"], r["value"]) for r in s["rows"])) for s in shown] or None


def events(value: Any, record: Record) -> Readable:
    """What has happened on the pathway, in the sentences of the pathway page."""
    steps = _steps(record["pathway"])
    rows = []
    for event in value:
        step = steps.get(event["step"], event["step"])
        sentence = {
            "started": _l("Your pathway started."),
            "moved": _l("Moved to the step: %(step)s.", step=step),
            "skipped": _l("This step is not needed for you: %(step)s.", step=step),
            "closed": _l("Your pathway ended."),
        }.get(event["kind"], _l("A message from your adviser."))
        note = f"\n{event['note']}" if event.get("note") else ""
        rows.append(Row(str(day(event["date"])), f"{sentence}{note}"))
    return [Group("", tuple(rows))] if rows else None


def _steps(title: str) -> dict[str, str]:
    """The step titles of the pathway the export names by its title in the language in use (the
    export carries no template key); a step of any version of it."""
    locale = current_locale()
    found: dict[str, str] = {}
    for (_key, _version), template in sorted(pathway_content.load_all().items()):
        if template.title[locale] == title:
            found.update({step.key: step.title[locale] for step in template.steps})
    return found
