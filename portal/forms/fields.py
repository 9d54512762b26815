"""Fields the standard WTForms set lacks: a date typed as day, month and year; numbers posted back."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from wtforms import Field, SelectMultipleField, StringField
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Length, ValidationError

from portal.forms import messages
from portal.i18n import lazy_gettext as _l
from portal.identity import hetu

# Six digits of a date, a century sign, three digits and a check character, anywhere in a text.
_IDENTITY_CODE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Za-z](?![0-9A-Za-z])")


class NoIdentityCode:
    """Refuses a free text holding something written like a personal identity code: texts go to
    other people's screens and into messages, where a hetu must never be. The fields that ask
    for it say so in their hint; this catches it when it is written anyway."""

    def __call__(self, form: Any, field: Field) -> None:
        # Read as a code is typed in the code's own field: another dash or full-width digits too.
        if isinstance(field.data, str) and _IDENTITY_CODE_IN_TEXT.search(hetu.normalise(field.data)):
            raise ValidationError(str(messages.IDENTITY_CODE_IN_TEXT))


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes under one legend (the forms macro `checkboxes` draws it). A value the page
    did not offer gets a message of ours: WTForms' own repeats the value, in English in Finnish."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", messages.CHOICE_NOT_OFFERED)
        kwargs.setdefault("invalid_value_message", messages.CHOICE_NOT_OFFERED)
        super().__init__(*args, **kwargs)


def posted_number(value: str | None) -> int | None:
    """A whole number posted back in a hidden field; None for anything else, tampered or not.

    ASCII digits only: "²".isdigit() is true, and int("²") fails.
    """
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


MISSING_PART = {
    "day": messages.DATE_MISSING_DAY,
    "month": messages.DATE_MISSING_MONTH,
    "year": messages.DATE_MISSING_YEAR,
}


class DatePartsField(Field):
    """Three small inputs (name-day, name-month, name-year): easier on phones than a picker."""

    data: date | None

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.parts: dict[str, str] = {"day": "", "month": "", "year": ""}

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        self.process_errors: list[Any] = []
        self.raw_data: list[str] = []
        if data is unset_value or data is None:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = data if isinstance(data, date) else None
        if isinstance(self.data, date):
            self.parts = {
                "day": str(self.data.day),
                "month": str(self.data.month),
                "year": str(self.data.year),
            }
        if formdata is not None:
            # "3." as Finnish and Swedish write an ordinal day or month is the number 3.
            self.parts = {
                part: formdata.get(f"{self.name}-{part}", "").strip()[:8].rstrip(".").strip()
                for part in self.parts
            }
            self.raw_data = [value for value in self.parts.values() if value]
            self.data = None

    def pre_validate(self, form: Any) -> None:
        if not self.raw_data:
            return
        # Digits as a phone's number pad types them: int() alone would also read "1_5" as 15, and
        # Arabic-Indic or full-width digits as ours, a date other than the one shown back.
        typed = [self.parts[p] for p in ("day", "month", "year")]
        missing = next((part for part in ("day", "month", "year") if not self.parts[part]), None)
        if missing is not None:
            raise ValidationError(str(MISSING_PART[missing]))
        if not all(part.isascii() and part.isdigit() for part in typed):
            raise ValidationError(str(messages.DATE_INCOMPLETE))
        # The year first: "26" for 2026 would otherwise be told to check a day and month that are right.
        if len(self.parts["year"]) != 4:
            raise ValidationError(str(messages.DATE_YEAR_DIGITS))
        day, month, year = (int(part) for part in typed)
        if year < 1900:
            raise ValidationError(str(messages.DATE_YEAR_TOO_EARLY))
        try:
            self.data = date(year, month, day)
        except ValueError as error:
            raise ValidationError(str(messages.DATE_IMPOSSIBLE)) from error

    def _value(self) -> Sequence[str]:
        return list(self.parts.values())


class HetuField(StringField):
    """A personal identity code typed by a professional; the form says whether test codes pass."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            _l("Personal identity code"),
            # A test code: the example can never be a real person's, and a real portal refuses it.
            description=_l("For example 010190-999W. The search is recorded in the access log."),
            validators=[
                DataRequired(message=messages.HETU_REQUIRED),  # nothing but spaces is nothing
                Length(max=11, message=messages.HETU_INVALID),
            ],
            # As the code module reads it: a pasted code often brings spaces around it.
            filters=[_normalised_hetu],
            **kwargs,
        )

    def pre_validate(self, form: Any) -> None:
        allow = bool(getattr(form, "allow_test_codes", False))
        if not self.data:
            return
        try:
            hetu.validate(self.data, allow_test_codes=allow)
        except hetu.InvalidHetu as error:
            problem = {
                "check": messages.HETU_CHECK,
                "test": messages.HETU_TEST_CODE,
                "future": messages.HETU_FUTURE,
            }.get(error.reason)
            raise ValidationError(str(problem or messages.HETU_INVALID)) from None


def _normalised_hetu(value: Any) -> Any:
    return hetu.normalise(value) if isinstance(value, str) else value
