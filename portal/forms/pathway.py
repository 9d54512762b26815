"""Forms for moving a client's pathway; the step choices come from the pathway template."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from portal.content.pathways import PathwayTemplate
from portal.forms import messages
from portal.forms.fields import DatePartsField, NoIdentityCode, posted_number
from portal.i18n import lazy_gettext as _l
from portal.i18n import local_date, today

# A pathway entered in Polku after it had begun may be dated back this far, and no further.
EARLIEST_START = timedelta(days=731)

OUTCOME_LABELS = {
    "rehabilitation_completed": _l("Rehabilitation completed"),
    "employed_or_studying": _l("Found work or a study place"),
    "other_service": _l("Continues in another service"),
    "not_eligible": _l("Kela rehabilitation was not granted"),
    "client_declined": _l("The client chose not to continue"),
    "moved_away": _l("Moved out of the area"),
    "other": _l("Other reason"),
}


def _note(label: object) -> TextAreaField:
    return TextAreaField(
        label, validators=[Length(max=2000, message=messages.NOTE_TOO_LONG), NoIdentityCode()]
    )


def _date() -> DatePartsField:
    return DatePartsField(
        _l("Date"), validators=[InputRequired(message=messages.DATE_REQUIRED)], default=today
    )


def _not_in_future(field: DatePartsField) -> None:
    # The date says when the change happened: the client reads "Moved to the step" under it.
    if field.data is not None and field.data > today():
        raise ValidationError(str(messages.DATE_IN_FUTURE))


class NoteFields(FlaskForm):
    note = _note(_l("Note (optional)"))
    note_for_client = BooleanField(
        _l("Show the note to the client"),
        description=_l(
            "Write notes meant for the client in plain language. Other notes are seen only by professionals."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "note" not in vars(type(self)):
            # The note comes after the form's own fields on the page: so in the error summary too.
            for name in ("note", "note_for_client"):
                self._fields[name] = self._fields.pop(name)


class StartPathwayForm(NoteFields):
    template = RadioField(
        _l("Pathway"),
        validators=[InputRequired(message=messages.CHOOSE_PATHWAY)],
        invalid_choice_message=messages.CHOOSE_PATHWAY,
    )
    effective_on = _date()

    def __init__(self, *args: Any, not_before: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.not_before = not_before  # the day the client's previous pathway closed, if any

    def validate_effective_on(self, field: DatePartsField) -> None:
        _not_in_future(field)
        if field.data is not None and field.data < today() - EARLIEST_START:
            raise ValidationError(str(messages.PATHWAY_START_TOO_EARLY))
        if field.data is not None and self.not_before is not None and field.data < self.not_before:
            closed = local_date(self.not_before, "d.M.yyyy")
            raise ValidationError(str(messages.PATHWAY_START_BEFORE_LAST_CLOSE) % {"date": closed})


class VersionedForm(NoteFields):
    """A change to a pathway that has begun: dated from the day it began until today."""

    version = HiddenField()
    # A change of step (a move, a skip, the close) is not dated before the last one; a note may be.
    follows_last_step = True

    def __init__(self, *args: Any, began: date, last_step_on: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.began = began
        self.last_step_on = last_step_on

    def posted_version(self) -> int:
        """The version the page was made from; 0, which no pathway has, for anything tampered."""
        return posted_number(self.version.data) or 0

    def validate_effective_on(self, field: DatePartsField) -> None:
        _not_in_future(field)
        if field.data is not None and field.data < self.began:
            began = local_date(self.began, "d.M.yyyy")
            raise ValidationError(str(messages.PATHWAY_DATE_BEFORE_START) % {"began": began})
        if self.follows_last_step and field.data is not None and field.data < self.last_step_on:
            last = local_date(self.last_step_on, "d.M.yyyy")
            raise ValidationError(str(messages.PATHWAY_DATE_BEFORE_LAST_STEP) % {"date": last})


class MoveForm(VersionedForm):
    step = RadioField(
        _l("Move to step"),
        validators=[InputRequired(message=messages.CHOOSE_STEP)],
        invalid_choice_message=messages.CHOOSE_STEP,
    )
    effective_on = _date()


class SkipForm(VersionedForm):
    step = RadioField(
        _l("Step to skip"),
        validators=[InputRequired(message=messages.CHOOSE_STEP)],
        invalid_choice_message=messages.CHOOSE_STEP,
    )
    effective_on = _date()


class NoteForm(VersionedForm):
    follows_last_step = False
    note = TextAreaField(
        _l("Note"),
        validators=[
            DataRequired(message=messages.NOTE_REQUIRED),  # also a note of only spaces
            Length(max=2000, message=messages.NOTE_TOO_LONG),
            NoIdentityCode(),
        ],
    )
    effective_on = _date()


class CloseForm(VersionedForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=[SelectChoice(key, label) for key, label in OUTCOME_LABELS.items()],
        validators=[InputRequired(message=messages.CHOOSE_OUTCOME)],
        invalid_choice_message=messages.CHOOSE_OUTCOME,
    )
    effective_on = _date()
    # Closing is final: a ticked box, not one click of a button that sits below the form.
    confirmed = BooleanField(
        _l("I understand that a closed pathway cannot be opened again."),
        validators=[DataRequired(message=messages.CONFIRM_CLOSE)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fields["confirmed"] = self._fields.pop("confirmed")  # last, after the note


def step_choices(
    template: PathwayTemplate, locale: str, *, skippable_only: bool = False
) -> list[SelectChoice]:
    return [
        SelectChoice(step.key, step.title[locale])
        for step in template.steps
        if step.skippable or not skippable_only
    ]
