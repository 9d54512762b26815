"""The pre-interview questionnaire tells the time of the interview the client has booked."""

from __future__ import annotations

from portal.models import QuestionnaireResponse
from tests.conftest import signed_in
from tests.integration.booking_support import (
    book_as_client,
    bookings,
    may_book,
    post_with_token,
    publish_times,
)
from tests.integration.questionnaire_helpers import ALL_PAGES, assign, submitted

BEFORE_FI = "Vastaa ennen haastatteluasi, joka on"


def response_row(db, response_id):
    db.expire_all()
    return db.get(QuestionnaireResponse, response_id)


def test_booking_moving_and_cancelling_the_interview_sets_the_questionnaires_time(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=2)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    response = assign(app, db, demo["client_fi"], demo["adviser"])
    maija = signed_in(app, demo["client_fi"])
    assert BEFORE_FI not in maija.get(f"/questionnaires/{response.id}").get_data(as_text=True)

    assert book_as_client(maija, ids[0]).status_code == 302
    (booking,) = bookings(db)
    first_time = booking.starts_at
    assert (response_row(db, response.id).interview_at, response_row(db, response.id).booking_id) == (
        booking.starts_at,
        booking.id,
    )
    assert BEFORE_FI in maija.get(f"/questionnaires/{response.id}").get_data(as_text=True)

    move = f"/appointments/{booking.id}/move/{ids[1]}"
    assert post_with_token(maija, move, move, {"modality": "video"}).status_code == 302
    (moved,) = bookings(db)
    assert response_row(db, response.id).interview_at == moved.starts_at != first_time

    cancel = f"/appointments/{booking.id}/cancel"
    assert post_with_token(maija, cancel, cancel).status_code == 302
    after = response_row(db, response.id)
    assert (after.interview_at, after.booking_id) == (None, None)
    assert BEFORE_FI not in maija.get(f"/questionnaires/{response.id}").get_data(as_text=True)


def test_answers_already_reviewed_keep_the_time_of_their_own_interview(app, db, demo):
    from datetime import UTC, datetime

    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_sv"], demo["adviser"])
    earlier = submitted(app, db, demo["client_sv"], demo["adviser"], ALL_PAGES)
    db.execute(
        QuestionnaireResponse.__table__.update()
        .where(QuestionnaireResponse.id == earlier.id)
        .values(reviewed_at=datetime.now(UTC), interview_at=None)
    )
    db.commit()
    browser = signed_in(app, demo["client_sv"])
    assert book_as_client(browser, ids[0]).status_code == 302
    assert response_row(db, earlier.id).interview_at is None, "a reviewed round is left as it was"


def test_a_questionnaire_given_after_the_interview_was_booked_tells_its_time(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    maija = signed_in(app, demo["client_fi"])
    assert book_as_client(maija, ids[0]).status_code == 302
    (booking,) = bookings(db)
    response = assign(app, db, demo["client_fi"], demo["adviser"])
    given = response_row(db, response.id)
    assert (given.interview_at, given.booking_id) == (booking.starts_at, booking.id)
