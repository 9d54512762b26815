"""Assigning a questionnaire to a client, and the client saving it page by page and sending it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Select, Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.content.questionnaires import (
    Page,
    Questionnaire,
    is_answered,
    is_possible_answer,
    latest,
    next_page,
    page_index,
    previous_page,
    prune_hidden,
    visible_items,
    visible_pages,
)
from portal.models import Client, QuestionnaireResponse, ResponseStatus
from portal.models.base import in_text, utcnow
from portal.services.audit import Actor, record_access
from portal.services.outbox import notify_client
from portal.services.questionnaire.drafts import (
    CHECK_PAGE,
    PRE_INTERVIEW,
    SAVED,
    START,
    AlreadySubmitted,
    Draft,
    DraftChanged,
    Incomplete,
    PageNotShown,
    definition,
    missing_pages,
    read_draft,
    seal_draft,
)
from portal.services.reads import prepared, read_values


def assign_questionnaire(
    db: Session,
    actor: Actor,
    client: Client,
    *,
    key: str = PRE_INTERVIEW,
    interview_at: datetime | None = None,
    booking_id: int | None = None,
) -> QuestionnaireResponse:
    """Give the client the newest version to answer, and tell them; an open one is kept, not doubled."""
    questionnaire = latest(key)
    existing = _open_draft(db, client.id, key)
    if existing is not None:
        return _reschedule(db, actor, existing, interview_at, booking_id)
    if interview_at is None and booking_id is None and key == PRE_INTERVIEW:
        # The client has booked the interview already: the questionnaire tells its time from the start.
        booked = _booked_interview(db, client.id)
        if booked is not None:
            booking_id, interview_at = booked
    response = QuestionnaireResponse(
        client_id=client.id,
        questionnaire_key=questionnaire.key,
        questionnaire_version=questionnaire.version,
        assigned_by_id=actor.id if actor.role in ("adviser", "staff", "admin") else None,
        interview_at=interview_at,
        booking_id=booking_id,
    )
    db.add(response)
    try:
        db.flush()
    except IntegrityError:  # assigned by someone else at the same moment
        db.rollback()
        found = _open_draft(db, client.id, key)
        if found is None:
            raise
        return found
    notify_client(
        db,
        client,
        template_key="questionnaire_assigned",
        params={"path": "/questionnaires"},
        idempotency_key=f"questionnaire-assigned:{response.id}",
    )
    record_access(
        db,
        actor=actor,
        action="create",
        object_type="questionnaire_response",
        object_id=response.id,
        client_id=client.id,
    )
    db.commit()
    return response


def _open_draft(db: Session, client_id: int, key: str) -> QuestionnaireResponse | None:
    return db.scalar(
        select(QuestionnaireResponse).where(
            QuestionnaireResponse.client_id == client_id,
            QuestionnaireResponse.questionnaire_key == key,
            QuestionnaireResponse.status == ResponseStatus.DRAFT,
        )
    )


def _reschedule(
    db: Session,
    actor: Actor,
    response: QuestionnaireResponse,
    interview_at: datetime | None,
    booking_id: int | None,
) -> QuestionnaireResponse:
    if interview_at is None and booking_id is None:
        return response
    if interview_at is not None:
        response.interview_at = interview_at
    if booking_id is not None:
        response.booking_id = booking_id
    record_access(
        db,
        actor=actor,
        action="change",
        object_type="questionnaire_response",
        object_id=response.id,
        client_id=response.client_id,
        purpose="interview time",
    )
    db.commit()
    return response


# The appointment the pre-interview questionnaire is answered before.
INTERVIEW_TYPE = "rehabilitation_interview"


def _booked_interview(db: Session, client_id: int) -> tuple[int, datetime] | None:
    """The client's coming interview booked: its id and time."""
    # Here, not at the top: the booking service imports this module to follow the interview.
    from portal.services.booking.bookings import current_booking_time

    found = current_booking_time(db, client_id, INTERVIEW_TYPE)
    return (found.id, found.starts_at) if found is not None and found.starts_at > utcnow() else None


