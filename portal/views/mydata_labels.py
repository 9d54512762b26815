"""What the client's data pages and the download's summary call roles, actions and kinds of data."""

from __future__ import annotations

from typing import Any

from portal.i18n import lazy_gettext as _l

ROLE_LABELS = {
    "adviser": _l("Adviser"),
    "staff": _l("Social or employment professional"),
    "admin": _l("Main user"),
    "system": _l("Polku system"),
    # Only the download lists the client's own actions and those of people not signed in.
    "client": _l("You"),
    "anonymous": _l("Someone who had not signed in"),
}
ACTION_LABELS = {
    "view": _l("Viewed"),
    "create": _l("Created"),
    "change": _l("Changed"),
    "delete": _l("Deleted"),
    "sign": _l("Signed"),
    "revoke": _l("Revoked"),
    "export": _l("Exported"),
    "failed-authorisation": _l("Tried without permission"),
    "sign-in": _l("Signed in"),
    "sign-out": _l("Signed out"),
}
# Object types are named by each feature; a prefix is enough to say what kind of data it was.
OBJECT_LABELS = (
    ("client", _l("Your basic information")),
    ("contact", _l("Your contact details")),
    ("pathway", _l("Your pathway")),
    ("consent", _l("Your consents")),
    ("questionnaire", _l("Your questionnaire answers")),
    ("booking", _l("Your appointments")),
    ("slot", _l("Your appointments")),
    ("appointment", _l("Your appointments")),
    ("data_export", _l("Your data download")),
)
# Entries that "what was done: to which data" would misname (an assignment is no change to the
# client's basic information), said whole.
EVENT_LABELS = {
    ("sign-in", "session"): _l("Signed in to Polku"),
    ("sign-out", "session"): _l("Signed out of Polku"),
    ("create", "questionnaire_response"): _l("You were sent a questionnaire to answer"),
    ("create", "client_assignment"): _l("A professional was assigned to work with you"),
    ("change", "client_assignment"): _l("A professional's work with you ended"),
    ("create", "appointment_offer"): _l("You were offered the chance to book an appointment"),
    # "Revoked" alone is the consent's status ("Suostumus peruttu"): said whole, not "…: Your consents".
    ("revoke", "consent_request"): _l("A consent was revoked"),
}
CHANNEL_LABELS = {
    "email": _l("By e-mail"),
    "sms": _l("By text message"),
    "both": _l("By e-mail and text message"),
    "none": _l("No messages"),
}


def object_label(object_type: str) -> Any:
    return next(
        (label for prefix, label in OBJECT_LABELS if object_type.startswith(prefix)), _l("Your information")
    )


def event_label(action: str, object_type: str) -> str:
    whole = EVENT_LABELS.get((action, object_type))
    if whole is not None:
        return str(whole)
    return f"{ACTION_LABELS.get(action, action)}: {object_label(object_type)}"
