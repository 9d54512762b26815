"""A time taken (or withdrawn) while the client was typing: what they typed waits for the next time."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from portal.models import Booking, Slot, UserSession
from portal.services.booking.bookings import interpreter_language
from tests.conftest import login_as, signed_in
from tests.integration.booking_support import book_as_client, bookings, may_book, page_fields, publish_times

INTERVIEW = "rehabilitation_interview"
KEPT_FI = "Kirjoittamasi tiedot ovat tallessa: ne täytetään valmiiksi, kun valitset toisen ajan."
NOT_BOOKED_YET_FI = "Aikaa ei ole vielä varattu"
NEEDS = "Tarvitsen pyörätuolipaikan ja induktiosilmukan."
TYPED = {
    "modality": "phone",
    "phone": "040 765 4321",
    "interpreter": "yes",
    "interpreter_language": "arabia",
    "accessibility": NEEDS,
    "message": "Soittakaa mieluiten aamulla.",
}


@pytest.fixture
def ids(app, db, demo):
    """Free interview times that both Maija and Sofia may book."""
    times = publish_times(app, db, demo["adviser"], days=2)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    may_book(app, db, demo["client_sv"], demo["adviser"])
    return times


def taken_by_sofia(app, demo, slot_id):
    assert book_as_client(signed_in(app, demo["client_sv"]), slot_id).status_code == 302


def send_late(browser, url, page_html, data):
    """The form of a page opened earlier, sent now."""
    return browser.post(url, data={**page_fields(page_html), **data})


def test_a_time_taken_meanwhile_keeps_what_was_typed_for_the_next_time_chosen(app, db, demo, ids):
    maija = signed_in(app, demo["client_fi"])
    url = f"/appointments/book/{INTERVIEW}/{ids[0]}"
    opened = maija.get(url).get_data(as_text=True)
    taken_by_sofia(app, demo, ids[0])

    taken = send_late(maija, url, opened, TYPED)
    assert taken.status_code == 409
    assert KEPT_FI in taken.get_data(as_text=True)
    db.expire_all()
    rows = db.scalars(select(UserSession.data).where(UserSession.client_id == demo["client_fi"].id)).all()
    assert "form_kept" in json.dumps(rows)
    assert "pyörätuolipaikan" not in json.dumps(rows, ensure_ascii=False), (
        "sealed: the needs can tell of health"
    )

    for other in (ids[1], ids[2]):  # the next time, and after going back, yet another one
        page = maija.get(f"/appointments/book/{INTERVIEW}/{other}").get_data(as_text=True)
        assert NOT_BOOKED_YET_FI in page
        assert NEEDS in page
        assert 'value="040 765 4321"' in page
        assert 'value="arabia"' in page
        assert 'value="phone" checked' in page
    second = f"/appointments/book/{INTERVIEW}/{ids[2]}"
    assert send_late(maija, second, page, TYPED).status_code == 302
    mine = [b for b in bookings(db) if b.client_id == demo["client_fi"].id]
    with app.app_context():
        assert [(b.slot_id, b.phone, interpreter_language(b)) for b in mine] == [
            (ids[2], "+358407654321", "arabia")
        ]

    later = maija.get(f"/appointments/book/{INTERVIEW}/{ids[3]}").get_data(as_text=True)
    assert NEEDS not in later, "let go once the booking was made"
    assert NOT_BOOKED_YET_FI not in later


def test_a_time_withdrawn_keeps_it_too_and_opening_a_taken_time_does_not_lose_it(app, db, demo, ids):
    maija = signed_in(app, demo["client_fi"])
    url = f"/appointments/book/{INTERVIEW}/{ids[0]}"
    opened = maija.get(url).get_data(as_text=True)
    with app.app_context():
        db.get(Slot, ids[0]).status = "withdrawn"
        db.commit()

    refused = send_late(maija, url, opened, TYPED)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert KEPT_FI in html
    assert f'href="/appointments/book/{INTERVIEW}"' in html, "a way straight to the other times"

    taken_by_sofia(app, demo, ids[1])
    opened_taken = maija.get(f"/appointments/book/{INTERVIEW}/{ids[1]}")
    assert opened_taken.status_code == 409
    assert KEPT_FI in opened_taken.get_data(as_text=True)
    assert NEEDS in maija.get(f"/appointments/book/{INTERVIEW}/{ids[2]}").get_data(as_text=True)


def test_nothing_is_kept_for_a_refusal_another_time_would_not_mend(app, db, demo, ids):
    maija = signed_in(app, demo["client_fi"])
    assert book_as_client(maija, ids[0]).status_code == 302
    url = f"/appointments/book/{INTERVIEW}/{ids[1]}"
    again = send_late(maija, url, maija.get(url).get_data(as_text=True), TYPED)
    assert again.status_code == 409, "one coming interview at a time"
    assert KEPT_FI not in again.get_data(as_text=True)
    assert NEEDS not in maija.get(f"/appointments/book/{INTERVIEW}/{ids[2]}").get_data(as_text=True)


def test_a_new_session_of_the_same_browser_gets_nothing_back(app, db, demo, ids):
    browser = signed_in(app, demo["client_fi"])
    url = f"/appointments/book/{INTERVIEW}/{ids[0]}"
    opened = browser.get(url).get_data(as_text=True)
    taken_by_sofia(app, demo, ids[0])
    assert send_late(browser, url, opened, TYPED).status_code == 409
    login_as(app, browser, demo["client_sv"])  # someone else signs in on the same browser
    assert NEEDS not in browser.get(f"/appointments/book/{INTERVIEW}/{ids[1]}").get_data(as_text=True)


def test_a_professional_booking_for_a_client_keeps_it_for_the_next_time_too(app, db, demo, ids):
    riikka = signed_in(app, demo["adviser"])
    base = f"/staff/booking/clients/{demo['client_fi'].id}/book/{INTERVIEW}"
    opened = riikka.get(f"{base}/{ids[0]}").get_data(as_text=True)
    taken_by_sofia(app, demo, ids[0])
    taken = send_late(riikka, f"{base}/{ids[0]}", opened, TYPED)
    assert taken.status_code == 409
    assert KEPT_FI in taken.get_data(as_text=True)
    page = riikka.get(f"{base}/{ids[1]}").get_data(as_text=True)
    assert NEEDS in page
    assert send_late(riikka, f"{base}/{ids[1]}", page, TYPED).status_code == 302
    db.expire_all()
    booking = db.scalars(select(Booking).where(Booking.client_id == demo["client_fi"].id)).one()
    assert (booking.slot_id, booking.phone) == (ids[1], "+358407654321")
    assert NEEDS not in riikka.get(f"{base}/{ids[2]}").get_data(as_text=True)


NOT_MOVED_YET_FI = "Aikaa ei ole vielä siirretty"


def test_a_move_to_a_time_taken_meanwhile_keeps_the_way_of_meeting_and_number(app, db, demo, ids):
    maija = signed_in(app, demo["client_fi"])
    assert book_as_client(maija, ids[0], modality="in_person").status_code == 302
    (booking,) = bookings(db)
    move = f"/appointments/{booking.id}/move"
    opened = maija.get(f"{move}/{ids[1]}").get_data(as_text=True)
    assert 'value="in_person" checked' in opened
    taken_by_sofia(app, demo, ids[1])

    chosen = {"modality": "phone", "phone": "040 765 4321"}
    taken = send_late(maija, f"{move}/{ids[1]}", opened, chosen)
    assert taken.status_code == 409
    assert KEPT_FI in taken.get_data(as_text=True)
    page = maija.get(f"{move}/{ids[2]}").get_data(as_text=True)
    assert NOT_MOVED_YET_FI in page
    assert 'value="phone" checked' in page
    assert 'value="040 765 4321"' in page
    assert send_late(maija, f"{move}/{ids[2]}", page, chosen).status_code == 302
    mine = [b for b in bookings(db) if b.client_id == demo["client_fi"].id]
    assert [(b.slot_id, b.modality, b.phone) for b in mine] == [(ids[2], "phone", "+358407654321")]

    later = maija.get(f"{move}/{ids[3]}").get_data(as_text=True)
    assert NOT_MOVED_YET_FI not in later, "let go once moved"
    assert 'value="phone" checked' in later, "the way of meeting now booked"


def test_a_move_refused_for_a_withdrawn_time_leads_back_to_the_times_of_the_move(app, db, demo, ids):
    riikka = signed_in(app, demo["adviser"])
    maija = signed_in(app, demo["client_fi"])
    assert book_as_client(maija, ids[0], modality="video").status_code == 302
    (booking,) = bookings(db)
    move = f"/staff/bookings/{booking.id}/move"
    opened = riikka.get(f"{move}/{ids[1]}").get_data(as_text=True)
    with app.app_context():
        db.get(Slot, ids[1]).status = "withdrawn"
        db.commit()
    refused = send_late(riikka, f"{move}/{ids[1]}", opened, {"modality": "phone", "phone": "09 1234 567"})
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert KEPT_FI in html
    assert f'class="button" href="{move}"' in html, "choose another time for this appointment"
    page = riikka.get(f"{move}/{ids[2]}").get_data(as_text=True)
    assert 'value="phone" checked' in page
    assert 'value="09 123 4567"' not in page, "not as Polku would write it"
    assert 'value="09 1234 567"' in page, "as typed"


def test_a_professional_opening_a_time_no_longer_free_is_told_so_at_once(app, db, demo, ids):
    """As for the client: an out-of-date list's time opens to the reason, not to a form that would fail."""
    riikka = signed_in(app, demo["adviser"])
    base = f"/staff/booking/clients/{demo['client_fi'].id}/book/{INTERVIEW}"
    opened = riikka.get(f"{base}/{ids[0]}").get_data(as_text=True)
    taken_by_sofia(app, demo, ids[0])
    assert send_late(riikka, f"{base}/{ids[0]}", opened, TYPED).status_code == 409

    assert riikka.get(f"{base}/{ids[0]}").status_code == 409, "taken: the nearest free times instead"
    with app.app_context():
        db.get(Slot, ids[1]).status = "withdrawn"
        db.commit()
    withdrawn = riikka.get(f"{base}/{ids[1]}")
    assert withdrawn.status_code == 409
    assert KEPT_FI in withdrawn.get_data(as_text=True), "what was typed still waits"
    assert 'name="accessibility"' not in withdrawn.get_data(as_text=True)

    maija = signed_in(app, demo["client_fi"])
    assert book_as_client(maija, ids[2]).status_code == 302
    (booking,) = [b for b in bookings(db) if b.client_id == demo["client_fi"].id]
    moved_to_taken = riikka.get(f"/staff/bookings/{booking.id}/move/{ids[0]}")
    assert moved_to_taken.status_code == 409
    assert 'name="modality"' not in moved_to_taken.get_data(as_text=True)


