"""A page left open past the idle limit: what was typed is kept for the same person, and only them.

Through the real development provider over HTTP, as a browser would: the answers are sent after
the session has timed out, the person identifies again and comes back to the page with them.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select, update

from portal.models import UserSession
from tests.integration.oidc_helpers import sign_in
from tests.integration.questionnaire_helpers import assign, at, put_answers, stored

MAIJA = "150385-9013"
ANNA_LENA = "020792-902S"
TYPED = "Selkä kipeytyy, jos seison yli tunnin. Istumatyö sujuu tauoilla."
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="answers_version" type="hidden" value="(\d+)"')


def _open_page(app, db, demo, live_server) -> tuple[requests.Session, str, str, object]:
    """Maija signed in with the health details page open; the response is returned last."""
    response = assign(app, db, demo["client_fi"], demo["adviser"], interview_at=at(2026, 12, 10))
    put_answers(app, db, response, {"health_affects_work": "a_lot"}, page="health_details")
    browser = sign_in(live_server.url, MAIJA).browser
    url = f"{live_server.url}/questionnaires/{response.id}/pages/health_details"
    page = browser.get(url)
    assert page.status_code == 200
    return browser, url, page.text, response


def _idle_for(db, person_id: int, minutes: int, *, staff: bool = False) -> None:
    whose = UserSession.staff_user_id if staff else UserSession.client_id
    db.execute(
        update(UserSession)
        .where(whose == person_id)
        .values(last_seen_at=datetime.now(UTC) - timedelta(minutes=minutes))
    )
    db.commit()


def _typed(page: str, **extra: str) -> dict[str, str]:
    return {
        "csrf_token": CSRF.search(page).group(1),
        "answers_version": VERSION.search(page).group(1),
        "health_description": TYPED,
        "action": "continue",
        **extra,
    }


def test_answers_sent_after_the_timeout_come_back_to_the_page_after_signing_in_again(
    app, db, demo, live_server
):
    browser, url, page, response = _open_page(app, db, demo, live_server)
    _idle_for(db, demo["client_fi"].id, 31)

    sent = browser.post(url, data=_typed(page), allow_redirects=False)
    assert sent.status_code == 303
    to_sign_in = urlsplit(sent.headers["Location"])
    assert to_sign_in.path == "/sign-in"
    assert parse_qs(to_sign_in.query)["reason"] == ["idle"]
    assert "health_description" not in stored(app, db, response).answers  # nothing saved yet

    notice = browser.get(live_server.url + sent.headers["Location"]).text
    assert "Sivulle kirjoittamasi on tallessa" in notice
    # Kept sealed: the session table does not show what was typed.
    rows = db.scalars(select(UserSession.data)).all()
    assert rows
    assert not any("Selkä" in json.dumps(row) or "kipeytyy" in json.dumps(row) for row in rows)

    back = sign_in(live_server.url, MAIJA, browser).response
    assert back.url == url
    assert "Tämän sivun vastauksia ei ole vielä tallennettu" in back.text
    assert TYPED in back.text
    assert "health_description" not in stored(app, db, response).answers

    saved = browser.post(url, data=_typed(back.text), allow_redirects=False)
    assert saved.status_code == 302
    assert stored(app, db, response).answers["health_description"] == TYPED
    # Handed back once: the page now shows the saved answer, without the notice.
    again = browser.get(url).text
    assert "ei ole vielä tallennettu" not in again
    assert TYPED in again


def test_someone_else_signing_in_on_the_same_browser_does_not_get_the_typed_answers(
    app, db, demo, live_server
):
    browser, url, page, response = _open_page(app, db, demo, live_server)
    _idle_for(db, demo["client_fi"].id, 31)
    assert browser.post(url, data=_typed(page), allow_redirects=False).status_code == 303

    other = sign_in(live_server.url, ANNA_LENA, browser).response
    assert other.url == f"{live_server.url}/home"
    assert TYPED not in other.text
    assert browser.get(url).status_code == 404
    rows = db.scalars(select(UserSession.data).where(UserSession.client_id == demo["client_sv"].id)).all()
    assert rows
    assert all("form_pending" not in row and "form_kept" not in row for row in rows)

    # Maija herself, signing in afterwards on this browser, gets nothing back either: it was let go.
    browser.post(f"{live_server.url}/sign-out", data={"csrf_token": CSRF.search(other.text).group(1)})
    maija = sign_in(live_server.url, MAIJA, browser).response
    assert maija.url == f"{live_server.url}/home"
    assert TYPED not in browser.get(url).text
    assert "health_description" not in stored(app, db, response).answers


def test_a_form_without_the_ended_sessions_csrf_token_is_not_kept(app, db, demo, live_server):
    browser, url, page, _response = _open_page(app, db, demo, live_server)
    _idle_for(db, demo["client_fi"].id, 31)

    forged = browser.post(url, data=_typed(page, csrf_token="forged"), allow_redirects=False)
    assert forged.status_code == 400
    assert "Sivu oli vanhentunut" in forged.text
    assert "Sivulle kirjoittamasi on tallessa" not in browser.get(f"{live_server.url}/sign-in").text
    assert sign_in(live_server.url, MAIJA, browser).response.url == f"{live_server.url}/home"
    assert TYPED not in browser.get(url).text


def test_a_session_that_is_still_open_saves_as_usual(app, db, demo, live_server):
    browser, url, page, response = _open_page(app, db, demo, live_server)
    _idle_for(db, demo["client_fi"].id, 29)

    sent = browser.post(url, data=_typed(page, action="save_later"), allow_redirects=False)
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/questionnaires/{response.id}/saved")
    assert stored(app, db, response).answers["health_description"] == TYPED


def _sent_after_timeout(
    db, browser: requests.Session, person_id: int, url: str, data: dict[str, str], *, staff: bool = False
) -> str:
    """Open the page, let the session time out, send the form (to `action`, else to the page itself);
    return where the portal sends the browser: the sign-in page."""
    action = data.pop("action_url", url)
    page = browser.get(url).text
    _idle_for(db, person_id, 31, staff=staff)
    sent = browser.post(
        action, data={"csrf_token": CSRF.search(page).group(1), **data}, allow_redirects=False
    )
    assert sent.status_code == 303
    return sent.headers["Location"]


def test_a_booking_sent_after_the_timeout_is_not_made_but_its_details_come_back(app, db, demo, live_server):
    from tests.integration.booking_support import bookings, may_book, publish_times

    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_sv"], demo["adviser"])
    swedish = requests.Session()
    swedish.headers["Accept-Language"] = "sv"
    browser = sign_in(live_server.url, ANNA_LENA, swedish).browser
    url = f"{live_server.url}/appointments/book/rehabilitation_interview/{ids[0]}"
    details = {"modality": "video", "interpreter": "no", "message": "Jag kommer med min stödperson."}

    to_sign_in = _sent_after_timeout(db, browser, demo["client_sv"].id, url, details)
    assert "Det du skrev på sidan finns kvar" in browser.get(live_server.url + to_sign_in).text
    assert bookings(db) == []

    back = sign_in(live_server.url, ANNA_LENA, browser).response
    assert back.url == url
    assert "Tiden har inte bokats ännu" in back.text
    assert "Jag kommer med min stödperson." in back.text
    assert re.search(r'<input[^>]*value="video"[^>]*checked', back.text)
    assert bookings(db) == []


def test_a_move_sent_after_the_timeout_moves_nothing_but_the_choice_comes_back(app, db, demo, live_server):
    from tests.conftest import signed_in
    from tests.integration.booking_support import book_as_client, bookings, may_book, publish_times

    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    browser = sign_in(live_server.url, MAIJA).browser
    assert book_as_client(signed_in(app, demo["client_fi"]), ids[0], modality="in_person").status_code == 302
    (booking,) = bookings(db)
    url = f"{live_server.url}/appointments/{booking.id}/move/{ids[1]}"

    chosen = {"modality": "phone", "phone": "040 765 4321"}
    _sent_after_timeout(db, browser, demo["client_fi"].id, url, chosen)
    back = sign_in(live_server.url, MAIJA, browser).response
    assert back.url == url
    assert "Aikaa ei ole vielä siirretty" in back.text
    assert re.search(r'<input[^>]*value="phone"[^>]*checked', back.text)
    assert 'value="040 765 4321"' in back.text
    (unmoved,) = bookings(db)
    assert (unmoved.slot_id, unmoved.modality) == (ids[0], "in_person")


def test_contact_details_sent_after_the_timeout_come_back_unsaved(app, db, demo, live_server):
    from portal.models import Client

    browser = sign_in(live_server.url, MAIJA).browser
    url = f"{live_server.url}/my-data/contact"
    typed = {"email": "uusi.osoite@example.fi", "phone": "", "notify_by": "email", "locale": "fi"}

    _sent_after_timeout(db, browser, demo["client_fi"].id, url, typed)
    back = sign_in(live_server.url, MAIJA, browser).response
    assert back.url == url
    assert "Kirjoittamaasi ei ole vielä tallennettu" in back.text
    assert 'value="uusi.osoite@example.fi"' in back.text
    db.expire_all()
    assert db.get(Client, demo["client_fi"].id).email == "maija.meikalainen@example.fi"


def test_another_tab_reaching_the_sign_in_page_first_does_not_lose_what_was_typed(app, db, demo, live_server):
    """Two tabs, one cookie: at the limit the idle tab goes to the sign-in page (which begins a new
    session) a moment before the other tab's page sends its form to be kept."""
    browser = sign_in(live_server.url, MAIJA).browser
    url = f"{live_server.url}/my-data/contact"
    page = browser.get(url).text
    _idle_for(db, demo["client_fi"].id, 31)
    other_tab = browser.get(f"{live_server.url}/sign-in", params={"reason": "idle"})
    assert other_tab.status_code == 200
    typed = {"email": "toinen.valilehti@example.fi", "phone": "", "notify_by": "email", "locale": "fi"}
    sent = browser.post(
        f"{live_server.url}/session/keep",
        data={"csrf_token": CSRF.search(page).group(1), "return_to": "/my-data/contact", **typed},
        allow_redirects=False,
    )
    assert sent.status_code == 303, "kept, not refused as an out-of-date page"
    back = sign_in(live_server.url, MAIJA, browser).response
    assert back.url == url
    assert 'value="toinen.valilehti@example.fi"' in back.text
    assert "Kirjoittamaasi ei ole vielä tallennettu" in back.text


