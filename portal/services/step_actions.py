"""Whether the client has done what the current step of their pathway asks: a consent, answers, a time.

The step stays where it is until a professional moves the pathway on; meanwhile the client's pages
should not keep asking for a consent already given or answers already sent, nor send them to a
consent or questionnaire that has not been issued to them yet.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from portal.content.appointments import appointment_type
from portal.content.pathways import Action
from portal.i18n import today
from portal.models import (
    Booking,
    Client,
    ConsentRequest,
    ConsentStatus,
    QuestionnaireResponse,
    ResponseStatus,
)
from portal.services.booking.bookings import may_book
from portal.services.reads import prepared, read_values


class ActionState(StrEnum):
    OPEN = "open"  # waiting for the client: the link leads to it
    DONE = "done"  # given, sent or booked
    NOT_YET = "not_yet"  # nothing issued to the client yet
    NOT_GIVEN = "not_given"  # a consent asked for and declined, revoked, let expire or cancelled


def action_state(db: Session, client: Client, action: Action) -> ActionState:
    if action.kind == "consent":
        return _consent(db, client, action.target)
    if action.kind == "questionnaire":
        return _questionnaire(db, client, action.target)
    return _booking(db, client, action.target)


def _consent(db: Session, client: Client, template_key: str) -> ActionState:
    params = {"client_id": client.id, "key": template_key}
    requests = read_values(db, _consent_requests(), params).all()
    on = today()
    if any(status == ConsentStatus.PENDING and due_on >= on for status, due_on in requests):
        return ActionState.OPEN
    if any(status == ConsentStatus.SIGNED for status, _due_on in requests):
        return ActionState.DONE
    return ActionState.NOT_GIVEN if requests else ActionState.NOT_YET


def _questionnaire(db: Session, client: Client, key: str) -> ActionState:
    params = {"client_id": client.id, "key": key}
    statuses = set(read_values(db, _response_statuses(), params).scalars())
    if ResponseStatus.DRAFT in statuses:
        return ActionState.OPEN
    return ActionState.DONE if ResponseStatus.SUBMITTED in statuses else ActionState.NOT_YET


def _booking(db: Session, client: Client, type_key: str) -> ActionState:
    params = {"client_id": client.id, "key": type_key}
    if read_values(db, _booked(), params).first() is not None:
        return ActionState.DONE
    try:
        kind = appointment_type(type_key)
    except KeyError:
        return ActionState.NOT_YET
    return ActionState.OPEN if may_book(db, client, kind) else ActionState.NOT_YET


# The client's home and pathway pages ask one of these on every visit: built once, run prepared.


@prepared
def _consent_requests() -> Select[tuple[str, date]]:
    return select(ConsentRequest.status, ConsentRequest.due_on).where(
        ConsentRequest.client_id == bindparam("client_id"), ConsentRequest.template_key == bindparam("key")
    )


@prepared
def _response_statuses() -> Select[tuple[str]]:
    return select(QuestionnaireResponse.status).where(
        QuestionnaireResponse.client_id == bindparam("client_id"),
        QuestionnaireResponse.questionnaire_key == bindparam("key"),
    )


@prepared
def _booked() -> Select[tuple[int]]:
    return (
        select(Booking.id)
        .where(
            Booking.client_id == bindparam("client_id"),
            Booking.appointment_type == bindparam("key"),
            Booking.status.in_(("booked", "done")),
        )
        .limit(1)
    )
