"""Consent forms: issuing a request, signing with the optional choices, declining, revoking, verifying."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.content.consents import ConsentTemplate
from portal.forms import messages
from portal.forms.fields import DatePartsField, HetuField, MultiCheckboxField, NoIdentityCode
from portal.i18n import lazy_gettext as _l
from portal.services.consent_seal import CODE_LENGTH, normalise_code

LATEST_DUE = timedelta(days=183)


class IssueForm(FlaskForm):
    template = RadioField(
        _l("Which consent are you asking for?"),
        validators=[InputRequired(message=messages.CONSENT_CHOOSE_TEMPLATE)],
        invalid_choice_message=messages.CONSENT_CHOOSE_TEMPLATE,
    )
    message = TextAreaField(
        _l("Message to the client (optional)"),
        description=_l("Shown with the request. Do not write health information here."),
        validators=[
            Optional(),
            Length(max=1000, message=messages.CONSENT_MESSAGE_TOO_LONG),
            NoIdentityCode(),
        ],
    )
    due_on = DatePartsField(
        _l("Answer by"),
        description=_l("The client can sign until the end of this day. For example 28 12 2026."),
    )

    def __init__(self, *args: Any, templates: list[ConsentTemplate], locale: str, today: date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.today = today
        self.template.choices = [(t.key, t.title_for_staff[locale]) for t in templates]

    def validate_due_on(self, field: DatePartsField) -> None:
        if field.data is None:
            raise ValidationError(str(messages.CONSENT_DUE_REQUIRED))
        if field.data < self.today:
            raise ValidationError(str(messages.CONSENT_DUE_IN_PAST))
        if field.data > self.today + LATEST_DUE:
            raise ValidationError(str(messages.CONSENT_DUE_TOO_FAR))


class IssueByHetuForm(IssueForm):
    hetu = HetuField()

    def __init__(self, *args: Any, allow_test_codes: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allow_test_codes = allow_test_codes
        # The identity code first, as a professional reads the page.
        self._fields.move_to_end("hetu", last=False)


class SignForm(FlaskForm):
    purposes = MultiCheckboxField(
        _l("Optional purposes"),
        description=_l("Tick the ones you agree to. You can leave them all unticked."),
    )
    categories = MultiCheckboxField(
        _l("Optional information"),
        description=_l("Tick the ones you agree to be exchanged. You can leave them all unticked."),
    )
    text_locale = HiddenField()
    text_sha256 = HiddenField()

    def __init__(self, *args: Any, template: ConsentTemplate, locale: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.purposes.choices = [(p.key, p.label[locale]) for p in template.purposes if p.optional]
        self.categories.choices = [
            (c.key, f"{c.label[locale]}: {c.description[locale]}" if c.description else c.label[locale])
            for c in template.categories
            if c.optional
        ]


class ReasonForm(FlaskForm):
    """Declining or revoking: a reason is welcome but never required."""

    reason = TextAreaField(
        _l("Reason (optional)"),
        description=_l("You do not have to give a reason. At most 1,000 characters."),
        validators=[Optional(), Length(max=1000, message=messages.CONSENT_REASON_TOO_LONG), NoIdentityCode()],
    )


class VerifyForm(FlaskForm):
    code = StringField(
        _l("Verification code"),
        description=_l("You find it on the receipt, for example 7KQ2-M9XD-4HTA."),
        validators=[
            InputRequired(message=messages.CONSENT_CODE_REQUIRED),
            Length(max=40, message=messages.CONSENT_CODE_INVALID),
        ],
    )

    def validate_code(self, field: StringField) -> None:
        if len(normalise_code(field.data or "")) != CODE_LENGTH:
            raise ValidationError(str(messages.CONSENT_CODE_INVALID))
