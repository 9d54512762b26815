"""Every form error message, each a complete sentence the user can act on."""

from portal.i18n import lazy_gettext as _l

REQUIRED_MESSAGE = _l("Write your feedback.")
MESSAGE_TOO_LONG = _l("Your feedback can be at most 4,000 characters long. Shorten it a little.")
CHOOSE_TOPIC = _l("Choose what your feedback is about.")
EMAIL_INVALID = _l("Enter an e-mail address in the form name@example.fi.")
EMAIL_TOO_LONG = _l("The e-mail address can be at most 254 characters long.")
PAGE_TOO_LONG = _l("The page address or name can be at most 300 characters long.")
DATE_INCOMPLETE = _l("Enter the date as day, month and year, for example 28 11 2026.")
DATE_IMPOSSIBLE = _l("The date does not exist. Check the day and the month.")
DATE_YEAR_DIGITS = _l("Write the year with four digits, for example 2026.")
DATE_YEAR_TOO_EARLY = _l("Check the year. It cannot be before 1900.")
SEARCH_TOO_LONG = _l("The search can be at most 100 characters long.")
HETU_REQUIRED = _l("Enter the personal identity code.")
HETU_INVALID = _l(
    "Check the personal identity code. It has the form 010190-999W: date of birth, century sign, three digits and a check character."
)
HETU_CHECK = _l(
    "Check the personal identity code: its last character does not match the rest. A digit may have been typed wrong."
)
IDENTITY_CODE_IN_TEXT = _l(
    "Remove the personal identity code from the text. It is not needed here, and others would see it."
)
DATE_MISSING_DAY = _l("The date has no day. Enter the day as a number, for example 28.")
DATE_MISSING_MONTH = _l("The date has no month. Enter the month as a number, for example 11.")
DATE_MISSING_YEAR = _l("The date has no year. Enter the year with four digits, for example 2026.")
CONFIRM_CLOSE = _l(
    "Tick the box to confirm that the pathway closes. A closed pathway cannot be opened again."
)
INTERVIEW_DATE_PAST = _l("The interview date has already passed. Enter today or a later day.")
INTERVIEW_DATE_TOO_FAR = _l("The interview date can be at most a year from today. Check the year.")
HETU_FUTURE = _l(
    "Check the personal identity code: the date of birth it gives is after today. "
    "Check the century sign too: usually a hyphen for those born in the 1900s and A for the 2000s."
)
HETU_TEST_CODE = _l(
    "This is a test code (its three digits are 900 to 999), which belongs to no one. Check the personal identity code."
)
CHOOSE_PROFESSIONAL = _l("Choose the professional.")
NOTE_TOO_LONG = _l("The note can be at most 2,000 characters long.")
NOTE_REQUIRED = _l("Write the note.")
DATE_REQUIRED = _l("Enter the date.")
CHOOSE_PATHWAY = _l("Choose the pathway.")
CHOOSE_STEP = _l("Choose the step.")
CHOOSE_OUTCOME = _l("Choose the outcome.")
DATE_IN_FUTURE = _l("The date cannot be in the future. Enter today or an earlier date.")
PATHWAY_DATE_BEFORE_LAST_STEP = _l(
    "The date cannot be before the last change of step on %(date)s. Enter that day or a later one."
)
PATHWAY_START_BEFORE_LAST_CLOSE = _l(
    "The date cannot be before the previous pathway closed on %(date)s. Enter that day or a later one."
)
PATHWAY_DATE_BEFORE_START = _l(
    "The date cannot be before the pathway began on %(began)s. Enter that day or a later one."
)
PATHWAY_START_TOO_EARLY = _l("The start date can be at most two years ago.")
PHONE_INVALID = _l("Enter a mobile phone number, for example 040 123 4567 or +358 40 123 4567.")
CHOOSE_CHANNEL = _l("Choose how you want to be told about new things in Polku.")
CHOOSE_LANGUAGE = _l("Choose the language of the messages.")
CHANNEL_NEEDS_EMAIL = _l("To get e-mail, enter your e-mail address.")
CHANNEL_NEEDS_PHONE = _l("To get text messages, enter your mobile phone number.")
PHONE_NOT_MOBILE = _l(
    "Text messages can only be sent to a mobile phone. Enter a mobile phone number, for example 040 123 4567."
)
# Booking
CHOOSE_MODALITY = _l("Choose how you want to meet.")
CHOOSE_INTERPRETER = _l("Choose whether you need an interpreter.")
CALL_NUMBER_REQUIRED = _l("Write the phone number the adviser can call you at.")
CALL_NUMBER_INVALID = _l("Enter a phone number, for example 040 123 4567 or +358 40 123 4567.")
INTERPRETER_LANGUAGE_REQUIRED = _l("Write the language you need an interpreter for.")
INTERPRETER_LANGUAGE_TOO_LONG = _l("The language can be at most 60 characters long.")
# The same, said to a professional booking for the client.
STAFF_CHOOSE_MODALITY = _l("Choose how the client wants to meet.")
STAFF_CHOOSE_INTERPRETER = _l("Choose whether the client needs an interpreter.")
STAFF_CALL_NUMBER_REQUIRED = _l("Write the phone number the adviser can call the client at.")
STAFF_INTERPRETER_LANGUAGE_REQUIRED = _l("Write the language the client needs an interpreter for.")
NEEDS_TOO_LONG = _l("The text can be at most 1,000 characters long. Shorten it a little.")
CANCEL_REASON_REQUIRED = _l("Write the reason for the cancellation. The client will see it.")
CANCEL_REASON_TOO_LONG = _l("The reason can be at most 500 characters long.")
CHOOSE_APPOINTMENT_TYPE = _l("Choose the appointment type.")
CHOOSE_AVAILABILITY_KIND = _l("Choose whether you publish one time or weekly times.")
CHOICE_NOT_OFFERED = _l("Choose only from the options on the page.")
CHOOSE_MEETING_WAYS = _l("Choose at least one way of meeting.")
MEETING_WAYS_NOT_OFFERED = _l("Choose only ways of meeting this appointment type offers: %(ways)s.")
CHOOSE_OFFICE = _l("Choose the office for meetings in person.")
CHOOSE_WEEKDAYS = _l("Choose at least one weekday.")
TIME_INVALID = _l("Enter the time as hours and minutes, for example 9.30.")
ENDS_AFTER_MIDNIGHT = _l("The appointment must end by midnight. Choose an earlier start time.")
END_BEFORE_START = _l("The end time must be after the start time.")
UNTIL_BEFORE_FROM = _l("The last day must be on or after the first day.")
RANGE_TOO_LONG = _l("Publish at most one year at a time.")
DATE_IN_PAST = _l("The date must be today or later.")
PUBLISH_TOO_FAR = _l("You can publish times at most one year ahead. Enter an earlier date.")
BLOCK_TOO_FAR = _l("You can block days at most one year ahead. Enter an earlier date.")
REASON_TOO_LONG = _l("The reason can be at most 200 characters long.")
MEETING_LINK_INVALID = _l("Enter the meeting link as a full address that starts with https://.")
MEETING_LINK_TOO_LONG = _l("The meeting link can be at most 500 characters long.")
CHOOSE_BOOKING_OUTCOME = _l("Choose whether the appointment took place.")
# Questionnaire pages: one message per kind of answer, since the questions come from the definitions.
QUESTION_WRITE_ANSWER = _l("Write your answer to the question.")
QUESTION_ENTER_NUMBER = _l("Enter a number.")
QUESTION_CHOOSE_ONE = _l("Choose one of the options.")
QUESTION_CHOOSE_SOME = _l("Choose at least one option.")
QUESTION_CHOOSE_ON_SCALE = _l("Choose a number on the scale.")
QUESTION_NOT_AN_OPTION = _l("Choose from the options shown on the page.")
QUESTION_EXCLUSIVE = _l("Choose either “%(option)s” or one or more of the other options, not both.")
QUESTION_TOO_LONG = _l(
    "The answer can be at most %(max)s characters long, and it now has %(count)s. Shorten it."
)
QUESTION_NUMBER_INVALID = _l("Enter a whole number using digits, for example 3.")
QUESTION_NUMBER_RANGE = _l("Enter a number from %(min)s to %(max)s.")
QUESTION_NUMBER_MIN = _l("Enter a number that is %(min)s or more.")
QUESTION_NUMBER_MAX = _l("Enter a number that is %(max)s or less.")
CHOOSE_QUESTIONNAIRE = _l("Choose the questionnaire.")
INTERVIEW_TIME_INVALID = _l("Enter the time as hours and minutes, for example 14.30.")
INTERVIEW_TIME_WITHOUT_DATE = _l("Enter the date of the interview too, or leave the time empty.")
# Consent
CONSENT_CHOOSE_TEMPLATE = _l("Choose the consent you are asking for.")
CONSENT_MESSAGE_TOO_LONG = _l("The message can be at most 1,000 characters long. Shorten it a little.")
CONSENT_DUE_REQUIRED = _l("Enter the date by which the client should answer.")
CONSENT_DUE_IN_PAST = _l("The answer date cannot be in the past. Enter today or a later date.")
CONSENT_DUE_TOO_FAR = _l("The answer date can be at most 6 months from today.")
CONSENT_REASON_TOO_LONG = _l("The reason can be at most 1,000 characters long. Shorten it a little.")
CONSENT_CODE_REQUIRED = _l("Enter the verification code from the receipt.")
CONSENT_CODE_INVALID = _l(
    "Check the verification code. It has 12 letters and numbers, for example 7KQ2-M9XD-4HTA."
)