def follow_interview(db: Session, booking_id: int, client_id: int, starts_at: datetime | None) -> None:
    """The client's interview was booked or moved (`starts_at`), or cancelled (None): the questionnaire
    that waits for it says the same time. Part of the booking's own transaction; the caller commits.

    Booked or moved: the client's pre-interview questionnaires not yet reviewed take the time (the
    answers are not touched, so one already sent may too). Cancelled: those that had this
    booking's time have none."""
    responses = QuestionnaireResponse
    if starts_at is None:
        chosen = responses.booking_id == booking_id
    else:
        chosen = (responses.questionnaire_key == PRE_INTERVIEW) & responses.reviewed_at.is_(None)
    db.execute(
        update(responses)
        .where(responses.client_id == client_id, chosen)
        .values(interview_at=starts_at, booking_id=booking_id if starts_at is not None else None),
        execution_options={"synchronize_session": False},
    )


# --- Answering ----------------------------------------------------------------------------


def save_page(
    db: Session,
    response: QuestionnaireResponse,
    page_id: str,
    page_answers: Mapping[str, object | None],
    *,
    expected_version: int | None,
    action: str = "continue",
    returning: bool = False,
) -> str:
    """Store one page's answers, unless the draft moved on meanwhile; returns where the client goes.

    The answer is a page id, CHECK_PAGE, START (back from the first page) or SAVED (stopping for
    now). Answers to items the page does not show stay in the draft: a client who changes an
    earlier answer back finds them again. They are dropped at submit.
    """
    _require_draft(response, expected_version)
    questionnaire = definition(response)
    draft = read_draft(response)
    page = questionnaire.page(page_id)
    if page not in visible_pages(questionnaire, draft.answers):
        raise PageNotShown(page_id)
    answers = _with_page_answers(questionnaire, page, draft.answers, page_answers)
    seen = draft.seen if page_id in draft.seen else (*draft.seen, page_id)
    destination = _destination(questionnaire, page_id, answers, seen, action, returning)
    resume_at = page_id if destination in (START, SAVED) else destination
    _claim(
        db,
        response,
        expected_version,
        content_encrypted=seal_draft(response.id, Draft(answers, resume_at, seen)),
    )
    db.commit()
    return destination


def _with_page_answers(
    questionnaire: Questionnaire,
    page: Page,
    answers: Mapping[str, Any],
    page_answers: Mapping[str, object | None],
) -> dict[str, Any]:
    shown = {item.id: item for item in visible_items(page, prune_hidden(questionnaire, answers))}
    if set(page_answers) - set(shown):
        raise ValueError("answers to items this page does not show")
    merged = dict(answers)
    for item_id, item in shown.items():
        value = page_answers.get(item_id)
        if not is_answered(value):
            merged.pop(item_id, None)
            continue
        values = value if item.type == "multiple" and isinstance(value, list) else [value]
        if not all(is_possible_answer(item, one) for one in values):
            raise ValueError(f"{item_id}: not a possible answer")
        merged[item_id] = value
    return merged


def _destination(
    questionnaire: Questionnaire,
    page_id: str,
    answers: Mapping[str, Any],
    seen: tuple[str, ...],
    action: str,
    returning: bool,
) -> str:
    if action == "save_later":
        return SAVED
    if action == "back":
        if returning:
            return CHECK_PAGE
        before = previous_page(questionnaire, answers, page_id)
        return before.id if before else START
    if returning:
        # A changed answer may have opened pages the client has never seen: ask those first.
        index = page_index(questionnaire)
        unseen = next(
            (
                page
                for page in visible_pages(questionnaire, answers)
                if index[page.id] > index[page_id] and page.id not in seen
            ),
            None,
        )
        return unseen.id if unseen else CHECK_PAGE
    after = next_page(questionnaire, answers, page_id)
    return after.id if after else CHECK_PAGE


def submit(
    db: Session, actor: Actor, response: QuestionnaireResponse, *, expected_version: int | None
) -> None:
    """Send the answers that count; from here on the response never changes."""
    _require_draft(response, expected_version)
    questionnaire = definition(response)
    answers = prune_hidden(questionnaire, read_draft(response).answers)
    missing = missing_pages(questionnaire, answers)
    if missing:
        raise Incomplete(missing)
    _claim(
        db,
        response,
        expected_version,
        content_encrypted=seal_draft(response.id, Draft(answers)),
        status=ResponseStatus.SUBMITTED,
        submitted_at=utcnow(),
    )
    record_access(
        db,
        actor=actor,
        action="change",
        object_type="questionnaire_response",
        object_id=response.id,
        client_id=response.client_id,
        purpose="submitted",
    )
    db.commit()