def test_a_session_begun_at_a_timeout_keeps_nothing_for_a_form_of_another_session(app, db, demo, live_server):
    browser = sign_in(live_server.url, MAIJA).browser
    _idle_for(db, demo["client_fi"].id, 31)
    browser.get(f"{live_server.url}/sign-in", params={"reason": "idle"})
    planted = browser.post(
        f"{live_server.url}/session/keep",
        data={
            "csrf_token": "not-the-ended-sessions-token",
            "return_to": "/my-data/contact",
            "email": "a@b.fi",
        },
        allow_redirects=False,
    )
    assert planted.status_code == 400


def test_a_consent_sent_after_the_timeout_is_not_signed_but_the_choices_come_back(app, db, demo, live_server):
    from tests.integration.consent_helpers import issue, sign_form, signatures

    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    browser = sign_in(live_server.url, MAIJA).browser
    url = f"{live_server.url}/consents/{request_id}"
    page = browser.get(url).text
    _idle_for(db, demo["client_fi"].id, 31)

    choices = {**sign_form(page), "purposes": ["provider_contact"]}
    sent = browser.post(url, data=choices, allow_redirects=False)
    assert sent.status_code == 303
    assert signatures(db, request_id) == 0
    back = sign_in(live_server.url, MAIJA, browser).response
    assert back.url == url
    assert "Valintasi ovat tallessa" in back.text
    assert "checked" in re.search(r'<input[^>]*value="provider_contact"[^>]*>', back.text).group(0)
    assert signatures(db, request_id) == 0


