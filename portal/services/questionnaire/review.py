"""Professionals reviewing sent answers: the queue, the previous answers, notes and "reviewed"."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, Select, Table, bindparam, literal_column, select, update
from sqlalchemy.orm import Session

from portal import crypto
from portal.content.questionnaires import flagged_answers, load_all
from portal.models import (
    Client,
    ClientAssignment,
    QuestionnaireResponse,
    ResponseStatus,
    ReviewNote,
    StaffUser,
)
from portal.models.base import in_text, outer_first, utcnow
from portal.services.audit import Actor, record_access
from portal.services.clients import assigned_to, name_matches
from portal.services.counting import Listing, count_params, counted
from portal.services.questionnaire.drafts import Draft, KeptBySeal, NotSubmitted, ReviewChanged
from portal.services.reads import prepared, read_values


def _note_context(response_id: int) -> str:
    return f"questionnaire.note.{response_id}"


def read_note(note: ReviewNote) -> str:
    return crypto.decrypt(note.text_encrypted, _note_context(note.response_id))


def add_note(db: Session, actor: Actor, response: QuestionnaireResponse, text: str) -> ReviewNote:
    """A private note; notes are only ever added, so two professionals writing at once both keep theirs."""
    if response.is_draft:
        raise NotSubmitted()
    note = ReviewNote(
        response_id=response.id,
        author_id=actor.id,
        text_encrypted=crypto.encrypt(text.strip(), _note_context(response.id)),
    )
    db.add(note)
    db.flush()
    record_access(
        db,
        actor=actor,
        action="create",
        object_type="questionnaire_note",
        object_id=note.id,
        client_id=response.client_id,
    )
    db.commit()
    return note


def set_reviewed(
    db: Session,
    actor: Actor,
    response: QuestionnaireResponse,
    reviewed: bool,
    *,
    expected_review_version: int | None,
) -> None:
    """Mark reviewed (or not); a decision made on an outdated page is refused, the other one kept."""
    if response.is_draft:
        raise NotSubmitted()
    claimed = db.execute(
        update(QuestionnaireResponse)
        .where(
            QuestionnaireResponse.id == response.id,
            QuestionnaireResponse.review_version == expected_review_version,
            QuestionnaireResponse.status == ResponseStatus.SUBMITTED,
        )
        .values(
            review_version=QuestionnaireResponse.review_version + 1,
            reviewed_at=utcnow() if reviewed else None,
            reviewed_by_id=actor.id if reviewed else None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        db.rollback()
        db.refresh(response)
        raise ReviewChanged()
    record_access(
        db,
        actor=actor,
        action="change",
        object_type="questionnaire_review",
        object_id=response.id,
        client_id=response.client_id,
        purpose="reviewed" if reviewed else "review reopened",
    )
    db.commit()
    db.refresh(response)


class QueueEntry(NamedTuple):
    """One row of the review queue: plain values, so the page can keep a row rendered by them."""

    response_id: int
    client_id: int
    client_name: str
    questionnaire_key: str
    questionnaire_version: int
    interview_at: datetime | None
    submitted_at: datetime
    reviewed: bool
    flagged: int  # how many questions have an answer marked for the adviser's attention

    def title(self, locale: str) -> str:
        return load_all()[(self.questionnaire_key, self.questionnaire_version)].title[locale]


def review_queue(
    db: Session, staff: StaffUser, *, show: str = "all", term: str = "", page: int = 1, page_size: int = 25
) -> Listing:
    """Submitted answers of this professional's clients: unreviewed first, then by interview time."""
    page = max(page, 1)
    params = {"staff_id": staff.id, "offset": (page - 1) * page_size, **count_params()}
    if term:
        query = _queue(show).where(name_matches(term))
        total = read_values(db, counted(query), params).scalar() or 0
        listed = _in_queue_order(query)
    else:
        # Without a name to match, the clients' rows are not needed for counting.
        total = read_values(db, _queue_count(show), params).scalar() or 0
        listed = _queue_page(show)
    params["limit"] = Listing.rows_to_read(total, page_size)
    # Unpacked rather than read by name: a row's attribute look-up costs more than building the entry.
    entries = [
        QueueEntry(
            response_id,
            client_id,
            f"{given_name} {family_name}".strip(),  # as Client.full_name
            key,
            version,
            interview_at,
            submitted_at,
            bool(reviewed),
            _flagged_count(response_id, key, version, content),
        )
        for (
            response_id,
            client_id,
            key,
            version,
            interview_at,
            submitted_at,
            reviewed,
            content,
            given_name,
            family_name,
        ) in read_values(db, listed, params)
    ]
    return Listing.of(entries, total, page, page_size)