def _require_draft(response: QuestionnaireResponse, expected_version: int | None) -> None:
    if not response.is_draft:
        raise AlreadySubmitted()
    if expected_version != response.version:
        raise DraftChanged()


RESPONSES = cast(Table, QuestionnaireResponse.__table__)


def _claim(db: Session, response: QuestionnaireResponse, expected_version: int | None, **values: Any) -> None:
    """The version check and the write in one statement: of two saves from the same copy, one wins.

    The columns written are expired on the response instead of refreshed: the page that saved
    only redirects, and whoever reads them later in the request gets them from the database.
    """
    db.flush()
    # Core, not the ORM's bulk update: every saved questionnaire page runs it, and the ORM's
    # handling of the statement cost more than the write.
    claimed = (
        db.connection()
        .execute(
            update(RESPONSES)
            .where(
                RESPONSES.c.id == response.id,
                RESPONSES.c.version == expected_version,
                RESPONSES.c.status == ResponseStatus.DRAFT,
            )
            .values(version=RESPONSES.c.version + 1, updated_at=utcnow(), **values)
        )
        .rowcount
    )
    if claimed != 1:
        db.rollback()
        raise DraftChanged()
    db.expire(response, ["version", "updated_at", *values])


class OpenResponse(NamedTuple):
    """A draft as the client's front page shows it: plain values, the answers still sealed."""

    id: int
    questionnaire_key: str
    questionnaire_version: int
    interview_at: datetime | None
    content_encrypted: bytes | None


def open_responses(db: Session, client_id: int) -> list[OpenResponse]:
    """A client's questionnaires still to answer (one draft per questionnaire at most), newest first."""
    return [OpenResponse(*row) for row in read_values(db, _open_responses(), {"client_id": client_id})]


@prepared
def _open_responses() -> Select[tuple[int, str, int, datetime | None, bytes | None]]:
    # Built once: the client's front page asks on every visit. Columns, not objects: loading the
    # responses as objects cost more than the rest of the panel.
    return (
        select(
            QuestionnaireResponse.id,
            QuestionnaireResponse.questionnaire_key,
            QuestionnaireResponse.questionnaire_version,
            QuestionnaireResponse.interview_at,
            QuestionnaireResponse.content_encrypted,
        )
        .where(
            QuestionnaireResponse.client_id == bindparam("client_id"),
            QuestionnaireResponse.status == in_text(ResponseStatus.DRAFT),
        )
        .order_by(QuestionnaireResponse.assigned_at.desc(), QuestionnaireResponse.id.desc())
    )


def response_summaries(db: Session, client_id: int, *, limit: int) -> list[Any]:
    """A client's questionnaires as plain rows for a table, in client_responses' order: id,
    questionnaire_key, questionnaire_version, status, started (answers saved), assigned_at,
    interview_at, reviewed_at. The answers themselves are neither loaded nor opened."""
    return list(read_values(db, _response_summaries(), {"client_id": client_id, "limit": limit}).all())


@prepared
def _response_summaries() -> Select[Any]:
    return (
        select(
            QuestionnaireResponse.id,
            QuestionnaireResponse.questionnaire_key,
            QuestionnaireResponse.questionnaire_version,
            QuestionnaireResponse.status,
            QuestionnaireResponse.content_encrypted.is_not(None).label("started"),
            QuestionnaireResponse.assigned_at,
            QuestionnaireResponse.interview_at,
            QuestionnaireResponse.reviewed_at,
        )
        .where(QuestionnaireResponse.client_id == bindparam("client_id"))
        .order_by(*_CLIENT_ORDER)
        .limit(bindparam("limit"))
    )


def client_responses(db: Session, client_id: int) -> list[QuestionnaireResponse]:
    """A client's questionnaires: open ones first, then the sent ones, newest first."""
    return list(
        db.scalars(
            select(QuestionnaireResponse)
            .where(QuestionnaireResponse.client_id == client_id)
            .order_by(*_CLIENT_ORDER)
        )
    )


# Open ones first ("draft" sorts before "submitted"), then the newest.
_CLIENT_ORDER = (
    QuestionnaireResponse.status,
    QuestionnaireResponse.submitted_at.desc(),
    QuestionnaireResponse.assigned_at.desc(),
    QuestionnaireResponse.id.desc(),
)