@pytest.mark.parametrize("act", ["decline", "revoke"])
def test_a_reason_sent_after_the_timeout_changes_nothing_and_comes_back(app, db, demo, live_server, act):
    from portal.models import ConsentEvent
    from tests.integration.consent_helpers import count, issue, sign_form

    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    browser = sign_in(live_server.url, MAIJA).browser
    if act == "revoke":
        page = browser.get(f"{live_server.url}/consents/{request_id}").text
        assert browser.post(f"{live_server.url}/consents/{request_id}", data=sign_form(page)).ok
    events = count(db, ConsentEvent, ConsentEvent.request_id == request_id)
    url = f"{live_server.url}/consents/{request_id}/{act}"
    reason = "Haluan ensin puhua asiasta omaohjaajani kanssa."

    _sent_after_timeout(db, browser, demo["client_fi"].id, url, {"reason": reason})
    back = sign_in(live_server.url, MAIJA, browser).response
    assert back.url == url
    assert "Mitään ei ole vielä tehty" in back.text
    assert reason in back.text
    assert count(db, ConsentEvent, ConsentEvent.request_id == request_id) == events


RIIKKA = "riikka.rantanen@kela.example"


def test_an_advisers_note_sent_after_the_timeout_comes_back_to_the_review_page(app, db, demo, live_server):
    from portal.models import ReviewNote
    from tests.integration.consent_helpers import count
    from tests.integration.questionnaire_helpers import ALL_PAGES, submitted

    response = submitted(app, db, demo["client_fi"], demo["adviser"], ALL_PAGES)
    browser = sign_in(live_server.url, RIIKKA).browser
    url = f"{live_server.url}/staff/questionnaires/{response.id}"
    note = "Soita ennen haastattelua: toivoo tulkkia puhelinhaastatteluun."

    to_sign_in = _sent_after_timeout(
        db, browser, demo["adviser"].id, url, {"action_url": f"{url}/notes", "text": note}, staff=True
    )
    assert parse_qs(urlsplit(to_sign_in).query)["next"] == [f"/staff/questionnaires/{response.id}"]
    back = sign_in(live_server.url, RIIKKA, browser).response
    assert back.url == url
    assert "Muistiinpanoasi ei ole vielä tallennettu" in back.text
    assert note in back.text
    assert count(db, ReviewNote, ReviewNote.response_id == response.id) == 0


