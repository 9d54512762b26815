"""Questionnaire pages as WTForms classes built from the definition, and the professionals' forms."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from flask_babel import format_number
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation, ValidationError

from portal.content.questionnaires import Item, Questionnaire, is_answered, load_all
from portal.forms import messages
from portal.forms.fields import DatePartsField, NoIdentityCode, posted_number
from portal.i18n import HELSINKI, today
from portal.i18n import lazy_gettext as _l

# Names the page form itself uses; an item with one of these ids could not be told apart.
RESERVED_NAMES = frozenset({"csrf_token", "answers_version", "action", "return_to"})
ACTIONS = ("continue", "back", "save_later")
NOTE_MAX_LENGTH = 2000
# Digits only, as typed on a phone keypad; int() alone would also take Arabic-Indic or full-width digits.
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,9}", re.ASCII)
CLOCK_TIME = re.compile(r"([01]?[0-9]|2[0-3])[.:]([0-5][0-9])", re.ASCII)


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes: the macros know this field by its class name."""


class Answer:
    """Requires an answer on "Continue"; "Back" and "Save and continue later" save what there is."""

    def __init__(self, item: Item) -> None:
        self.item = item

    def __call__(self, form: PageForm, field: Field) -> None:
        if _typed(field):
            return
        field.errors[:] = []
        if self.item.required and form.enforce_required:
            raise StopValidation(str(_required_message(self.item)))
        raise StopValidation()


def _typed(field: Field) -> bool:
    if isinstance(field, DatePartsField):
        return bool(field.raw_data)
    return is_answered(field.data)


def _required_message(item: Item) -> Any:
    return {
        "text": messages.QUESTION_WRITE_ANSWER,
        "textarea": messages.QUESTION_WRITE_ANSWER,
        "integer": messages.QUESTION_ENTER_NUMBER,
        "date": messages.DATE_REQUIRED,
        "multiple": messages.QUESTION_CHOOSE_SOME,
        "scale": messages.QUESTION_CHOOSE_ON_SCALE,
    }.get(item.type, messages.QUESTION_CHOOSE_ONE)


class Past:
    """A date that has happened (the content's `past = true`): today in Helsinki or earlier."""

    def __call__(self, form: PageForm, field: Field) -> None:
        if isinstance(field.data, date) and field.data > today():
            raise StopValidation(str(messages.DATE_IN_FUTURE))


class Valid:
    """The typed answer fits the item: its length, its range, its options."""

    def __init__(self, item: Item) -> None:
        self.item = item

    def __call__(self, form: PageForm, field: Field) -> None:
        item = self.item
        if item.type in ("text", "textarea"):
            written = len(field.data.replace("\r\n", "\n").strip())
            if written > (item.max_length or 0):
                shown = {"max": format_number(item.max_length or 0), "count": format_number(written)}
                raise ValidationError(str(messages.QUESTION_TOO_LONG) % shown)
        elif item.type == "integer":
            _check_number(item, field.data)
        elif item.type == "multiple":
            chosen = list(field.data)
            if any(item.option(value) is None for value in chosen) or len(set(chosen)) != len(chosen):
                raise ValidationError(str(messages.QUESTION_NOT_AN_OPTION))
            exclusive = next((o for o in item.options if o.exclusive and o.value in chosen), None)
            if exclusive is not None and len(chosen) > 1:
                option = exclusive.label[_locale_of(form)]
                raise ValidationError(str(messages.QUESTION_EXCLUSIVE) % {"option": option})
        elif field.data not in {choice.value for choice in field.iter_choices()}:
            raise ValidationError(str(messages.QUESTION_NOT_AN_OPTION))


def _check_number(item: Item, typed: str) -> None:
    text = typed.strip()
    if not WHOLE_NUMBER.fullmatch(text):
        raise ValidationError(str(messages.QUESTION_NUMBER_INVALID))
    number = int(text)
    low, high = item.min, item.max
    too_low, too_high = low is not None and number < low, high is not None and number > high
    if not (too_low or too_high):
        return
    shown = {"min": format_number(low or 0), "max": format_number(high or 0)}
    if low is not None and high is not None:
        message = messages.QUESTION_NUMBER_RANGE
    else:
        message = messages.QUESTION_NUMBER_MIN if too_low else messages.QUESTION_NUMBER_MAX
    raise ValidationError(str(message) % shown)


def _locale_of(form: PageForm) -> str:
    return form.locale


