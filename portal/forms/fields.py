"""Fields the standard WTForms set lacks: a date typed as day, month and year."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from wtforms import Field
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from portal.forms import messages


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
            self.parts = {part: formdata.get(f"{self.name}-{part}", "").strip()[:8] for part in self.parts}
            self.raw_data = [value for value in self.parts.values() if value]
            self.data = None

    def pre_validate(self, form: Any) -> None:
        if not self.raw_data:
            return
        try:
            day, month, year = (int(self.parts[p]) for p in ("day", "month", "year"))
        except ValueError as error:
            raise ValidationError(str(messages.DATE_INCOMPLETE)) from error
        try:
            self.data = date(year, month, day)
        except ValueError as error:
            raise ValidationError(str(messages.DATE_IMPOSSIBLE)) from error
        if year < 1900:
            self.data = None
            raise ValidationError(str(messages.DATE_IMPOSSIBLE))

    def _value(self) -> Sequence[str]:
        return list(self.parts.values())