def test_a_consent_request_sent_after_the_timeout_is_not_issued_but_comes_back(app, db, demo, live_server):
    from portal.models import ConsentRequest
    from tests.integration.consent_helpers import assign as assign_client
    from tests.integration.consent_helpers import count

    assign_client(app, db, demo["staff"], demo["client_sv"])
    browser = sign_in(live_server.url, demo["staff"].email).browser
    url = f"{live_server.url}/staff/clients/{demo['client_sv'].id}/consents/new"
    message = "Tarvitsemme suostumuksesi ennen verkostotapaamista."
    typed = {"template": "tym_data_exchange", "message": message, "due_on": "2027-01-15"}

    _sent_after_timeout(db, browser, demo["staff"].id, url, typed, staff=True)
    back = sign_in(live_server.url, demo["staff"].email, browser).response
    assert back.url == url
    assert "Mitään ei ole vielä tehty" in back.text
    assert message in back.text
    assert count(db, ConsentRequest, ConsentRequest.client_id == demo["client_sv"].id) == 0


def test_a_booking_for_a_client_sent_after_the_timeout_is_not_made_but_comes_back(app, db, demo, live_server):
    from tests.integration.booking_support import bookings, may_book, publish_times

    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    browser = sign_in(live_server.url, RIIKKA).browser
    client_id = demo["client_fi"].id
    url = f"{live_server.url}/staff/booking/clients/{client_id}/book/rehabilitation_interview/{ids[0]}"
    details = {
        "modality": "phone",
        "phone": "040 123 4567",
        "interpreter": "no",
        "message": "Soitan asiakkaalle tulkin kanssa.",
    }

    _sent_after_timeout(db, browser, demo["adviser"].id, url, details, staff=True)
    back = sign_in(live_server.url, RIIKKA, browser).response
    assert back.url == url
    assert "Aikaa ei ole vielä varattu" in back.text
    assert "Soitan asiakkaalle tulkin kanssa." in back.text
    assert bookings(db) == []