# The order the queue index (ix_questionnaire_response_queue) serves.
QUEUE_ORDER = (
    QuestionnaireResponse.reviewed_at.is_not(None),
    QuestionnaireResponse.interview_at.is_(None),
    QuestionnaireResponse.interview_at,
    QuestionnaireResponse.submitted_at,
    QuestionnaireResponse.id,
)


def _shown(show: str) -> tuple[ColumnElement[bool], ...]:
    """Which sent answers the filter shows, whoever's clients they are."""
    # The status in the text, so that the queue's partial indexes (sent answers only) serve it.
    shown = [QuestionnaireResponse.status == in_text(ResponseStatus.SUBMITTED)]
    if show == "unreviewed":
        shown.append(QuestionnaireResponse.reviewed_at.is_(None))
    elif show == "reviewed":
        shown.append(QuestionnaireResponse.reviewed_at.is_not(None))
    return tuple(shown)


@cache
def _queue(show: str) -> Select[Any]:
    """Built once per filter: every visit to the queue runs it; the professional is a parameter."""
    # Only the columns a row shows (and the sealed answers, to count those needing attention), in
    # the order review_queue unpacks them.
    return (
        select(
            QuestionnaireResponse.id,
            QuestionnaireResponse.client_id,
            QuestionnaireResponse.questionnaire_key,
            QuestionnaireResponse.questionnaire_version,
            QuestionnaireResponse.interview_at,
            QuestionnaireResponse.submitted_at,
            QuestionnaireResponse.reviewed_at.is_not(None).label("reviewed"),
            QuestionnaireResponse.content_encrypted,
            Client.given_name,
            Client.family_name,
        )
        .join(Client, Client.id == QuestionnaireResponse.client_id)
        .where(*_shown(show), assigned_to(bindparam("staff_id"), QuestionnaireResponse.client_id))
    )


@prepared
def _queue_count(show: str) -> Select[tuple[int]]:
    """The sent answers shown, each joined to the professional's open assignment of its client.

    A join, not the list's EXISTS: counting reads sent answers (up to the lists' limit, see
    portal.services.counting), and a correlated subquery per answer cost SQLite a third more than
    the join's look-up. An open assignment is unique per client and professional
    (uq_client_assignment_open), so the join counts each answer once.
    """
    responses, assignments = (
        cast(Table, QuestionnaireResponse.__table__),
        cast(Table, ClientAssignment.__table__),
    )
    mine = outer_first(
        responses,
        assignments,
        (assignments.c.client_id == responses.c.client_id)
        & (assignments.c.staff_user_id == bindparam("staff_id"))
        & assignments.c.ended_at.is_(None),
    )
    return counted(select(literal_column("1")).select_from(mine).where(*_shown(show)))


@prepared
def _queue_page(show: str) -> Select[Any]:
    return _in_queue_order(_queue(show))


def _in_queue_order(query: Select[Any]) -> Select[Any]:
    return query.order_by(*QUEUE_ORDER).limit(bindparam("limit")).offset(bindparam("offset"))


# Sent answers never change (a trigger refuses it); the queue shows the count on every row, and
# opening 25 responses for each page would cost more than the rest of the page.
_flagged_counts: KeptBySeal[int] = KeptBySeal()


def _flagged_count(response_id: int, key: str, version: int, content: bytes | None) -> int:
    """How many questions of the response have an answer marked for the adviser's attention."""

    def count(draft: Draft) -> int:
        return len({item.id for item, _option in flagged_answers(load_all()[(key, version)], draft.answers)})

    return _flagged_counts.get(response_id, content, count)


def previous_submission(db: Session, response: QuestionnaireResponse) -> QuestionnaireResponse | None:
    """The same client's previous answers to the same questionnaire, if they have sent it before."""
    if response.submitted_at is None:
        return None
    return db.scalar(
        select(QuestionnaireResponse)
        .where(
            QuestionnaireResponse.client_id == response.client_id,
            QuestionnaireResponse.questionnaire_key == response.questionnaire_key,
            QuestionnaireResponse.status == ResponseStatus.SUBMITTED,
            QuestionnaireResponse.submitted_at < response.submitted_at,
        )
        .order_by(QuestionnaireResponse.submitted_at.desc())
        .limit(1)
    )