class PageForm(FlaskForm):
    """One page of a questionnaire; the fields are added per page by page_form_class()."""

    answers_version = HiddenField()
    locale = "fi"
    items: tuple[Item, ...] = ()

    def __init__(self, *args: Any, enforce_required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enforce_required = enforce_required

    def item_fields(self) -> Iterable[tuple[Item, Field]]:
        return ((item, self[_attribute(item)]) for item in self.items)

    def posted_version(self) -> int | None:
        return posted_number(self.answers_version.data)

    def answers(self) -> dict[str, object | None]:
        """The answers of a validated form; None for an item left unanswered."""
        return {item.id: _answer(item, field) for item, field in self.item_fields()}

    def answers_that_passed(self, saved: Mapping[str, object]) -> dict[str, object | None]:
        """After a failed validation: the answers that passed, and for each that did not, the one
        saved before (its field keeps what was typed, to be corrected)."""
        return {
            item.id: saved.get(item.id) if field.errors else _answer(item, field)
            for item, field in self.item_fields()
        }

    def allowed_names(self) -> set[str]:
        """Every name a browser may post with this page."""
        names = set(RESERVED_NAMES)
        for item in self.items:
            parts = ("day", "month", "year") if item.type == "date" else ()
            names.update([f"{item.id}-{part}" for part in parts] or [item.id])
        return names


def _attribute(item: Item) -> str:
    # The Python attribute; the HTML name and id stay the item id, like FHIR's linkId.
    return f"item__{item.id}"


def _answer(item: Item, field: Field) -> object | None:
    if not _typed(field):
        return None
    if item.type in ("text", "textarea"):
        text = str(field.data).replace("\r\n", "\n").strip()
        return text or None
    if item.type in ("integer", "scale"):
        return int(str(field.data).strip())
    if item.type == "date":
        return field.data.isoformat() if isinstance(field.data, date) else None
    if item.type == "multiple":
        chosen = set(field.data)
        return [option.value for option in item.options if option.value in chosen]
    return str(field.data)


def form_data(items: Iterable[Item], answers: Mapping[str, object]) -> dict[str, Any]:
    """Saved answers as the data a page form starts from."""
    data: dict[str, Any] = {}
    for item in items:
        value = answers.get(item.id)
        if value is None:
            continue
        if item.type == "date" and isinstance(value, str):
            data[_attribute(item)] = date.fromisoformat(value)
        elif item.type == "multiple":
            data[_attribute(item)] = list(value) if isinstance(value, list | tuple) else [value]
        else:
            data[_attribute(item)] = str(value)
    return data


def page_form_class(questionnaire: Questionnaire, page_id: str, items: tuple[Item, ...], locale: str) -> type:
    """The form for the items shown on a page, labelled in the current language."""
    return _page_form_class(
        questionnaire.key, questionnaire.version, page_id, tuple(item.id for item in items), locale
    )


@lru_cache(maxsize=512)
def _page_form_class(key: str, version: int, page_id: str, item_ids: tuple[str, ...], locale: str) -> type:
    questionnaire = load_all()[(key, version)]
    items = tuple(questionnaire.item(item_id) for item_id in item_ids)
    fields: dict[str, Any] = {"locale": locale, "items": items}
    for item in items:
        if item.id in RESERVED_NAMES:
            raise ValueError(f"item id {item.id!r} is reserved by the page form")
        fields[_attribute(item)] = _field(item, locale)
    return type(f"{page_id.title().replace('_', '')}Form", (PageForm,), fields)


def _field(item: Item, locale: str) -> Any:
    label = item.label[locale]
    if not item.required:
        # "Tell us in your own words (optional)", not "... words. (optional)".
        label = _("%(question)s (optional)", question=label.removesuffix("."))
    hint = item.hint[locale] if item.hint else ""
    if item.type in ("text", "textarea") and item.max_length:
        # Said before it is reached, not only in the error once it has been.
        limit = _("At most %(max)s characters.", max=format_number(item.max_length))
        hint = f"{hint} {limit}" if hint else limit
    options: dict[str, Any] = {
        "description": hint,
        "validators": _validators(item),
        "name": item.id,
    }
    if item.type == "textarea":
        return TextAreaField(label, **options)
    if item.type in ("text", "integer"):
        return StringField(label, **options)
    if item.type == "date":
        return DatePartsField(label, **options)
    if item.type == "multiple":
        choices = [SelectChoice(option.value, option.label[locale]) for option in item.options]
        return MultiCheckboxField(label, choices=choices, validate_choice=False, **options)
    return RadioField(label, choices=_choices(item, locale), validate_choice=False, **options)


def _validators(item: Item) -> list[Any]:
    if item.type == "date":
        return [Answer(item), Past()] if item.past else [Answer(item)]
    return [Answer(item), Valid(item)]


def _choices(item: Item, locale: str) -> list[SelectChoice]:
    if item.type == "yesno":
        return [SelectChoice("yes", _("Yes")), SelectChoice("no", _("No"))]
    if item.type == "scale":
        low, high = item.min or 0, item.max or 0
        ends = {
            number: text[locale] for number, text in ((low, item.min_label), (high, item.max_label)) if text
        }
        return [
            SelectChoice(
                str(number),
                _("%(number)s: %(meaning)s", number=number, meaning=ends[number])
                if number in ends
                else str(number),
            )
            for number in range(low, high + 1)
        ]
    return [SelectChoice(option.value, option.label[locale]) for option in item.options]


class SubmitForm(FlaskForm):
    """The check-your-answers page: sends the answers as they were when the page was shown."""

    answers_version = HiddenField()

    def posted_version(self) -> int | None:
        return posted_number(self.answers_version.data)


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class NoteForm(FlaskForm):
    text = TextAreaField(
        _l("New note"),
        filters=[_stripped],
        description=_l("Only professionals see the notes. The client does not see them."),
        validators=[
            DataRequired(message=messages.NOTE_REQUIRED),
            Length(max=NOTE_MAX_LENGTH, message=messages.NOTE_TOO_LONG),
            NoIdentityCode(),
        ],
    )


class ReviewForm(FlaskForm):
    review_version = HiddenField()

    def posted_version(self) -> int | None:
        return posted_number(self.review_version.data)


class QueueFilterForm(FlaskForm):
    show = RadioField(
        _l("Show"),
        choices=[
            SelectChoice("all", _l("All answers, those to review first")),
            SelectChoice("unreviewed", _l("Only those to review")),
            SelectChoice("reviewed", _l("Only reviewed")),
        ],
        default="all",
        validate_choice=False,
    )
    q = StringField(
        _l("Client's name"),
        validators=[Optional(), Length(max=100, message=messages.SEARCH_TOO_LONG)],
    )

    def shown(self) -> str:
        return self.show.data if self.show.data in ("unreviewed", "reviewed") else "all"


class AssignQuestionnaireForm(FlaskForm):
    questionnaire = RadioField(
        _l("Questionnaire"),
        validators=[InputRequired(message=messages.CHOOSE_QUESTIONNAIRE)],
        invalid_choice_message=messages.CHOOSE_QUESTIONNAIRE,
    )
    interview_date = DatePartsField(
        _l("Date of the interview (optional)"),
        description=_l("The answers are ordered by the interview date in the advisers' review queue."),
    )
    interview_time = StringField(
        _l("Time of the interview (optional)"),
        description=_l("For example 14.30."),
        validators=[Optional(), Length(max=5, message=messages.INTERVIEW_TIME_INVALID)],
    )

    def validate_interview_date(self, field: DatePartsField) -> None:
        # The interview is still to come, and within the year a rehabilitation interview is booked in.
        if field.data is not None and field.data < today():
            raise ValidationError(str(messages.INTERVIEW_DATE_PAST))
        if field.data is not None and field.data > today() + timedelta(days=366):
            raise ValidationError(str(messages.INTERVIEW_DATE_TOO_FAR))

    def validate_interview_time(self, field: StringField) -> None:
        if not CLOCK_TIME.fullmatch((field.data or "").strip()):
            raise ValidationError(str(messages.INTERVIEW_TIME_INVALID))
        if self.interview_date.data is None and not self.interview_date.raw_data:
            raise ValidationError(str(messages.INTERVIEW_TIME_WITHOUT_DATE))

    def interview_at(self) -> datetime | None:
        """The interview as an aware time; a date alone means the start of the working day."""
        day = self.interview_date.data
        if day is None:
            return None
        match = CLOCK_TIME.fullmatch((self.interview_time.data or "").strip())
        clock = time(int(match.group(1)), int(match.group(2))) if match else time(8, 0)
        return datetime.combine(day, clock, tzinfo=HELSINKI)
