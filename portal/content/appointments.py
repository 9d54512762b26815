"""Appointment types and offices: what advisers publish times for and where they meet clients."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from portal.content import CONTENT_DIR, ContentError
from portal.content.consents import Reader, Texts
from portal.content.pathways import APPOINTMENT_TYPES
from portal.i18n import lazy_gettext as _l

APPOINTMENTS_FILE = CONTENT_DIR / "appointments.toml"
MODALITIES = ("phone", "video", "in_person")
# Their names for every page, form and calendar file: translated when shown, in the language then in use.
MODALITY_LABELS = {"phone": _l("By phone"), "video": _l("By video"), "in_person": _l("In person")}
BOOKABLE_BY = ("network", "offered")
MUNICIPALITIES = ("Hyvinkää", "Järvenpää", "Mäntsälä", "Nurmijärvi", "Pornainen", "Tuusula")
DEFAULT_CUTOFF_HOURS = 24


def modality_name(key: str) -> str:
    """The name of a way of meeting in the language in use; an unknown key shows as itself."""
    return str(MODALITY_LABELS.get(key, key))


@dataclass(frozen=True)
class AppointmentType:
    key: str
    name: Texts
    description: Texts
    duration_minutes: int
    modalities: tuple[str, ...]
    buffer_before_minutes: int
    buffer_after_minutes: int
    min_notice_hours: int
    bookable_days_ahead: int
    cancel_cutoff_hours: int
    bookable_by: str

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer_before(self) -> timedelta:
        return timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)

    @property
    def min_notice(self) -> timedelta:
        return timedelta(hours=self.min_notice_hours)

    @property
    def cutoff(self) -> timedelta:
        return timedelta(hours=self.cancel_cutoff_hours)


@dataclass(frozen=True)
class Office:
    key: str
    municipality: str
    name: Texts
    address: Texts
    accessibility: Texts


@dataclass(frozen=True)
class Catalogue:
    types: dict[str, AppointmentType]
    offices: dict[str, Office]


_TYPE_FIELDS = (
    "key", "name", "description", "duration_minutes", "modalities", "buffer_before_minutes",
    "buffer_after_minutes", "min_notice_hours", "bookable_days_ahead", "cancel_cutoff_hours", "bookable_by",
)  # fmt: skip


def _minutes(entry: Reader, field: str, *, default: int | None = None, positive: bool = False) -> int:
    value = entry.data.get(field, default)
    if type(value) is not int or value < (1 if positive else 0):
        entry.problem(f"{field} must be a {'positive' if positive else 'non-negative'} whole number")
        return 0
    return value


def _type(entry: Reader) -> AppointmentType:
    entry.only(*_TYPE_FIELDS)
    modalities = entry.data.get("modalities")
    if (
        not isinstance(modalities, list)
        or not modalities
        or any(m not in MODALITIES for m in modalities)
        or len(set(modalities)) != len(modalities)
    ):
        entry.problem(f"modalities must be a list of {', '.join(MODALITIES)} without repeats")
        modalities = []
    bookable_by = entry.data.get("bookable_by")
    if bookable_by not in BOOKABLE_BY:
        entry.problem(f"bookable_by must be one of {', '.join(BOOKABLE_BY)}")
    return AppointmentType(
        key=entry.key(),
        name=entry.texts("name"),
        description=entry.texts("description"),
        duration_minutes=_minutes(entry, "duration_minutes", positive=True),
        modalities=tuple(m for m in MODALITIES if m in modalities),
        buffer_before_minutes=_minutes(entry, "buffer_before_minutes", default=0),
        buffer_after_minutes=_minutes(entry, "buffer_after_minutes", default=0),
        min_notice_hours=_minutes(entry, "min_notice_hours", default=0),
        bookable_days_ahead=_minutes(entry, "bookable_days_ahead", positive=True),
        cancel_cutoff_hours=_minutes(entry, "cancel_cutoff_hours", default=DEFAULT_CUTOFF_HOURS),
        bookable_by=str(bookable_by),
    )


def _office(entry: Reader) -> Office:
    entry.only("key", "municipality", "name", "address", "accessibility")
    municipality = entry.data.get("municipality")
    if municipality not in MUNICIPALITIES:
        entry.problem(f"municipality must be one of {', '.join(MUNICIPALITIES)}")
    return Office(
        key=entry.key(),
        municipality=str(municipality),
        name=entry.texts("name"),
        address=entry.texts("address"),
        accessibility=entry.texts("accessibility"),
    )


def parse(text: str, name: str, problems: list[str]) -> Catalogue:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{name}: {error}")
        return Catalogue({}, {})
    file = Reader(data, name, problems)
    file.only("version", "type", "office")
    if type(data.get("version")) is not int:
        file.problem("version must be a whole number")
    types = [_type(entry) for entry in file.tables("type")]
    offices = [_office(entry) for entry in file.tables("office")]
    for kind, keys in (("type", [t.key for t in types]), ("office", [o.key for o in offices])):
        for key in sorted({key for key in keys if keys.count(key) > 1}):
            file.problem(f"duplicate {kind} {key!r}")
    missing = [key for key in APPOINTMENT_TYPES if key not in {t.key for t in types}]
    if missing:
        file.problem(f"the pathways name appointment types that are missing: {', '.join(missing)}")
    if not offices:
        file.problem("needs at least one [[office]]")
    return Catalogue({t.key: t for t in types}, {o.key: o for o in offices})


def check_appointments(path: Path = APPOINTMENTS_FILE) -> list[str]:
    """Every problem in the appointment types and offices, for `flask content check`."""
    problems: list[str] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [f"{path.name}: {error}"]
    parse(text, path.name, problems)
    return problems


@cache
def catalogue(path: Path = APPOINTMENTS_FILE) -> Catalogue:
    problems: list[str] = []
    loaded = parse(path.read_text(encoding="utf-8"), path.name, problems)
    if problems:
        raise ContentError("; ".join(problems))
    return loaded


def appointment_type(key: str) -> AppointmentType:
    """KeyError for a key that is not (or no longer) a type."""
    return catalogue().types[key]


def office(key: str) -> Office:
    return catalogue().offices[key]
