"""The client's contact details and how they want to hear from Polku."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from portal.forms import messages
from portal.i18n import lazy_gettext as _l
from portal.phone_numbers import e164, is_mobile

CHANNELS = [
    SelectChoice("email", _l("By e-mail")),
    SelectChoice("sms", _l("By text message")),
    SelectChoice("both", _l("By e-mail and text message")),
    SelectChoice("none", _l("I do not want messages. I check Polku myself.")),
]
# Each language named in itself, marked so (a screen reader reads "svenska" in Swedish on a Finnish page).
LANGUAGES = [
    SelectChoice("fi", "suomi", render_kw={"lang": "fi"}),
    SelectChoice("sv", "svenska", render_kw={"lang": "sv"}),
]


class ContactForm(FlaskForm):
    email = EmailField(
        _l("E-mail address (optional)"),
        validators=[
            Optional(),
            Length(max=254, message=messages.EMAIL_TOO_LONG),
            Email(message=messages.EMAIL_INVALID, check_deliverability=False),
        ],
    )
    phone = StringField(
        _l("Mobile phone number (optional)"),
        description=_l("For example 040 123 4567 or +358 40 123 4567."),
        validators=[Optional(), Length(max=30, message=messages.PHONE_INVALID)],
    )
    notify_by = RadioField(
        _l("How do you want to be told that something is waiting for you in Polku?"),
        description=_l(
            "The message only says that something is waiting. It never contains health information."
        ),
        choices=CHANNELS,
        validators=[InputRequired(message=messages.CHOOSE_CHANNEL)],
        invalid_choice_message=messages.CHOOSE_CHANNEL,
    )
    locale = RadioField(
        _l("Language of the messages"),
        choices=LANGUAGES,
        validators=[InputRequired(message=messages.CHOOSE_LANGUAGE)],
        invalid_choice_message=messages.CHOOSE_LANGUAGE,
    )

    def validate_phone(self, field: StringField) -> None:
        if field.data and e164(field.data) is None:
            raise ValidationError(str(messages.PHONE_INVALID))

    def validate(self, extra_validators: Any = None) -> bool:
        """The way of hearing chosen needs its address: the error goes to the field to fill in."""
        valid: bool = super().validate(extra_validators)
        wanted = self.notify_by.data
        if wanted in ("email", "both") and not self.email.errors and not (self.email.data or "").strip():
            self.email.errors.append(str(messages.CHANNEL_NEEDS_EMAIL))
            valid = False
        if wanted in ("sms", "both") and not self.phone.errors:
            if not (self.phone.data or "").strip():
                self.phone.errors.append(str(messages.CHANNEL_NEEDS_PHONE))
                valid = False
            elif not is_mobile(self.phone.data or ""):
                self.phone.errors.append(str(messages.PHONE_NOT_MOBILE))
                valid = False
        return valid

    def cleaned(self) -> dict[str, Any]:
        return {
            "email": (self.email.data or "").strip() or None,
            "phone": e164(self.phone.data) if self.phone.data else None,
            "notify_by": self.notify_by.data,
            "locale": self.locale.data,
        }