def test_a_time_the_client_took_themselves_is_told_as_their_own_not_as_someone_elses(app, db, demo, ids):
    riikka = signed_in(app, demo["adviser"])
    url = f"/staff/booking/clients/{demo['client_fi'].id}/book/{INTERVIEW}/{ids[0]}"
    opened = riikka.get(url).get_data(as_text=True)
    assert book_as_client(signed_in(app, demo["client_fi"]), ids[0]).status_code == 302

    for answer in (send_late(riikka, url, opened, TYPED), riikka.get(url)):
        assert answer.status_code == 409
        html = answer.get_data(as_text=True)
        assert "Asiakkaalla on jo tällainen aika." in html
        assert "Joku muu ehti varata ajan" not in html


def test_a_professional_moving_to_a_taken_time_is_told_the_clients_time_did_not_move(app, db, demo, ids):
    maija = signed_in(app, demo["client_fi"])
    assert book_as_client(maija, ids[0]).status_code == 302
    (booking,) = bookings(db)
    riikka = signed_in(app, demo["adviser"])
    riikka.set_cookie("polku_lang", "sv")
    move = f"/staff/bookings/{booking.id}/move/{ids[1]}"
    opened = riikka.get(move).get_data(as_text=True)
    taken_by_sofia(app, demo, ids[1])
    sent = send_late(riikka, move, opened, {"modality": "phone", "phone": "040 765 4321"})
    html = sent.get_data(as_text=True)
    assert "Klientens tid flyttades inte" in html
    assert "Ingenting bokades åt dig" not in html