# --- The page's own sending at the time limit (/session/keep) -----------------------------------


def test_the_page_sending_itself_at_the_limit_keeps_the_form_without_acting_on_it(app, db, demo, live_server):
    from tests.integration.booking_support import bookings, may_book, publish_times

    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    browser = sign_in(live_server.url, MAIJA).browser
    path = f"/appointments/book/rehabilitation_interview/{ids[0]}"
    details = {
        "action_url": f"{live_server.url}/session/keep",
        "return_to": path,
        "modality": "phone",
        "phone": "040 123 4567",
        "interpreter": "no",
        "message": "Soittakaa iltapäivällä.",
    }
    to_sign_in = _sent_after_timeout(db, browser, demo["client_fi"].id, live_server.url + path, details)
    assert parse_qs(urlsplit(to_sign_in).query)["next"] == [path]
    back = sign_in(live_server.url, MAIJA, browser).response
    assert back.url == live_server.url + path
    assert "Soittakaa iltapäivällä." in back.text
    assert "Aikaa ei ole vielä varattu" in back.text
    assert bookings(db) == []


@pytest.mark.parametrize("return_to", ["/home", "//example.org/x", "https://example.org/", "/no/such/page"])
def test_the_keeping_address_keeps_nothing_for_a_page_that_does_not_take_it_back(
    app, db, demo, live_server, return_to
):
    browser, _url, page, _response = _open_page(app, db, demo, live_server)
    _idle_for(db, demo["client_fi"].id, 31)
    sent = browser.post(
        f"{live_server.url}/session/keep",
        data={**_typed(page), "return_to": return_to},
        allow_redirects=False,
    )
    assert sent.status_code == 400
    assert "Sivulle kirjoittamasi on tallessa" not in browser.get(f"{live_server.url}/sign-in").text
    assert sign_in(live_server.url, MAIJA, browser).response.url == f"{live_server.url}/home"


def test_the_keeping_address_hands_the_form_straight_back_while_the_session_is_open(
    app, db, demo, live_server
):
    browser, url, page, response = _open_page(app, db, demo, live_server)
    path = urlsplit(url).path
    sent = browser.post(f"{live_server.url}/session/keep", data={**_typed(page), "return_to": path})
    assert sent.url == url
    assert TYPED in sent.text
    assert "health_description" not in stored(app, db, response).answers
    # Once: the page shows the saved answers afterwards.
    assert TYPED not in browser.get(url).text


