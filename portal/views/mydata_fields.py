"""What each key of the data download is called in its readable summary, and how its value reads.

The JSON keeps its English keys and plain values for computers; a person reads the same data here
with the words the portal's own pages use. A key mapped to None is deliberately left out of the
summary (an internal identifier, a hash, or data another row already shows); it stays in the JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portal.i18n import lazy_gettext as _l
from portal.services.consent_seal import format_code
from portal.services.consent_status import Shown
from portal.views.booking.common import STATUS_LABELS as BOOKING_STATUS
from portal.views.consent import STATUS_LABELS as CONSENT_STATUS
from portal.views.mydata_labels import CHANNEL_LABELS, ROLE_LABELS
from portal.views.mydata_values import (
    LANGUAGES,
    PATHWAY_STATUS,
    Field,
    Record,
    answers,
    appointment_name,
    appointment_time,
    assurance,
    categories,
    day,
    events,
    meeting,
    moment,
    named,
    phone,
    purpose,
    purposes,
    questionnaire_status,
    questionnaire_title,
    valid_until,
    what,
    who,
    yes_no,
)

# Section key, or section key and the nested mapping's key: each key of a record -> its row.
FIELDS: dict[str, dict[str, Field | None]] = {
    "profile": {
        "name": Field(_l("Name")),
        "personal_identity_code": Field(_l("Personal identity code")),
        "email": Field(_l("E-mail")),
        "mobile_phone": Field(_l("Mobile phone"), phone),
        "messages_by": Field(_l("Messages"), named(CHANNEL_LABELS)),
        "language": Field(_l("Language of the messages"), named(LANGUAGES)),
        "municipality": Field(_l("Municipality")),
        "first_seen": Field(_l("In Polku since"), day),
    },
    "pathways": {
        "pathway": None,  # the record's heading
        "status": Field(_l("Status"), named(PATHWAY_STATUS)),
        "current_step": Field(_l("Current step")),
        "started": Field(_l("Start date"), day),
        "closed": Field(_l("End date"), day),
        "events": Field(_l("What has happened"), events, frozenset({"date", "kind", "step", "note"})),
    },
    "consents": {
        "consent": None,  # the record's heading
        "template": None,  # the consent text's internal key
        "version": Field(_l("Version of the consent text")),
        "status": Field(_l("Status"), lambda value, record: str(CONSENT_STATUS[Shown(value)])),
        "revoked_at": Field(_l("Revoked on"), moment),
        "requested_at": Field(_l("Request sent"), moment),
        "answer_by": Field(_l("Answer by"), day),
        "message": Field(_l("Message from the sender")),
        "reason": Field(_l("The reason you gave")),
        "signature": None,  # its rows follow, from "consents.signature"
    },
    "consents.signature": {
        "signed_at": Field(_l("Signed"), moment),
        "language": Field(_l("Language of the text"), named(LANGUAGES)),
        "text_sha256": None,  # a fingerprint of the text for checking it, not for reading
        "choices": None,  # its rows follow
        "identification": None,  # its rows follow
        "valid_until": Field(_l("Valid until"), valid_until),
        "verification_code": Field(_l("Verification code"), lambda value, record: format_code(value)),
        "seal": None,  # the electronic seal for computers; the verification code checks the same
    },
    "consents.signature.choices": {
        "purposes": Field(_l("What the information is used for"), purposes),
        "categories": Field(_l("Information the consent covers"), categories),
    },
    "consents.signature.identification": {
        "provider": None,  # the identification service's internal name
        "acr": Field(_l("Level of assurance"), assurance),
    },
    "bookings": {
        "kind": None,  # the record's heading says it
        "id": None,
        "appointment_type": None,  # the record's heading
        "offered_at": Field(_l("Offered on"), moment),
        "starts_at": Field(_l("Time"), appointment_time),
        "ends_at": None,  # in the time
        "status": Field(_l("Status"), named(BOOKING_STATUS)),
        "modality": Field(_l("Way of meeting"), meeting),
        "office": None,  # in the way of meeting
        "adviser": Field(_l("Adviser")),
        "interpreter_language": Field(_l("Language for the interpreter")),
        "accessibility_needs": Field(_l("Accessibility needs")),
        "message": Field(_l("Your message to the adviser")),
        "phone": Field(_l("Phone number for the call"), phone),
        "video_url": Field(_l("Video meeting link")),
        "booked_at": Field(_l("Booked"), moment),
        "booked_by_staff": Field(_l("Booked by a professional"), yes_no),
        "cancelled_at": Field(_l("Cancelled"), moment),
        "cancelled_by": Field(_l("Cancelled by"), named(ROLE_LABELS)),
        "cancel_reason": Field(_l("Reason for the cancellation")),
    },
    "questionnaires": {
        "questionnaire": None,  # the questionnaire's internal key; the heading is its title
        "version": None,
        "title": None,  # the record's heading
        "status": Field(_l("Status"), questionnaire_status),
        "assigned_at": Field(_l("Given to you"), moment),
        "interview_at": Field(_l("Interview"), moment),
        "submitted_at": Field(_l("Sent"), moment),
        "reviewed": None,  # in the status
        "answers": Field(_l("Your answers"), answers),
        "fhir": None,  # the same answers in the health-care exchange format, for computers
    },
    "access_log": {
        "at": None,  # the record's heading
        "actor_role": Field(_l("Who"), who),
        "name": None,  # with who
        "organisation": None,  # with who
        "action": Field(_l("What was done"), what),
        "object_type": None,  # in what was done
        "object_id": None,
        "purpose": Field(_l("Details"), purpose),
        "on_a_list": None,  # in what was done
    },
}


def _offer_or_booking(record: Record) -> str:
    name = str(appointment_name(record["appointment_type"], record))
    return name if record.get("kind") == "booking" else str(_l("Offered to you: %(type)s", type=name))


HEADINGS: dict[str, Callable[[Record], Any]] = {
    "pathways": lambda record: record["pathway"],
    "consents": lambda record: record["consent"],
    "bookings": _offer_or_booking,
    "questionnaires": lambda record: questionnaire_title(record["title"], record),
    "access_log": lambda record: moment(record["at"]),
}
