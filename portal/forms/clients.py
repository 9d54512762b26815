"""Finding a client and assigning professionals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from portal.forms import messages
from portal.identity import hetu


class ClientSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(
        _l("Search by name or personal identity code"),
        validators=[Length(max=100, message=messages.SEARCH_TOO_LONG)],
    )


class FindClientForm(FlaskForm):
    hetu = StringField(
        _l("Personal identity code"),
        description=_l("For example 150385-9013. The search is recorded in the access log."),
        validators=[
            InputRequired(message=messages.HETU_REQUIRED),
            Length(max=11, message=messages.HETU_INVALID),
        ],
    )

    def __init__(self, *args: object, allow_test_codes: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.allow_test_codes = allow_test_codes

    def validate_hetu(self, field: StringField) -> None:
        if not hetu.is_valid(field.data or "", allow_test_codes=self.allow_test_codes):
            raise ValidationError(str(messages.HETU_INVALID))


class AssignForm(FlaskForm):
    staff_user_id = SelectField(
        _l("Professional"), coerce=int, validators=[InputRequired(message=messages.CHOOSE_PROFESSIONAL)]
    )
