"""Finnish by default, Swedish on request; the choice is remembered and the page stays the same."""

import pytest
from sqlalchemy import select

from portal.models import Booking
from portal.services.feedback import submit_feedback
from tests.conftest import lands_in_swedish, signed_in, switch_to_swedish_on
from tests.integration.booking_support import book_as_client, may_book, publish_times
from tests.integration.consent_helpers import issue
from tests.integration.questionnaire_helpers import ALL_PAGES, submitted
from tests.integration.test_access_matrix import PEOPLE


def test_finnish_is_the_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="fi">' in page
    assert "Kuntoutuspolkusi verkossa" in page


def test_the_browser_language_is_honoured_when_nothing_is_chosen(client):
    page = client.get("/", headers={"Accept-Language": "sv-FI,sv;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "Din rehabiliteringsstig på nätet" in page


def test_an_unsupported_browser_language_falls_back_to_finnish(client):
    page = client.get("/", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert '<html lang="fi">' in page


def test_the_switch_remembers_the_choice_and_returns_to_the_same_page(client):
    contact = client.get("/contact").get_data(as_text=True)
    assert 'href="/language/sv?next=/contact" lang="sv" hreflang="sv"' in contact

    response = client.get("/language/sv?next=/contact")
    assert response.status_code == 302
    assert response.headers["Location"] == "/contact"
    cookie = response.headers["Set-Cookie"]
    assert "polku_lang=sv" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie

    page = client.get("/contact", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "Kontakta oss" in page
    assert 'href="/language/fi?next=/contact" lang="fi"' in page


def test_the_switch_keeps_the_query_string(client):
    response = client.get("/language/sv?next=/accessibility/feedback%3Fx%3D1")
    assert response.headers["Location"] == "/accessibility/feedback?x=1"


def test_the_switch_never_leads_to_another_site(client):
    response = client.get("/language/sv?next=//evil.example/")
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("code", ["en", "xx", "FI", "../sv"])
def test_an_unknown_language_code_gives_a_not_found_page_in_the_users_language(client, code):
    client.get("/language/sv")
    response = client.get(f"/language/{code}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Sidan hittades inte" in page
    assert "Set-Cookie" not in response.headers


def test_dates_are_formatted_in_helsinki_time_in_the_users_language(app):
    from datetime import UTC, datetime

    from portal.i18n import local_datetime

    # 22:30 UTC on the last Sunday of October 2026 is already Monday 00:30 in Helsinki (UTC+2).
    moment = datetime(2026, 10, 25, 22, 30, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "fi"}):
        assert local_datetime(moment) == "26. lokakuuta 2026 klo 0.30"
    with app.test_request_context(headers={"Accept-Language": "sv"}):
        assert local_datetime(moment) == "26 oktober 2026 kl. 0.30"
        # Short forms as written in Finland, not Sweden's 2026-10-26 00:30.
        assert local_datetime(moment, "short") == "26.10.2026 0.30"


# --- The switch on a page sent in answer to a form -------------------------------------------

# Each address that only takes posted forms, who uses it, and where the switch leads from it: the
# page that shows the form, or (nothing names one) the person's home.
POST_ONLY = {
    "auth.start": ("anonymous", "/sign-in/ftn", "/"),
    "auth.step_up": ("client", "/sign-in/step-up", "/home"),
    "auth.sign_out": ("client", "/sign-out", "/home"),
    "auth.sign_out_everywhere": ("client", "/sign-out/everywhere", "/home"),
    "auth.extend_session": ("client", "/session/extend", "/home"),
    "auth.keep_typed": ("client", "/session/keep", "/home"),
    "devidp.token": ("anonymous", "/dev-idp/ftn/token", "/"),
    "booking.offer": ("adviser", "/staff/booking/clients/{client}/offer", "/staff/clients/{client}"),
    # A list's search is posted to the list's own address, which also answers GET.
    "clients.search_clients": ("adviser", "/staff/clients", "/staff/clients"),
    "questionnaire.search_queue": ("adviser", "/staff/questionnaires", "/staff/questionnaires"),
    "booking.outcome": ("adviser", "/staff/bookings/{booking}/outcome", "/staff/bookings/{booking}"),
    "booking.video_link": ("adviser", "/staff/bookings/{booking}/video-link", "/staff/bookings/{booking}"),
    "booking.staff_call_number": ("adviser", "/staff/bookings/{booking}/number", "/staff/bookings/{booking}"),
    "booking.withdraw": ("adviser", "/staff/schedule/slots/{slot}/withdraw", "/staff"),
    "booking.unblock_day": ("adviser", "/staff/schedule/blocked/2026-12-24/unblock", "/staff/schedule"),
    "clients.assign": ("staff", "/staff/clients/{client}/assign", "/staff/clients/{client}"),
    "consent.remind": (
        "staff",
        "/staff/consents/requests/{consent}/remind",
        "/staff/consents/requests/{consent}",
    ),
    "consent.cancel": (
        "staff",
        "/staff/consents/requests/{consent}/cancel",
        "/staff/consents/requests/{consent}",
    ),
    "consent.reissue": (
        "staff",
        "/staff/consents/requests/{consent}/reissue",
        "/staff/consents/requests/{consent}",
    ),
    "feedback.mark_handled": ("admin", "/staff/feedback/{feedback}/handled", "/staff/feedback"),
    "mydata.download": ("client", "/my-data/download", "/my-data"),
    "pathway.start": ("adviser", "/staff/clients/{client}/pathway/start", "/staff/clients/{client}/pathway"),
    "pathway.move": ("adviser", "/staff/clients/{client}/pathway/move", "/staff/clients/{client}/pathway"),
    "pathway.skip": ("adviser", "/staff/clients/{client}/pathway/skip", "/staff/clients/{client}/pathway"),
    "pathway.note": ("adviser", "/staff/clients/{client}/pathway/note", "/staff/clients/{client}/pathway"),
    "pathway.close": ("adviser", "/staff/clients/{client}/pathway/close", "/staff/clients/{client}/pathway"),
    "questionnaire.add_note": (
        "adviser",
        "/staff/questionnaires/{response}/notes",
        "/staff/questionnaires/{response}",
    ),
    "questionnaire.mark_reviewed": (
        "adviser",
        "/staff/questionnaires/{response}/reviewed",
        "/staff/questionnaires/{response}",
    ),
    "questionnaire.submit": (
        "client",
        "/questionnaires/{response}/submit",
        "/questionnaires/{response}/check",
    ),
}


@pytest.fixture
def worked_on(app, db, demo):
    """Maija with her adviser Riikka and Sami (staff): a booking, a consent request, sent answers."""
    maija, riikka = demo["client_fi"], demo["adviser"]
    slot_id = publish_times(app, db, riikka, days=1)[0]
    may_book(app, db, maija, riikka)
    booked = book_as_client(signed_in(app, maija), slot_id)
    assert booked.status_code in (302, 303)
    consent_id = issue(app, db, demo["staff"], maija)
    response = submitted(app, db, maija, riikka, ALL_PAGES)
    booking_id = db.scalar(select(Booking.id).where(Booking.client_id == maija.id))
    with app.app_context():
        feedback = submit_feedback(db, topic="other", message="Hei", page="", reply_to=None, locale="fi")
    return {
        "feedback": feedback.id,
        "client": maija.id,
        "slot": slot_id,
        "booking": booking_id,
        "consent": consent_id,
        "response": response.id,
    }


def browsers(app, demo):
    roles = {role for role, _address, _landing in POST_ONLY.values()}
    return {role: signed_in(app, demo[PEOPLE[role]] if role != "anonymous" else None) for role in roles}


def test_the_switch_to_an_address_that_only_takes_forms_leads_to_a_page_that_answers(
    app, db, demo, worked_on
):
    post_only = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.methods - {"HEAD", "OPTIONS"} == {"POST"}
    }
    assert post_only == set(POST_ONLY), "say in POST_ONLY where the switch leads from the new address"
    people = browsers(app, demo)
    for endpoint, (role, address, landing) in sorted(POST_ONLY.items()):
        browser = people[role]
        response = browser.get("/language/sv", query_string={"next": address.format(**worked_on)})
        assert response.headers["Location"] == landing.format(**worked_on), endpoint
        assert lands_in_swedish(browser, response.headers["Location"]), endpoint
        browser.get("/language/fi")


def test_the_switch_on_a_refused_form_leads_to_the_page_of_the_form(app, db, demo, worked_on):
    people = browsers(app, demo)
    for endpoint, (role, address, landing) in sorted(POST_ONLY.items()):
        if endpoint == "devidp.token":  # an identity provider's server calls it: no page, no switch
            continue
        browser = people[role]
        # Without its CSRF token the form is refused (nothing changes) on a page at the posted address.
        refused = browser.post(address.format(**worked_on))
        assert refused.status_code == 400, endpoint
        response = browser.get(switch_to_swedish_on(refused.get_data(as_text=True)))
        assert response.headers["Location"] == landing.format(**worked_on), endpoint
        assert lands_in_swedish(browser, response.headers["Location"]), endpoint
        browser.get("/language/fi")


def test_without_a_page_named_the_switch_returns_to_the_page_of_this_site_the_form_was_sent_from(
    app, db, demo
):
    riikka = signed_in(app, demo["adviser"])
    schedule = "/staff/schedule?date=2030-01-07"
    address = "/staff/schedule/slots/1/withdraw"
    here = riikka.post(address, headers={"Referer": f"http://localhost{schedule}"})
    response = riikka.get(switch_to_swedish_on(here.get_data(as_text=True)))
    assert response.headers["Location"] == schedule
    riikka.get("/language/fi")
    elsewhere = riikka.post(address, headers={"Referer": f"https://evil.example{schedule}"})
    assert riikka.get(switch_to_swedish_on(elsewhere.get_data(as_text=True))).headers["Location"] == "/staff"
