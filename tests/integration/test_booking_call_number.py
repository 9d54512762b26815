"""A meeting by phone: the client says which number to call, and the adviser sees it where they call from."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from portal.models import AccessLogEntry, Booking, Client
from portal.services.booking import bookings as booking_service
from tests.conftest import csrf_token_from, error_summary_of, signed_in
from tests.integration.booking_support import (
    actor_for,
    book_as_client,
    bookings,
    may_book,
    post_with_token,
    publish_times,
)

INTERVIEW = "rehabilitation_interview"
NEEDS_NUMBER_FI = "Kirjoita puhelinnumero, johon neuvoja voi soittaa sinulle."
NOT_A_NUMBER_FI = "Kirjoita puhelinnumero, esimerkiksi 040 123 4567 tai +358 40 123 4567."


def with_number_on_file(app, db, client, number):
    with app.app_context():
        db.get(Client, client.id).phone = number
        db.commit()


def test_a_call_needs_a_number_which_the_client_and_the_adviser_then_see(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    maija = signed_in(app, demo["client_fi"])
    url = f"/appointments/book/{INTERVIEW}/{ids[0]}"
    page = maija.get(url).get_data(as_text=True)
    assert "Puhelinnumero, johon neuvoja soittaa" in page
    assert 'name="phone" type="tel"' in page

    typed = {"modality": "phone", "interpreter": "no", "message": "Soittakaa mieluiten aamupäivällä."}
    missing = post_with_token(maija, url, url, {**typed, "phone": ""})
    assert missing.status_code == 422
    html = missing.get_data(as_text=True)
    assert NEEDS_NUMBER_FI in error_summary_of(html)
    assert f'id="phone-error"><span class="visually-hidden">Virhe:</span> {NEEDS_NUMBER_FI}' in html
    assert "Soittakaa mieluiten aamupäivällä." in html, "the message typed is kept"
    assert 'value="phone" checked' in html

    wrong = post_with_token(maija, url, url, {**typed, "phone": "12345"})
    assert wrong.status_code == 422
    assert NOT_A_NUMBER_FI in error_summary_of(wrong.get_data(as_text=True))
    assert 'value="12345"' in wrong.get_data(as_text=True)
    assert bookings(db) == []

    assert post_with_token(maija, url, url, {**typed, "phone": "040 123 4567"}).status_code == 302
    (booking,) = bookings(db)
    assert (booking.modality, booking.phone) == ("phone", "+358401234567")
    detail = maija.get(f"/appointments/{booking.id}").get_data(as_text=True)
    assert "Neuvoja soittaa sinulle numeroon 040 123 4567 sovittuun aikaan." in detail

    riikka = signed_in(app, demo["adviser"])
    staff_page = riikka.get(f"/staff/bookings/{booking.id}").get_data(as_text=True)
    assert '<dt class="summary-list__key">Soitettava numero</dt>' in staff_page
    assert '<dd class="summary-list__value">040 123 4567</dd>' in staff_page
    day = booking.starts_at.astimezone().date().isoformat()
    schedule = riikka.get(f"/staff/schedule?view=day&date={day}").get_data(as_text=True)
    assert "Soitettava numero: 040 123 4567" in schedule

    token = csrf_token_from(maija.get("/my-data").get_data(as_text=True))
    archive = zipfile.ZipFile(io.BytesIO(maija.post("/my-data/download", data={"csrf_token": token}).data))
    exported = json.loads(archive.read("polku-tiedot.json"))["bookings"]
    assert [r["phone"] for r in exported if r.get("kind") == "booking"] == ["+358401234567"]


def test_the_number_on_file_is_offered_and_another_way_of_meeting_keeps_none(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_sv"], demo["adviser"])
    with_number_on_file(app, db, demo["client_sv"], "+358451234567")
    sofia = signed_in(app, demo["client_sv"])
    sofia.get("/language/sv")
    url = f"/appointments/book/{INTERVIEW}/{ids[0]}"
    assert 'value="045 123 4567"' in sofia.get(url).get_data(as_text=True)

    emptied = post_with_token(sofia, url, url, {"modality": "phone", "phone": " ", "interpreter": "no"})
    assert emptied.status_code == 422
    summary = error_summary_of(emptied.get_data(as_text=True))
    assert "Skriv det telefonnummer som rådgivaren kan ringa dig på." in summary

    video = post_with_token(
        sofia, url, url, {"modality": "video", "phone": "ei numeroa", "interpreter": "no"}
    )
    assert video.status_code == 302, "a number is not asked for a video meeting"
    (booking,) = bookings(db)
    assert (booking.modality, booking.phone) == ("video", None)
    detail = sofia.get(f"/appointments/{booking.id}").get_data(as_text=True)
    assert "ringer dig" not in detail


def test_moving_to_a_call_asks_for_the_number_and_moving_away_lets_it_go(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=2)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    maija = signed_in(app, demo["client_fi"])
    first = f"/appointments/book/{INTERVIEW}/{ids[0]}"
    assert post_with_token(maija, first, first, {"modality": "video", "interpreter": "no"}).status_code == 302
    (booking,) = bookings(db)

    move = f"/appointments/{booking.id}/move/{ids[1]}"
    refused = post_with_token(maija, move, move, {"modality": "phone", "phone": ""})
    assert refused.status_code == 422
    assert NEEDS_NUMBER_FI in error_summary_of(refused.get_data(as_text=True))
    assert (
        post_with_token(maija, move, move, {"modality": "phone", "phone": "+46 70 123 45 67"}).status_code
        == 302
    )
    (booking,) = bookings(db)
    assert (booking.slot_id, booking.modality, booking.phone) == (ids[1], "phone", "+46701234567")

    again = f"/appointments/{booking.id}/move/{ids[2]}"
    assert 'value="+46 70 123 45 67"' in maija.get(again).get_data(as_text=True), (
        "the number given is offered"
    )
    assert (
        post_with_token(
            maija, again, again, {"modality": "in_person", "phone": "+46 70 123 45 67"}
        ).status_code
        == 302
    )
    (booking,) = bookings(db)
    assert (booking.modality, booking.phone) == ("in_person", None)


def test_an_adviser_booking_a_call_for_a_client_gives_the_number(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    with_number_on_file(app, db, demo["client_fi"], "+358401112222")
    riikka = signed_in(app, demo["adviser"])
    url = f"/staff/booking/clients/{demo['client_fi'].id}/book/{INTERVIEW}/{ids[0]}"
    page = riikka.get(url).get_data(as_text=True)
    assert 'value="040 111 2222"' in page, "the client's number on file"
    assert 'autocomplete="off"' in page, "not the professional's own number from their browser"
    missing = post_with_token(riikka, url, url, {"modality": "phone", "phone": "", "interpreter": "no"})
    assert missing.status_code == 422
    assert (
        post_with_token(
            riikka, url, url, {"modality": "phone", "phone": "09 123 4567", "interpreter": "no"}
        ).status_code
        == 302
    )
    with app.app_context():
        booking = db.query(Booking).one()
        assert booking.phone == "+35891234567"


def test_the_client_changes_the_number_without_moving_the_time(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    maija = signed_in(app, demo["client_fi"])
    assert book_as_client(maija, ids[0], modality="phone").status_code == 302
    (booking,) = bookings(db)
    detail = f"/appointments/{booking.id}"
    number = f"/appointments/{booking.id}/number"
    assert f'href="{number}">Vaihda numero</a>' in maija.get(detail).get_data(as_text=True)
    page = maija.get(number).get_data(as_text=True)
    assert "<h1>Vaihda puhelinnumero</h1>" in page
    assert 'value="040 123 4567"' in page, "the number given when booking"

    emptied = post_with_token(maija, number, number, {"phone": ""})
    assert emptied.status_code == 422
    html = emptied.get_data(as_text=True)
    assert NEEDS_NUMBER_FI in error_summary_of(html)
    assert f'id="phone-error"><span class="visually-hidden">Virhe:</span> {NEEDS_NUMBER_FI}' in html
    wrong = post_with_token(maija, number, number, {"phone": "040-abc"})
    assert wrong.status_code == 422
    assert NOT_A_NUMBER_FI in error_summary_of(wrong.get_data(as_text=True))
    assert 'value="040-abc"' in wrong.get_data(as_text=True), "what was typed stays in the field"
    assert bookings(db)[0].phone == "+358401234567", "nothing saved from a wrong number"

    changed = post_with_token(maija, number, number, {"phone": "+46 70 123 45 67"})
    assert changed.status_code == 302
    assert changed.headers["Location"].endswith(f"{detail}?done=number")
    (after,) = bookings(db)
    assert (after.slot_id, after.modality, after.phone, after.sequence) == (
        booking.slot_id,
        "phone",
        "+46701234567",
        booking.sequence,
    )
    shown = maija.get(f"{detail}?done=number").get_data(as_text=True)
    assert "<h1>Puhelinnumero on vaihdettu</h1>" in shown
    assert "Neuvoja soittaa sinulle numeroon +46 70 123 45 67." in shown
    changes = db.scalars(select(AccessLogEntry).where(AccessLogEntry.action == "change")).all()
    assert [(e.actor_role, e.actor_id, e.object_id, e.purpose) for e in changes] == [
        ("client", demo["client_fi"].id, str(booking.id), "call number")
    ]

    riikka = signed_in(app, demo["adviser"])
    staff_page = riikka.get(f"/staff/bookings/{booking.id}").get_data(as_text=True)
    assert '<dd class="summary-list__value">+46 70 123 45 67</dd>' in staff_page

    sofia = signed_in(app, demo["client_sv"])
    assert sofia.get(number).status_code == 404, "another client's appointment is not found"
    assert post_with_token(sofia, "/appointments", number, {"phone": "0401112222"}).status_code == 404
    assert bookings(db)[0].phone == "+46701234567"


def test_only_a_call_still_to_come_has_a_number_to_change(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_sv"], demo["adviser"])
    sofia = signed_in(app, demo["client_sv"])
    sofia.get("/language/sv")
    assert book_as_client(sofia, ids[0], modality="video").status_code == 302
    (booking,) = bookings(db)
    number = f"/appointments/{booking.id}/number"
    assert number not in sofia.get(f"/appointments/{booking.id}").get_data(as_text=True)
    refused = sofia.get(number)
    assert refused.status_code == 409
    assert "Det här mötet är inte ett telefonsamtal." in refused.get_data(as_text=True)
    token = csrf_token_from(sofia.get("/appointments").get_data(as_text=True))
    assert sofia.post(number, data={"csrf_token": token, "phone": "0401234567"}).status_code == 409
    assert bookings(db)[0].phone is None

    cancel = f"/appointments/{booking.id}/cancel"
    assert post_with_token(sofia, cancel, cancel).status_code == 302
    assert "Tiden har avbokats eller har redan varit" in sofia.get(number).get_data(as_text=True)


def test_a_number_sent_for_an_appointment_moved_meanwhile_to_video_is_refused(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    maija = signed_in(app, demo["client_fi"])
    book_as_client(maija, ids[0], modality="phone")
    with app.app_context():
        seen = db.get(Booking, bookings(db)[0].id)  # the page was opened while it was a call
        db.execute(Booking.__table__.update().values(modality="video", phone=None))
        db.commit()
        with pytest.raises(booking_service.BookingRefused) as refused:
            booking_service.change_call_number(db, actor_for(demo["adviser"]), seen, "+358401112222")
        assert refused.value.reason == "changed"
    (booking,) = bookings(db)
    assert (booking.modality, booking.phone) == ("video", None)


def test_the_adviser_saves_a_number_the_client_gave_on_the_phone(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_sv"], demo["adviser"])
    sofia = signed_in(app, demo["client_sv"])
    sofia.get("/language/sv")
    book_as_client(sofia, ids[0], modality="phone")
    (booking,) = bookings(db)
    riikka = signed_in(app, demo["adviser"])
    page_url = f"/staff/bookings/{booking.id}"
    action = f"/staff/bookings/{booking.id}/number"
    page = riikka.get(page_url).get_data(as_text=True)
    assert '<h2 id="number-heading">Vaihda puhelinnumero</h2>' in page
    assert 'value="040 123 4567"' in page
    assert 'autocomplete="off"' in page

    wrong = post_with_token(riikka, page_url, action, {"phone": "123"})
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    assert NOT_A_NUMBER_FI in error_summary_of(html)
    assert 'value="123"' in html
    empty = post_with_token(riikka, page_url, action, {"phone": " "}).get_data(as_text=True)
    assert "Kirjoita puhelinnumero, johon neuvoja voi soittaa asiakkaalle." in error_summary_of(empty)
    assert "voi soittaa sinulle" not in empty, "the adviser is not the client"

    saved = post_with_token(riikka, page_url, action, {"phone": "050 765 4321"})
    assert saved.status_code == 302
    assert bookings(db)[0].phone == "+358507654321"
    assert "Soitettava numero on tallennettu." in riikka.get(saved.headers["Location"]).get_data(as_text=True)
    assert "on tallennettu" not in riikka.get(page_url).get_data(as_text=True), "said once, after saving"
    detail = sofia.get(f"/appointments/{booking.id}").get_data(as_text=True)
    assert "Rådgivaren ringer dig på numret 050 765 4321 vid den bokade tiden." in detail
