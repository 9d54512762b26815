"""The accessibility feedback form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, Field, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, StopValidation

from portal.forms import messages
from portal.forms.fields import NoIdentityCode
from portal.i18n import lazy_gettext as _l

TOPICS = [
    SelectChoice("accessibility", _l("An accessibility problem")),
    SelectChoice("language", _l("Language or unclear text")),
    SelectChoice("other", _l("Something else")),
]


def _written(form: FlaskForm, field: Field) -> None:
    """Spaces and line breaks alone are no feedback: nobody could read or answer them."""
    if not (field.data or "").strip():
        raise StopValidation(str(messages.REQUIRED_MESSAGE))


class FeedbackForm(FlaskForm):
    topic = RadioField(
        _l("What is your feedback about?"),
        choices=TOPICS,
        validators=[InputRequired(message=messages.CHOOSE_TOPIC)],
        invalid_choice_message=messages.CHOOSE_TOPIC,
    )
    page = StringField(
        _l("Which page or part of the service is it about? (optional)"),
        validators=[Optional(), Length(max=300, message=messages.PAGE_TOO_LONG), NoIdentityCode()],
    )
    message = TextAreaField(
        _l("Your feedback"),
        description=_l("Tell us what did not work and what you were trying to do. At most 4,000 characters."),
        validators=[
            InputRequired(message=messages.REQUIRED_MESSAGE),
            _written,
            Length(max=4000, message=messages.MESSAGE_TOO_LONG),
            NoIdentityCode(),
        ],
    )
    reply_to = EmailField(
        _l("Your e-mail address, if you would like an answer (optional)"),
        description=_l("We answer within 14 days. We use the address only to answer you."),
        validators=[
            Optional(),
            Length(max=254, message=messages.EMAIL_TOO_LONG),
            Email(message=messages.EMAIL_INVALID, check_deliverability=False),
        ],
    )
