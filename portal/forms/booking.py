"""Booking forms: the client's choices and needs, and the adviser's availability, cancellations and links."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.content.appointments import MODALITY_LABELS, appointment_type
from portal.forms import messages
from portal.forms.fields import DatePartsField, MultiCheckboxField, NoIdentityCode
from portal.i18n import lazy_gettext as _l
from portal.phone_numbers import e164, readable
from portal.services.booking.availability import FURTHEST_AHEAD
from portal.services.booking.times import parse_clock

WEEKDAY_LABELS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
MAX_RANGE_DAYS = 366


def call_number_field() -> Any:
    """The number the adviser calls, asked for right after the way of meeting."""
    return StringField(
        _l("Phone number for the call"),
        description=_l("Needed if you want to meet by phone. For example 040 123 4567."),
    )


def check_call_number(
    modality: str | None, field: StringField, required: Any = messages.CALL_NUMBER_REQUIRED
) -> None:
    if modality != "phone":
        return  # only a phone call needs a number; one typed for another way of meeting is not kept
    if not (field.data or "").strip():
        raise ValidationError(str(required))
    if e164(field.data or "") is None:
        raise ValidationError(str(messages.CALL_NUMBER_INVALID))


def call_number(form: BookingForm | MoveForm) -> str | None:
    """The validated number in E.164 when the meeting is by phone, else None."""
    return e164(form.phone.data or "") if form.modality.data == "phone" else None


def offer_call_number(form: BookingForm | MoveForm | CallNumberForm, known: str | None) -> None:
    """Fill in the number Polku already has, unless the form came with one (sent, or kept over a timeout)."""
    if form.phone.data is None:
        form.phone.data = readable(known)


class BookingForm(FlaskForm):
    modality = RadioField(
        _l("How do you want to meet?"),
        validators=[InputRequired(message=messages.CHOOSE_MODALITY)],
        invalid_choice_message=messages.CHOOSE_MODALITY,
    )
    phone = call_number_field()
    interpreter = RadioField(
        _l("Do you need an interpreter?"),
        choices=[SelectChoice("no", _l("No")), SelectChoice("yes", _l("Yes"))],
        default="no",
        validators=[InputRequired(message=messages.CHOOSE_INTERPRETER)],
        invalid_choice_message=messages.CHOOSE_INTERPRETER,
    )
    interpreter_language = StringField(
        _l("Language for the interpreter"),
        description=_l("Fill in only if you need an interpreter. For example: Arabic, sign language."),
        validators=[Length(max=60, message=messages.INTERPRETER_LANGUAGE_TOO_LONG), NoIdentityCode()],
    )
    accessibility = TextAreaField(
        _l("Accessibility needs (optional)"),
        description=_l(
            "For example a wheelchair, a hearing loop or more time. Only the adviser sees this. "
            "At most 1,000 characters."
        ),
        validators=[Length(max=1000, message=messages.NEEDS_TOO_LONG), NoIdentityCode()],
    )
    message = TextAreaField(
        _l("Message to the adviser (optional)"),
        description=_l("Anything you want the adviser to know before you meet. At most 1,000 characters."),
        validators=[Length(max=1000, message=messages.NEEDS_TOO_LONG), NoIdentityCode()],
    )

    # Said to the client; a professional's form says them about the client.
    number_required: Any = messages.CALL_NUMBER_REQUIRED
    language_required: Any = messages.INTERPRETER_LANGUAGE_REQUIRED

    def validate_phone(self, field: StringField) -> None:
        check_call_number(self.modality.data, field, self.number_required)

    def validate_interpreter_language(self, field: StringField) -> None:
        if self.interpreter.data == "yes" and not (field.data or "").strip():
            raise ValidationError(str(self.language_required))


class MoveForm(FlaskForm):
    # The time the page showed as the current one: a move sent from an older page is not made unseen.
    seen = HiddenField()
    modality = RadioField(
        _l("How do you want to meet?"),
        validators=[InputRequired(message=messages.CHOOSE_MODALITY)],
        invalid_choice_message=messages.CHOOSE_MODALITY,
    )
    phone = call_number_field()
    number_required: Any = messages.CALL_NUMBER_REQUIRED

    def validate_phone(self, field: StringField) -> None:
        check_call_number(self.modality.data, field, self.number_required)

    def seen_slot_id(self) -> int | None:
        seen = (self.seen.data or "").strip()
        return int(seen) if seen.isdigit() and len(seen) < 12 else None


class StaffBookingForm(BookingForm):
    """The same choices, asked of a professional booking for the client: about the client."""

    modality = RadioField(
        _l("How does the client want to meet?"),
        validators=[InputRequired(message=messages.STAFF_CHOOSE_MODALITY)],
        invalid_choice_message=messages.STAFF_CHOOSE_MODALITY,
    )
    phone = StringField(
        _l("Phone number for the call"),
        description=_l("The number the client answers, if you meet by phone. For example 040 123 4567."),
    )
    interpreter = RadioField(
        _l("Does the client need an interpreter?"),
        choices=[SelectChoice("no", _l("No")), SelectChoice("yes", _l("Yes"))],
        default="no",
        validators=[InputRequired(message=messages.STAFF_CHOOSE_INTERPRETER)],
        invalid_choice_message=messages.STAFF_CHOOSE_INTERPRETER,
    )
    interpreter_language = StringField(
        _l("Language the client needs an interpreter for"),
        description=_l(
            "Fill in only if the client needs an interpreter. For example: Arabic, sign language."
        ),
        validators=[Length(max=60, message=messages.INTERPRETER_LANGUAGE_TOO_LONG), NoIdentityCode()],
    )
    accessibility = TextAreaField(
        _l("Accessibility needs (optional)"),
        description=_l("For example a wheelchair, a hearing loop or more time."),
        validators=[Length(max=1000, message=messages.NEEDS_TOO_LONG), NoIdentityCode()],
    )
    message = TextAreaField(
        _l("Note for the adviser (optional)"),
        description=_l("Anything the adviser should know before the meeting."),
        validators=[Length(max=1000, message=messages.NEEDS_TOO_LONG), NoIdentityCode()],
    )

    number_required = messages.STAFF_CALL_NUMBER_REQUIRED
    language_required = messages.STAFF_INTERPRETER_LANGUAGE_REQUIRED


class StaffMoveForm(MoveForm):
    modality = StaffBookingForm.modality
    phone = StaffBookingForm.phone
    number_required = messages.STAFF_CALL_NUMBER_REQUIRED


class CallNumberForm(FlaskForm):
    """Another number for a call already booked."""

    phone = StringField(_l("Phone number for the call"), description=_l("For example 040 123 4567."))
    number_required: Any = messages.CALL_NUMBER_REQUIRED

    def validate_phone(self, field: StringField) -> None:
        check_call_number("phone", field, self.number_required)

    def number(self) -> str:
        """The validated number, in E.164."""
        return e164(self.phone.data or "") or ""


class StaffCallNumberForm(CallNumberForm):
    number_required = messages.STAFF_CALL_NUMBER_REQUIRED


def set_modalities(form: BookingForm | MoveForm, modalities: list[str]) -> None:
    form.modality.choices = [SelectChoice(key, MODALITY_LABELS[key]) for key in modalities]
    if form.modality.data is None and len(modalities) == 1:
        form.modality.data = modalities[0]


class ConfirmForm(FlaskForm):
    """A button only: the CSRF token is the form."""


class StaffCancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the cancellation"),
        description=_l("The client sees this in Polku. Do not write health information."),
        validators=[
            DataRequired(message=messages.CANCEL_REASON_REQUIRED),  # nothing but spaces is nothing
            Length(max=500, message=messages.CANCEL_REASON_TOO_LONG),
            NoIdentityCode(),
        ],
    )


class OutcomeForm(FlaskForm):
    outcome = RadioField(
        _l("Did the appointment take place?"),
        choices=[
            SelectChoice("done", _l("Yes, it took place")),
            SelectChoice("no_show", _l("No, the client did not come or did not answer")),
        ],
        validators=[InputRequired(message=messages.CHOOSE_BOOKING_OUTCOME)],
        invalid_choice_message=messages.CHOOSE_BOOKING_OUTCOME,
    )


class VideoLinkForm(FlaskForm):
    video_url = StringField(
        _l("Video meeting link"),
        description=_l("The client sees the link on the appointment's page in Polku."),
        validators=[Optional(), Length(max=500, message=messages.MEETING_LINK_TOO_LONG), NoIdentityCode()],
    )

    def validate_video_url(self, field: StringField) -> None:
        value = (field.data or "").strip()
        if value and (not value.startswith("https://") or " " in value or len(value) < 12):
            raise ValidationError(str(messages.MEETING_LINK_INVALID))


class OfferForm(FlaskForm):
    appointment_type = RadioField(
        _l("Appointment type to offer"),
        validators=[InputRequired(message=messages.CHOOSE_APPOINTMENT_TYPE)],
        invalid_choice_message=messages.CHOOSE_APPOINTMENT_TYPE,
    )


class BlockDayForm(FlaskForm):
    day = DatePartsField(_l("The day to block"), validators=[InputRequired(message=messages.DATE_REQUIRED)])
    reason = StringField(
        _l("Reason (optional)"),
        description=_l("For example a holiday or training. Clients do not see this."),
        validators=[Length(max=200, message=messages.REASON_TOO_LONG), NoIdentityCode()],
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def validate_day(self, field: DatePartsField) -> None:
        if field.data is not None and field.data < self.today:
            raise ValidationError(str(messages.DATE_IN_PAST))
        if field.data is not None and field.data > self.today + FURTHEST_AHEAD:
            raise ValidationError(str(messages.BLOCK_TOO_FAR))


class PublishForm(FlaskForm):
    kind = RadioField(
        _l("What do you publish?"),
        choices=[
            SelectChoice("weekly", _l("Weekly times for a date range")),
            SelectChoice("one_off", _l("One time")),
        ],
        default="weekly",
        validators=[InputRequired(message=messages.CHOOSE_AVAILABILITY_KIND)],
        invalid_choice_message=messages.CHOOSE_AVAILABILITY_KIND,
    )
    appointment_type = RadioField(
        _l("Appointment type"),
        validators=[InputRequired(message=messages.CHOOSE_APPOINTMENT_TYPE)],
        invalid_choice_message=messages.CHOOSE_APPOINTMENT_TYPE,
    )
    modalities = MultiCheckboxField(
        _l("Ways of meeting"),
        description=_l("The client chooses one of these when booking."),
        validators=[InputRequired(message=messages.CHOOSE_MEETING_WAYS)],
        invalid_choice_message=messages.CHOOSE_MEETING_WAYS,
    )
    office = RadioField(
        _l("Office for meetings in person"),
        description=_l("Needed when you offer meetings in person."),
        validate_choice=False,
    )
    valid_from = DatePartsField(
        _l("First day"),
        description=_l("For one time, the day of the appointment."),
        validators=[InputRequired(message=messages.DATE_REQUIRED)],
    )
    valid_until = DatePartsField(_l("Last day"), description=_l("For weekly times only."))
    weekdays = MultiCheckboxField(
        _l("Weekdays"),
        coerce=int,
        choices=[SelectChoice(number, label) for number, label in enumerate(WEEKDAY_LABELS)],
        description=_l("For weekly times only."),
        invalid_choice_message=messages.CHOOSE_WEEKDAYS,
        invalid_value_message=messages.CHOOSE_WEEKDAYS,
    )
    start_time = StringField(
        _l("Start time"),
        description=_l("Hours and minutes, for example 9.00."),
        validators=[InputRequired(message=messages.TIME_INVALID)],
    )
    end_time = StringField(
        _l("End time"),
        description=_l("Weekly times: times are made from the start until this time."),
    )

    # The page has two dates, and a message about a date does not say which: the summary names it
    # always, whether one of them is wrong or both (macros/forms.html, error_summary).
    named_in_summary = ("valid_from", "valid_until")

    def __init__(
        self, *args: Any, today: date, offered_modalities: dict[str, tuple[str, ...]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.offered_modalities = offered_modalities  # the ways each appointment type allows

    def validate_office(self, field: RadioField) -> None:
        keys = {str(choice.value) for choice in field.choices or []}
        if field.data and field.data not in keys:
            raise ValidationError(str(messages.CHOOSE_OFFICE))
        if "in_person" in (self.modalities.data or []) and not field.data:
            raise ValidationError(str(messages.CHOOSE_OFFICE))

    def validate_modalities(self, field: MultiCheckboxField) -> None:
        offered = self.offered_modalities.get(self.appointment_type.data or "")
        if offered is not None and not set(field.data or []) <= set(offered):
            ways = ", ".join(f"”{MODALITY_LABELS[key]}”" for key in offered)
            raise ValidationError(str(messages.MEETING_WAYS_NOT_OFFERED) % {"ways": ways})

    def validate_weekdays(self, field: MultiCheckboxField) -> None:
        if self.kind.data == "weekly" and not field.data:
            raise ValidationError(str(messages.CHOOSE_WEEKDAYS))

    def validate_valid_from(self, field: DatePartsField) -> None:
        if field.data is not None and field.data < self.today:
            raise ValidationError(str(messages.DATE_IN_PAST))
        if field.data is not None and field.data > self.today + FURTHEST_AHEAD:
            raise ValidationError(str(messages.PUBLISH_TOO_FAR))

    def validate_valid_until(self, field: DatePartsField) -> None:
        if self.kind.data != "weekly":
            return
        if field.data is None:
            raise ValidationError(str(messages.DATE_REQUIRED))
        first = self.valid_from.data
        if first is not None and field.data < first:
            raise ValidationError(str(messages.UNTIL_BEFORE_FROM))
        if first is not None and (field.data - first).days > MAX_RANGE_DAYS:
            raise ValidationError(str(messages.RANGE_TOO_LONG))
        if field.data > self.today + FURTHEST_AHEAD:
            raise ValidationError(str(messages.PUBLISH_TOO_FAR))

    def validate_start_time(self, field: StringField) -> None:
        start = parse_clock(field.data or "")
        if start is None:
            raise ValidationError(str(messages.TIME_INVALID))
        if self.kind.data == "one_off" and self.appointment_type.data in self.offered_modalities:
            minutes = appointment_type(self.appointment_type.data).duration_minutes
            if start.hour * 60 + start.minute + minutes > 24 * 60:
                raise ValidationError(str(messages.ENDS_AFTER_MIDNIGHT))

    def validate_end_time(self, field: StringField) -> None:
        if self.kind.data != "weekly":
            return
        end = parse_clock(field.data or "")
        if end is None:
            raise ValidationError(str(messages.TIME_INVALID))
        start = parse_clock(self.start_time.data or "")
        if start is not None and end <= start:
            raise ValidationError(str(messages.END_BEFORE_START))

    @property
    def start(self) -> time:
        parsed = parse_clock(self.start_time.data or "")
        if parsed is None:
            raise ValueError("validate the form before reading its times")
        return parsed

    @property
    def end(self) -> time | None:
        return parse_clock(self.end_time.data or "") if self.kind.data == "weekly" else None
