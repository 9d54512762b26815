"""The professional's side: issuing, the lists by status, remind, cancel, re-issue, the overview, the log."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import event, select, text

from portal.models import (
    AccessLogEntry,
    Client,
    ConsentEvent,
    ConsentRequest,
    ConsentSignature,
    ConsentStatus,
    OutboxMessage,
)
from portal.services import consent as consent_service
from portal.services.consent import request_message
from portal.services.consent_status import today
from tests.conftest import lists_logged, login_as, post_form
from tests.integration.consent_helpers import TYM, actor_of, assign, count, issue, request_row, sign


def due_fields(day: date) -> dict[str, str]:
    return {"due_on-day": str(day.day), "due_on-month": str(day.month), "due_on-year": str(day.year)}


def hidden_fields(page: str) -> dict[str, str]:
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    return {name: html.unescape(value) for name, value in found}


def check_and_send(browser, fields: dict[str, str]):
    """Issuing by identity code: the form shows whom the request goes to; the request leaves from there."""
    check = post_form(browser, "/staff/consents/new", fields)
    assert check.status_code == 200
    return check.get_data(as_text=True), browser.post(
        "/staff/consents/new", data=hidden_fields(check.get_data(as_text=True))
    )


@pytest.fixture
def staff_browser(app, demo):
    browser = app.test_client()
    login_as(app, browser, demo["staff"])
    return browser


def client_browser(app, demo, person="client_fi"):
    browser = app.test_client()
    login_as(app, browser, demo[person])
    return browser


def at(moment: datetime):
    return time_machine.travel(moment, tick=True)


def test_staff_issue_a_request_from_the_client_overview_and_the_client_is_notified(
    app, db, demo, staff_browser
):
    maija = demo["client_fi"]
    maija.phone = "+358401234567"
    maija.notify_by = "both"  # she asked for both e-mail and text messages
    db.commit()
    assign(app, db, demo["staff"], maija)
    overview = staff_browser.get(f"/staff/clients/{maija.id}").get_data(as_text=True)
    assert f'href="/staff/clients/{maija.id}/consents/new"' in overview
    form_url = f"/staff/clients/{maija.id}/consents/new"
    page = staff_browser.get(form_url).get_data(as_text=True)
    assert "Suostumus tietojen vaihtamiseen TYM-yhteistyössä" in page
    due = today() + timedelta(days=10)
    response = post_form(
        staff_browser,
        form_url,
        {"template": TYM, "message": "Hei Maija, lue tämä rauhassa.", **due_fields(due)},
    )
    assert response.status_code == 303
    consent = db.scalars(select(ConsentRequest)).one()
    assert response.headers["Location"] == f"/staff/consents/requests/{consent.id}?notice=issued"
    assert (consent.client_id, consent.issued_by_id, consent.status) == (
        maija.id,
        demo["staff"].id,
        "pending",
    )
    assert (consent.template_key, consent.template_version, consent.due_on) == (TYM, 2, due)
    with app.app_context():
        assert request_message(consent) == "Hei Maija, lue tämä rauhassa."
    assert "rauhassa" not in repr(db.execute(text("SELECT * FROM consent_request")).all()), "sealed"
    messages = db.scalars(select(OutboxMessage).order_by(OutboxMessage.channel)).all()
    assert [(m.channel, m.recipient) for m in messages] == [("email", maija.email), ("sms", "+358401234567")]
    assert {m.template_key for m in messages} == {"consent_requested"}
    assert {m.params["path"] for m in messages} == {f"/consents/{consent.id}"}
    assert {m.locale for m in messages} == {"fi"}
    created = db.scalars(select(AccessLogEntry).where(AccessLogEntry.object_type == "consent_request")).all()
    assert (created[0].action, created[0].client_id) == ("create", maija.id)
    detail = staff_browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pyyntö on lähetetty." in detail
    assert "Hei Maija, lue tämä rauhassa." in client_browser(app, demo).get(
        f"/consents/{consent.id}"
    ).get_data(as_text=True)


def test_the_swedish_client_is_notified_in_swedish(app, db, demo):
    issue(app, db, demo["staff"], demo["client_sv"])
    message = db.scalars(select(OutboxMessage)).one()
    assert (message.locale, message.recipient) == ("sv", demo["client_sv"].email)


def test_issuing_by_hetu_is_validated_and_logged_and_the_client_joins_my_clients(
    app, db, demo, staff_browser
):
    url = "/staff/consents/new"
    wrong = post_form(staff_browser, url, {"hetu": "150385-9014", "template": TYM, **due_fields(today())})
    assert wrong.status_code == 422
    assert "Tarkista henkilötunnus:" in wrong.get_data(as_text=True)
    past = post_form(
        staff_browser,
        url,
        {"hetu": "240600A903E", "template": TYM, **due_fields(today() - timedelta(days=1))},
    )
    assert past.status_code == 422
    assert "Vastauspäivä ei voi olla mennyt päivä." in past.get_data(as_text=True)
    nothing = post_form(staff_browser, url, {"hetu": "240600A903E"})
    assert nothing.status_code == 422
    assert "Valitse, mitä suostumusta pyydät." in nothing.get_data(as_text=True)
    assert count(db, ConsentRequest) == 0
    check, done = check_and_send(
        staff_browser, {"hetu": "240600a903e", "template": TYM, **due_fields(today())}
    )
    assert "Tarkista, että pyyntö menee oikealle henkilölle." in check
    assert "240600A903E" in check
    assert "Veeti Šalin" in check
    assert "Asiakas lisätään omiin asiakkaisiisi." in check
    assert done.status_code == 303
    consent = db.scalars(select(ConsentRequest)).one()
    assert consent.client_id == demo["client_young"].id
    searches = db.scalars(
        select(AccessLogEntry.purpose)
        .where(AccessLogEntry.object_type == "client_search")
        .order_by(AccessLogEntry.id)
    ).all()
    assert searches == ["check whom a consent request goes to", "issue a consent request"]
    assert "Veeti Šalin" in staff_browser.get("/staff/clients").get_data(as_text=True)


def test_a_pasted_hetu_with_spaces_around_it_is_read_as_typed(app, db, demo, staff_browser):
    url = "/staff/consents/new"
    blank = post_form(staff_browser, url, {"hetu": " \t ", "template": TYM, **due_fields(today())})
    assert blank.status_code == 422
    assert "Kirjoita henkilötunnus." in blank.get_data(as_text=True)
    pasted = {"hetu": " 240600a903e\u00a0", "template": TYM, **due_fields(today())}
    assert check_and_send(staff_browser, pasted)[1].status_code == 303
    consent = db.scalars(select(ConsentRequest)).one()
    assert consent.client_id == demo["client_young"].id


def test_a_request_by_identity_code_leaves_only_from_the_page_showing_whom_it_goes_to(
    app, db, demo, staff_browser
):
    url = "/staff/consents/new"
    typed = {
        "hetu": "010190-999W",
        "template": TYM,
        "message": "Hei,\nsoitan huomenna.",
        **due_fields(today()),
    }
    check = post_form(staff_browser, url, typed).get_data(as_text=True)
    assert "Nimi ei vielä tiedossa" in check
    assert "Henkilö ei ole vielä käyttänyt Polkua." in check
    assert (count(db, ConsentRequest), count(db, Client)) == (0, 4), "nothing is made before sending"
    changed = staff_browser.post(url, data={**hidden_fields(check), "change": "1"})
    form = changed.get_data(as_text=True)
    assert changed.status_code == 200
    assert 'value="010190-999W"' in form
    assert "soitan huomenna.</textarea>" in form
    assert count(db, ConsentRequest) == 0
    sent = staff_browser.post(url, data=hidden_fields(check))
    consent = db.scalars(select(ConsentRequest)).one()
    assert sent.headers["Location"] == f"/staff/consents/requests/{consent.id}?notice=issued"
    with app.app_context():
        assert request_message(consent) == "Hei,\nsoitan huomenna."
    forged = {**hidden_fields(check), "hetu": "010190-999X"}
    refused = staff_browser.post(url, data=forged)
    assert refused.status_code == 422
    assert count(db, ConsentRequest) == 1


def test_the_check_page_says_when_the_same_consent_is_already_waiting_and_offers_no_second(
    app, db, demo, staff_browser
):
    first = issue(app, db, demo["staff"], demo["client_young"])
    assign(app, db, demo["staff"], demo["client_young"])
    form = staff_browser.get("/staff/consents/new").get_data(as_text=True)
    assert ">Jatka</button>" in form, "the request leaves from the next page, not this one"
    check = post_form(
        staff_browser, "/staff/consents/new", {"hetu": "240600A903E", "template": TYM, **due_fields(today())}
    )
    page = check.get_data(as_text=True)
    assert "Asiakkaalla on jo tästä suostumuksesta pyyntö, joka odottaa vastausta." in page
    assert f'href="/staff/consents/requests/{first}">Avaa pyyntö</a>' in page
    assert ">Lähetä pyyntö</button>" not in page
    assert count(db, ConsentRequest) == 1
    # A professional not yet working with the client is told too, without a link they could not open.
    riikka = app.test_client()
    login_as(app, riikka, demo["adviser"])
    theirs = post_form(
        riikka, "/staff/consents/new", {"hetu": "240600A903E", "template": TYM, **due_fields(today())}
    )
    told = theirs.get_data(as_text=True)
    assert "Asiakkaalla on jo tästä suostumuksesta pyyntö, joka odottaa vastausta." in told
    assert ">Lähetä pyyntö</button>" not in told
    assert f'href="/staff/consents/requests/{first}"' not in told


def test_a_cancelled_request_can_be_sent_again(app, db, demo, staff_browser):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    url = f"/staff/consents/requests/{request_id}"
    post_form(staff_browser, url, {}, f"{url}/cancel")
    page = staff_browser.get(url).get_data(as_text=True)
    assert "Voit lähettää perutun pyynnön uudelleen." in page
    response = post_form(staff_browser, url, {}, f"{url}/reissue")
    new = db.scalars(select(ConsentRequest).where(ConsentRequest.id != request_id)).one()
    assert response.headers["Location"] == f"/staff/consents/requests/{new.id}?notice=reissued"
    assert (new.status, new.reissued_from_id) == (ConsentStatus.PENDING, request_id)
    old = staff_browser.get(url).get_data(as_text=True)
    assert "Lähetä uusi pyyntö" not in old, "one pending request is enough"
    assert f'href="/staff/consents/requests/{new.id}">Avaa uudempi pyyntö' in old
    assert (
        post_form(staff_browser, url, {}, f"{url}/reissue")
        .headers["Location"]
        .endswith(f"/staff/consents/requests/{new.id}?notice=already-pending")
    )


def test_the_same_consent_is_not_requested_twice(app, db, demo, staff_browser):
    first = issue(app, db, demo["staff"], demo["client_fi"])
    url = f"/staff/clients/{demo['client_fi'].id}/consents/new"
    again = post_form(staff_browser, url, {"template": TYM, **due_fields(today())})
    assert again.headers["Location"] == f"/staff/consents/requests/{first}?notice=already-pending"
    assert count(db, ConsentRequest) == 1


def test_requests_are_listed_by_status_with_counts(app, db, demo, staff_browser):
    pending = issue(app, db, demo["staff"], demo["client_fi"])
    signed = issue(app, db, demo["staff"], demo["client_sv"])
    sign(client_browser(app, demo, "client_sv"), signed)
    cancelled = issue(app, db, demo["staff"], demo["client_young"])
    post_form(
        staff_browser,
        f"/staff/consents/requests/{cancelled}",
        {},
        f"/staff/consents/requests/{cancelled}/cancel",
    )
    declined = issue(app, db, demo["staff"], demo["client_new_sign"])
    post_form(client_browser(app, demo, "client_new_sign"), f"/consents/{declined}/decline", {})
    page = staff_browser.get("/staff/consents").get_data(as_text=True)
    for label, number in [("Odottaa vastausta", 1), ("Allekirjoitettu, voimassa", 1), ("Kieltäydytty", 1),
                          ("Pyyntö peruttu", 1), ("Suostumus peruttu", 0),
                          ("Vanhentunut", 0)]:  # fmt: skip
        assert f"{label} ({number})" in page
    assert f'href="/staff/consents/requests/{pending}"' in page
    assert f'href="/staff/consents/requests/{signed}"' not in page
    signed_page = staff_browser.get("/staff/consents?status=signed").get_data(as_text=True)
    assert f'href="/staff/consents/requests/{signed}"' in signed_page
    assert f'href="/staff/consents/requests/{pending}"' not in signed_page
    assert (
        f"/staff/consents/requests/{cancelled}" in staff_browser.get("/staff/consents?status=cancelled").text
    )
    assert f"/staff/consents/requests/{declined}" in staff_browser.get("/staff/consents?status=declined").text
    # Another professional's requests are not in my list.
    adviser = app.test_client()
    login_as(app, adviser, demo["adviser"])
    assert "/staff/consents/requests/" not in adviser.get("/staff/consents").get_data(as_text=True)


def test_a_reminder_goes_a_day_after_the_request_at_the_earliest_and_at_most_once_a_day(
    app, db, demo, staff_browser
):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    url = f"/staff/consents/requests/{request_id}"
    reminders = OutboxMessage.idempotency_key.like("consent-reminder:%")
    # The request itself went a moment ago: a reminder now would be a second message at once.
    at_once = post_form(staff_browser, url, {}, f"{url}/remind")
    assert at_once.headers["Location"] == f"{url}?notice=reminded-already"
    assert "aikaisintaan vuorokauden kuluttua" in staff_browser.get(at_once.headers["Location"]).get_data(
        as_text=True
    )
    assert count(db, OutboxMessage, reminders) == 0
    with at(datetime.now(UTC) + timedelta(hours=25)):
        login_as(app, staff_browser, demo["staff"])
        first = post_form(staff_browser, url, {}, f"{url}/remind")
        assert first.headers["Location"] == f"{url}?notice=reminded"
        second = post_form(staff_browser, url, {}, f"{url}/remind")
        assert second.headers["Location"] == f"{url}?notice=reminded-already"
    assert count(db, OutboxMessage, reminders) == 1
    assert count(db, ConsentEvent, ConsentEvent.kind == "reminded") == 1
    with at(datetime.now(UTC) + timedelta(hours=50)):
        login_as(app, staff_browser, demo["staff"])
        third = post_form(staff_browser, url, {}, f"{url}/remind")
        assert third.headers["Location"] == f"{url}?notice=reminded"
    assert count(db, OutboxMessage, reminders) == 2


def test_two_staff_members_reminding_at_once_send_one_reminder(app, db, demo):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    maker = app.extensions["polku.sessionmaker"]
    actor = actor_of(demo["staff"])
    with at(datetime.now(UTC) + timedelta(hours=25)), app.app_context(), maker() as one, maker() as two:
        # Both read the request before either reminds: each sees that a reminder may go.
        first, second = one.get(ConsentRequest, request_id), two.get(ConsentRequest, request_id)
        assert consent_service.remind(one, actor, first) is True
        assert consent_service.remind(two, actor, second) is False
    assert count(db, OutboxMessage, OutboxMessage.idempotency_key.like("consent-reminder:%")) == 1
    assert count(db, ConsentEvent, ConsentEvent.kind == "reminded") == 1


def test_a_cancelled_request_is_shown_to_the_client_and_cannot_be_signed(app, db, demo, staff_browser):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    maija = client_browser(app, demo)
    page = maija.get(f"/consents/{request_id}").get_data(as_text=True)
    url = f"/staff/consents/requests/{request_id}"
    assert post_form(staff_browser, url, {}, f"{url}/cancel").headers["Location"] == f"{url}?notice=cancelled"
    assert request_row(db, request_id).status == ConsentStatus.CANCELLED
    assert "Lähettäjä perui tämän pyynnön" in maija.get(f"/consents/{request_id}").get_data(as_text=True)
    from tests.integration.consent_helpers import sign_form

    assert maija.post(f"/consents/{request_id}", data=sign_form(page)).status_code == 409
    again = post_form(staff_browser, url, {}, f"{url}/cancel")
    assert again.status_code == 409
    assert count(db, ConsentEvent, ConsentEvent.kind == "cancelled") == 1


def test_an_expired_request_can_be_issued_again(app, db, demo, staff_browser):
    request_id = issue(app, db, demo["staff"], demo["client_fi"], due_on=today())
    url = f"/staff/consents/requests/{request_id}"
    assert post_form(staff_browser, url, {}, f"{url}/reissue").status_code == 409  # still open
    with at(datetime.now(UTC) + timedelta(days=2)):
        login_as(app, staff_browser, demo["staff"])
        page = staff_browser.get(url).get_data(as_text=True)
        assert "Vanhentunut" in page
        assert "Lähetä uusi pyyntö" in page
        expired_list = staff_browser.get("/staff/consents?status=expired").get_data(as_text=True)
        assert f'href="{url}"' in expired_list
        response = post_form(staff_browser, url, {}, f"{url}/reissue")
        new = db.scalars(select(ConsentRequest).where(ConsentRequest.id != request_id)).one()
        assert response.headers["Location"] == f"/staff/consents/requests/{new.id}?notice=reissued"
        assert new.reissued_from_id == request_id
        assert new.due_on == today() + timedelta(days=14)
        assert new.status == ConsentStatus.PENDING
    assert (
        count(db, ConsentEvent, ConsentEvent.kind == "reissued", ConsentEvent.request_id == request_id) == 1
    )
    assert count(db, OutboxMessage) == 2


def test_a_professional_does_not_reach_requests_of_clients_not_theirs(app, db, demo):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    adviser = app.test_client()
    login_as(app, adviser, demo["adviser"])
    url = f"/staff/consents/requests/{request_id}"
    assert adviser.get(url).status_code == 404
    token_page = adviser.get("/staff/consents").get_data(as_text=True)
    from tests.conftest import csrf_token_from

    token = csrf_token_from(token_page)
    for action in ("remind", "cancel", "reissue"):
        assert adviser.post(f"{url}/{action}", data={"csrf_token": token}).status_code == 404
    assert adviser.get(f"/staff/clients/{demo['client_fi'].id}/consents/new").status_code == 404
    assert request_row(db, request_id).status == ConsentStatus.PENDING
    assert count(db, ConsentEvent) == 1
    assert count(db, OutboxMessage) == 1


def test_the_overview_shows_what_a_valid_consent_covers_and_follows_each_step(app, db, demo, staff_browser):
    maija = demo["client_fi"]
    request_id = issue(app, db, demo["staff"], maija)
    overview = f"/staff/clients/{maija.id}"

    def coverage_cells() -> int:
        page = staff_browser.get(overview).get_data(as_text=True)
        section = page[page.index('id="consent-heading"') :]
        return section.count("<strong>Kyllä</strong>")

    assert coverage_cells() == 0
    sign(client_browser(app, demo), request_id, purposes=("provider_contact",))
    # Four purposes, three parties: every cell covered now.
    assert coverage_cells() == 12
    page = staff_browser.get(overview).get_data(as_text=True)
    assert "Allekirjoitettu, voimassa" in page
    post_form(client_browser(app, demo), f"/consents/{request_id}/revoke", {})
    assert coverage_cells() == 0
    assert "Suostumus peruttu" in staff_browser.get(overview).get_data(as_text=True)
    views = db.scalars(select(AccessLogEntry).where(AccessLogEntry.object_type == "consents")).all()
    assert len(views) == 5
    assert {(v.action, v.client_id, v.actor_id) for v in views} == {("view", maija.id, demo["staff"].id)}


def test_an_optional_purpose_left_out_is_not_covered(app, db, demo, staff_browser):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    sign(client_browser(app, demo), request_id)
    page = staff_browser.get(f"/staff/clients/{demo['client_fi'].id}").get_data(as_text=True)
    section = page[page.index('id="consent-heading"') :]
    assert section.count("<strong>Kyllä</strong>") == 9


def test_expiry_is_shown_everywhere_and_staff_see_what_ends_soon(app, db, demo, staff_browser):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    sign(client_browser(app, demo), request_id)
    valid_until = request_row(db, request_id)
    from portal.models import ConsentSignature

    last_day = db.scalars(select(ConsentSignature.valid_until)).one()
    with at(datetime.combine(last_day - timedelta(days=10), datetime.min.time(), UTC) + timedelta(hours=10)):
        login_as(app, staff_browser, demo["staff"])
        soon = staff_browser.get("/staff/consents").get_data(as_text=True)
        assert "30 päivän kuluessa päättyvät suostumukset" in soon
        assert f'href="/staff/consents/requests/{request_id}"' in soon
    with at(datetime.combine(last_day + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=10)):
        login_as(app, staff_browser, demo["staff"])
        maija = client_browser(app, demo)
        listing = maija.get("/consents").get_data(as_text=True)
        assert listing.index("Aiemmat suostumukset ja pyynnöt") < listing.index(f"/consents/{request_id}")
        assert "Vanhentunut" in listing
        assert "ei ole enää voimassa" in maija.get(f"/consents/{request_id}").get_data(as_text=True)
        assert "Vanhentunut (1)" in staff_browser.get("/staff/consents").get_data(as_text=True)
        overview = staff_browser.get(f"/staff/clients/{demo['client_fi'].id}").get_data(as_text=True)
        assert "<strong>Kyllä</strong>" not in overview
        assert "consent-status--expired" in overview[overview.index('id="consent-requests"') :]
        assert "Ei suostumusta" in staff_browser.get("/staff/clients").get_data(as_text=True)
        # A consent past its end cannot be revoked either: there is nothing left to stop.
        assert maija.get(f"/consents/{request_id}/revoke").status_code == 409
    assert valid_until.status == ConsentStatus.SIGNED


def test_the_client_list_column_shows_validity_and_waiting_requests(app, db, demo, staff_browser):
    signed = issue(app, db, demo["staff"], demo["client_fi"])
    sign(client_browser(app, demo), signed)
    issue(app, db, demo["staff"], demo["client_sv"])
    assign(app, db, demo["staff"], demo["client_young"])
    page = staff_browser.get("/staff/clients").get_data(as_text=True)
    assert '<th scope="col">Suostumus</th>' in page
    assert "1 suostumus voimassa" in page
    assert "1 pyyntö odottaa" in page
    assert "Ei suostumusta" in page
    staff_browser.get("/language/sv")
    swedish = staff_browser.get(f"/staff/clients/{demo['client_sv'].id}").get_data(as_text=True)
    sent_on = today()
    assert f"Skickad {sent_on.day}.{sent_on.month}.{sent_on.year}" in swedish, "dates written as in Finland"


def test_every_staff_view_of_a_clients_consents_is_logged(app, db, demo, staff_browser):
    first = issue(app, db, demo["staff"], demo["client_fi"])
    issue(app, db, demo["staff"], demo["client_sv"])
    staff_browser.get("/staff/consents")
    shown = {demo["client_fi"].id, demo["client_sv"].id}
    assert [set(ids) for ids in lists_logged(db, "consent_requests")] == [shown]
    staff_browser.get(f"/staff/consents/requests/{first}")
    viewed = db.scalars(select(AccessLogEntry).where(AccessLogEntry.object_type == "consent_request",
                                                     AccessLogEntry.action == "view")).all()  # fmt: skip
    assert [(e.client_id, e.object_id) for e in viewed] == [(demo["client_fi"].id, str(first))]


def test_list_pages_run_the_same_number_of_queries_whatever_the_number_of_requests(
    app, db, demo, staff_browser
):
    engine = app.extensions["polku.engine"]
    people = ["client_fi", "client_sv", "client_young", "client_new_sign"]

    def statements(browser, url: str) -> int:
        counted = [0]

        def count_it(*_args):
            counted[0] += 1

        event.listen(engine, "before_cursor_execute", count_it)
        try:
            assert browser.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count_it)
        return counted[0]

    issue(app, db, demo["staff"], demo["client_fi"], template_key="questionnaire_to_provider")
    maija = client_browser(app, demo)
    urls = ["/staff/consents", "/staff/clients", f"/staff/clients/{demo['client_fi'].id}"]
    # A first visit stores the CSRF token in the session and starts the access log: warm up once.
    [statements(staff_browser, url) for url in urls] + [statements(maija, "/consents")]
    few = [statements(staff_browser, url) for url in urls] + [statements(maija, "/consents")]
    for person in people:
        issue(app, db, demo["staff"], demo[person])
    more = [statements(staff_browser, url) for url in urls] + [statements(maija, "/consents")]
    assert few == more


def test_a_consent_ending_within_30_days_can_be_asked_for_again(app, db, demo, staff_browser):
    from portal.models import ConsentSignature

    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    sign(client_browser(app, demo), request_id)
    url = f"/staff/consents/requests/{request_id}"
    assert "Lähetä uusi pyyntö" not in staff_browser.get(url).get_data(as_text=True)
    assert post_form(staff_browser, url, {}, f"{url}/reissue").status_code == 409
    last_day = db.scalars(select(ConsentSignature.valid_until)).one()
    with at(datetime.combine(last_day - timedelta(days=20), datetime.min.time(), UTC) + timedelta(hours=10)):
        login_as(app, staff_browser, demo["staff"])
        page = staff_browser.get(url).get_data(as_text=True)
        assert "Tämä suostumus päättyy pian." in page
        response = post_form(staff_browser, url, {}, f"{url}/reissue")
        assert response.status_code == 303
    assert request_row(db, request_id).status == ConsentStatus.SIGNED  # still valid until its end
    assert count(db, ConsentRequest, ConsentRequest.reissued_from_id == request_id) == 1


def test_the_demo_consents_can_be_loaded_twice(app, db, demo):
    from portal.services.consent import demo_consents

    with app.app_context():
        demo_consents(db)
        demo_consents(db)
    assert count(db, ConsentRequest) == 1
    assert request_row(db, db.scalars(select(ConsentRequest.id)).one()).client_id == demo["client_young"].id
    staff_page = app.test_client()
    login_as(app, staff_page, demo["staff"])
    clients = staff_page.get("/staff/clients").get_data(as_text=True)
    for name in ("Maija Meikäläinen", "Anna-Lena Björkqvist", "Veeti Šalin", "Aino Ylönen"):
        assert name in clients


def test_asking_a_client_polku_cannot_reach_says_to_tell_them(app, db, demo, staff_browser):
    veeti = demo["client_young"]
    assign(app, db, demo["staff"], veeti)
    with app.app_context():
        db.get(type(veeti), veeti.id).email = None
        db.commit()
    page = staff_browser.get(f"/staff/clients/{veeti.id}/consents/new").get_data(as_text=True)
    assert (
        "Asiakas ei saa viestejä Polusta: hän ei ole antanut sähköpostiosoitetta eikä matkapuhelinnumeroa"
        in page
    )
    maija = demo["client_fi"]
    assign(app, db, demo["staff"], maija)
    reachable = staff_browser.get(f"/staff/clients/{maija.id}/consents/new").get_data(as_text=True)
    assert "Asiakas ei saa viestejä Polusta" not in reachable
    assert "Jos asiakas on antanut Polkuun sähköpostiosoitteen tai matkapuhelinnumeron" in reachable
    with app.app_context():
        db.get(type(maija), maija.id).notify_by = "none"  # an address, but no messages wanted
        db.commit()
    unwilling = staff_browser.get(f"/staff/clients/{maija.id}/consents/new").get_data(as_text=True)
    assert "Asiakas ei saa viestejä Polusta" in unwilling


def test_a_reminder_to_a_client_polku_cannot_reach_is_not_said_to_be_sent(app, db, demo, staff_browser):
    veeti = demo["client_young"]
    with app.app_context():
        db.get(type(veeti), veeti.id).email = None
        db.get(type(veeti), veeti.id).phone = None
        db.commit()
    request_id = issue(app, db, demo["staff"], veeti)
    url = f"/staff/consents/requests/{request_id}"
    told = "Asiakas ei saa viestejä Polusta: hän ei ole antanut sähköpostiosoitetta eikä matkapuhelinnumeroa"
    opened = staff_browser.get(url).get_data(as_text=True)
    assert told in opened
    assert "Lähetä muistutus" not in opened, "no button for what cannot be done"
    with at(datetime.now(UTC) + timedelta(hours=25)):
        login_as(app, staff_browser, demo["staff"])
        # Sent from a page opened before the client's contact details were removed.
        reminded = post_form(staff_browser, url, {}, f"{url}/remind")
        page = staff_browser.get(reminded.headers["Location"]).get_data(as_text=True)
    assert "Muistutusta ei voitu lähettää." in page
    assert "Asiakkaalle on lähetetty muistutus." not in page
    assert told in page
    assert count(db, ConsentEvent, ConsentEvent.kind == "reminded") == 0, "no reminder recorded as sent"


def test_the_evidence_says_in_words_how_the_client_was_identified(app, db, demo, staff_browser):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    sign(client_browser(app, demo), request_id)
    signed = select(ConsentSignature.verification_code).where(ConsentSignature.request_id == request_id)
    code = db.scalar(signed)
    for language, identified, level in (
        ("fi", "Vahva sähköinen tunnistautuminen (ftn)", "korotettu (http://ftn.ficora.fi/2017/loa2)"),
        ("sv", "Stark elektronisk identifiering (ftn)", "väsentlig (http://ftn.ficora.fi/2017/loa2)"),
    ):
        staff_browser.get(f"/language/{language}?next=/")
        evidence = staff_browser.get(f"/staff/consents/requests/{request_id}").get_data(as_text=True)
        checked = post_form(staff_browser, "/staff/consents/verify", {"code": code}).get_data(as_text=True)
        for page in (evidence, checked):
            assert identified in page
            assert level in page
            assert "ftn · http" not in page


def test_professionals_read_the_consent_said_of_the_client_and_the_client_reads_it_said_to_them(
    app, db, demo, staff_browser
):
    anna_lena = demo["client_sv"]
    request_id = issue(app, db, demo["staff"], anna_lena, template_key="tym_data_exchange")
    staff_page = f"/staff/consents/requests/{request_id}"
    for language, said_of, said_to, choice in (
        ("fi", "Kelan arvio kuntoutustarpeesta ja", "Kelan arvio kuntoutustarpeestasi", "Asiakas valitsee"),
        ("sv", "FPA:s bedömning av rehabiliteringsbehovet", "FPA:s bedömning av ditt", "Klienten väljer"),
    ):
        staff_browser.get(f"/language/{language}?next=/")
        for page in (staff_page, f"/staff/clients/{anna_lena.id}"):
            shown = html.unescape(staff_browser.get(page).get_data(as_text=True))
            assert said_of in shown
            assert said_to not in shown
        assert choice in html.unescape(staff_browser.get(staff_page).get_data(as_text=True))
    client = client_browser(app, demo, "client_sv")
    client.get("/language/sv?next=/")
    signing = html.unescape(client.get(f"/consents/{request_id}").get_data(as_text=True))
    assert "FPA:s bedömning av ditt rehabiliteringsbehov" in signing
    assert "Du väljer" in signing

    other = issue(app, db, demo["staff"], anna_lena, template_key="questionnaire_to_provider")
    staff_browser.get("/language/sv?next=/")
    listed = html.unescape(staff_browser.get("/staff/consents").get_data(as_text=True))
    assert "Samtycke till att svaren på frågeformuläret lämnas ut" in listed
    assert "dina svar" not in listed
    sign(client, other, categories=("rehabilitation_plan_summary",))
    evidence = html.unescape(staff_browser.get(f"/staff/consents/requests/{other}").get_data(as_text=True))
    assert "Sammanfattning av rehabiliteringsplanen" in evidence
    assert "din rehabiliteringsplan" not in evidence