def test_a_professional_booking_for_a_client_is_asked_about_the_client_and_told_what_was_done(
    app, db, demo, ids
):
    from portal.services.audit import SYSTEM
    from portal.services.clients import assign

    with app.app_context():
        assign(db, SYSTEM, demo["client_fi"], demo["staff"], responsibility="staff")
    sami = signed_in(app, demo["staff"])
    url = f"/staff/booking/clients/{demo['client_fi'].id}/book/{INTERVIEW}/{ids[0]}"
    form = sami.get(url).get_data(as_text=True)
    about_the_client = (
        "Miten asiakas haluaa tavata?",
        "Tarvitseeko asiakas tulkin?",
        "Kieli, jolle asiakas tarvitsee tulkin",
        "Älä kirjoita tähän asiakkaan henkilötunnusta.",
        "Tieto neuvojalle (vapaaehtoinen)",
    )
    for asked in about_the_client:
        assert asked in form
    assert "Miten haluat tavata?" not in form
    assert "tarvitset tulkin" not in form
    booked = send_late(sami, url, form, {**TYPED, "message": "Asiakas toivoo aamupäivää."})
    page = sami.get(booked.headers["Location"]).get_data(as_text=True)
    assert "Aika on varattu asiakkaalle." in page
    assert "Varauksen yhteydessä kirjoitettu viesti" in page
    assert "Asiakkaan viesti" not in page
    back = f'href="/staff/clients/{demo["client_fi"].id}">Takaisin asiakkaan tietoihin'
    assert back in page, "Sami has no schedule of his own to go back to"
    (booking,) = bookings(db)
    move = f"/staff/bookings/{booking.id}/move/{ids[1]}"
    moving = sami.get(move).get_data(as_text=True)
    assert "Asiakkaan nykyinen aika vapautuu" in moving
    moved = send_late(sami, move, moving, {"modality": "phone", "phone": "040 765 4321"})
    assert "Aika on siirretty." in sami.get(moved.headers["Location"]).get_data(as_text=True)


def test_a_professionals_mistakes_are_told_about_the_client(app, db, demo, ids):
    riikka = signed_in(app, demo["adviser"])
    url = f"/staff/booking/clients/{demo['client_fi'].id}/book/{INTERVIEW}/{ids[0]}"
    page = riikka.get(url).get_data(as_text=True)
    wrong = send_late(riikka, url, page, {"modality": "phone", "phone": "", "interpreter": "yes"})
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    for said in ("Kirjoita puhelinnumero, johon neuvoja voi soittaa asiakkaalle.",
                 "Kirjoita kieli, jolle asiakas tarvitsee tulkin."):  # fmt: skip
        assert html.count(said) == 2, said  # in the summary and at the field
    nothing = send_late(riikka, url, page, {}).get_data(as_text=True)
    assert "Valitse, miten asiakas haluaa tavata." in nothing