def test_a_pathway_note_sent_after_the_timeout_comes_back_to_the_pathway_page(app, db, demo, live_server):
    from portal.i18n import today
    from portal.models import PathwayEvent
    from portal.services.audit import SYSTEM
    from portal.services.clients import assign as assign_client
    from portal.services.pathway import Change, start_pathway
    from tests.integration.consent_helpers import count

    with app.app_context():
        assign_client(db, SYSTEM, demo["client_fi"], demo["adviser"])
        start_pathway(db, SYSTEM, demo["client_fi"], "kela_vocational_rehabilitation", Change(today()))
    events = count(db, PathwayEvent)
    browser = sign_in(live_server.url, RIIKKA).browser
    url = f"{live_server.url}/staff/clients/{demo['client_fi'].id}/pathway"
    page = browser.get(url).text
    note = "Asiakas toivoo työkokeilua lähellä kotia."
    typed = {
        "action_url": f"{url}/note",
        "note-note": note,
        "note-version": re.search(r'name="note-version" value="(\d+)"', page).group(1),
    }

    _sent_after_timeout(db, browser, demo["adviser"].id, url, typed, staff=True)
    back = sign_in(live_server.url, RIIKKA, browser).response
    assert back.url == url
    assert "Mitään ei ole vielä tehty" in back.text
    assert note in back.text
    assert re.search(r'<details class="action-box" open>\s*<summary><h2>Lisää muistiinpano</h2>', back.text)
    assert count(db, PathwayEvent) == events
    # Saved from the page it came back to.
    token = CSRF.search(back.text).group(1)
    version = re.search(r'name="note-version" value="(\d+)"', back.text).group(1)
    day = today()
    saved = browser.post(
        f"{url}/note",
        data={
            "csrf_token": token,
            "note-note": note,
            "note-version": version,
            "note-effective_on-day": str(day.day),
            "note-effective_on-month": str(day.month),
            "note-effective_on-year": str(day.year),
        },
    )
    assert saved.ok
    assert count(db, PathwayEvent) == events + 1


def test_a_cancellation_reason_sent_after_the_timeout_cancels_nothing_and_comes_back(
    app, db, demo, live_server
):
    from tests.conftest import login_as
    from tests.integration.booking_support import book_as_client, bookings, may_book, publish_times

    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    maija = app.test_client()
    login_as(app, maija, demo["client_fi"])
    assert book_as_client(maija, ids[0]).status_code == 302
    (booking,) = bookings(db)
    browser = sign_in(live_server.url, RIIKKA).browser
    url = f"{live_server.url}/staff/bookings/{booking.id}/cancel"
    reason = "Neuvoja sairastui, uusi aika sovitaan puhelimessa."

    _sent_after_timeout(db, browser, demo["adviser"].id, url, {"reason": reason}, staff=True)
    back = sign_in(live_server.url, RIIKKA, browser).response
    assert back.url == url
    assert "Mitään ei ole vielä tehty" in back.text
    assert reason in back.text
    assert [b.status for b in bookings(db)] == ["booked"]


@pytest.mark.parametrize("sent_by", ["button", "page"])
def test_a_page_opened_from_the_check_page_comes_back_with_its_way_back(app, db, demo, live_server, sent_by):
    browser, url, _page, _response = _open_page(app, db, demo, live_server)
    address = f"{urlsplit(url).path}?return=check"
    page = browser.get(live_server.url + address).text
    _idle_for(db, demo["client_fi"].id, 31)
    action = live_server.url + (address if sent_by == "button" else "/session/keep")
    extra = {} if sent_by == "button" else {"return_to": address}
    sent = browser.post(action, data={**_typed(page), **extra}, allow_redirects=False)
    assert sent.status_code == 303
    back = sign_in(live_server.url, MAIJA, browser).response
    assert back.url == live_server.url + address
    assert TYPED in back.text
    assert "Takaisin vastausten tarkistukseen" in back.text  # the button, not "Edellinen sivu"


@pytest.mark.parametrize(("language", "lands_in"), [("sv", "sv"), ("xx", "fi")])
def test_the_keeping_address_sent_by_the_language_switch_hands_back_in_that_language(
    app, db, demo, live_server, language, lands_in
):
    browser, url, page, response = _open_page(app, db, demo, live_server)
    typed = {**_typed(page), "return_to": urlsplit(url).path, "language": language}
    sent = browser.post(f"{live_server.url}/session/keep", data=typed)
    assert sent.url == url
    assert f'<html lang="{lands_in}">' in sent.text
    assert TYPED in sent.text
    assert "health_description" not in stored(app, db, response).answers
