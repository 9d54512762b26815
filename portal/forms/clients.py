"""Finding a client and assigning professionals."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, Length

from portal.forms import messages
from portal.forms.fields import HetuField
from portal.i18n import lazy_gettext as _l


class ClientSearchForm(FlaskForm):
    q = StringField(
        _l("Search by name or personal identity code"),
        validators=[Length(max=100, message=messages.SEARCH_TOO_LONG)],
    )


class FindClientForm(FlaskForm):
    hetu = HetuField()

    def __init__(self, *args: object, allow_test_codes: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.allow_test_codes = allow_test_codes


class AssignForm(FlaskForm):
    staff_user_id = RadioField(
        _l("Professional"),
        coerce=int,
        validators=[InputRequired(message=messages.CHOOSE_PROFESSIONAL)],
        invalid_value_message=messages.CHOOSE_PROFESSIONAL,
        invalid_choice_message=messages.CHOOSE_PROFESSIONAL,
    )
