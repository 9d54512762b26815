"""Every form error message, each a complete sentence the user can act on."""

from flask_babel import lazy_gettext as _l

REQUIRED_MESSAGE = _l("Write your message.")
MESSAGE_TOO_LONG = _l("Your message can be at most 4,000 characters long. Shorten it a little.")
CHOOSE_TOPIC = _l("Choose what your feedback is about.")
EMAIL_INVALID = _l("Enter an e-mail address in the form name@example.fi.")
EMAIL_TOO_LONG = _l("The e-mail address can be at most 254 characters long.")
PAGE_TOO_LONG = _l("The page address or name can be at most 300 characters long.")
DATE_INCOMPLETE = _l("Enter the date as day, month and year, for example 28 11 2026.")
DATE_IMPOSSIBLE = _l("The date does not exist. Check the day and the month.")
SEARCH_TOO_LONG = _l("The search can be at most 100 characters long.")
HETU_REQUIRED = _l("Enter the personal identity code.")
HETU_INVALID = _l(
    "Check the personal identity code. It has the form 150385-9013: date of birth, century sign, three digits and a check character."
)
CHOOSE_PROFESSIONAL = _l("Choose the professional.")
