"""The client's own data: contact details, who has used the data, and the download."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from portal.i18n import HELSINKI
from portal.models import AccessLogEntry, Client
from portal.services.audit import SYSTEM, Actor, audit_key
from portal.services.audit_verify import verify_chain
from portal.services.clients import assign, end_assignment
from tests.conftest import csrf_token_from, error_summary_of, post_form, signed_in


def test_contact_details_are_saved_with_the_number_in_international_form(app, db, demo):
    maija = signed_in(app, demo["client_fi"])
    response = post_form(
        maija,
        "/my-data/contact",
        {
            "email": "maija@example.fi",
            "phone": "040 123 4567",
            "notify_by": "both",
            "locale": "sv",
        },
    )
    assert response.status_code == 302
    db.expire_all()
    client = db.get(Client, demo["client_fi"].id)
    assert (client.email, client.phone, client.notify_by, client.locale) == (
        "maija@example.fi",
        "+358401234567",
        "both",
        "sv",
    )
    overview = maija.get("/my-data").get_data(as_text=True)
    assert '<dd class="summary-list__value">040 123 4567</dd>' in overview
    # Each language is named in itself and marked so: a screen reader reads it in that language.
    assert '<dd class="summary-list__value"><span lang="sv">svenska</span></dd>' in overview
    form = maija.get("/my-data/contact").get_data(as_text=True)
    assert 'value="040 123 4567"' in form, "as people write it"
    assert '<label class="choice__label" for="locale-1" lang="sv">svenska</label>' in form
    assert '<label class="choice__label" for="locale-0" lang="fi">suomi</label>' in form


def test_wrong_contact_details_are_explained_and_kept(app, db, demo):
    maija = signed_in(app, demo["client_fi"])
    response = post_form(
        maija,
        "/my-data/contact",
        {
            "email": "ei-osoite",
            "phone": "12",
            "notify_by": "sms",
            "locale": "fi",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<title>Virhe: " in page
    assert "Kirjoita matkapuhelinnumero" in page
    assert 'value="ei-osoite"' in page
    assert 'value="12"' in page
    db.expire_all()
    assert db.get(Client, demo["client_fi"].id).phone is None


def test_text_messages_need_a_mobile_number_and_the_error_is_at_that_field(app, db, demo):
    anna = signed_in(app, demo["client_sv"])
    anna.set_cookie("polku_lang", "sv")
    sent = {"email": "", "phone": "", "notify_by": "sms", "locale": "sv"}
    page = post_form(anna, "/my-data/contact", sent).get_data(as_text=True)
    needs = "Om du vill få textmeddelanden, skriv ditt mobilnummer."
    assert f'<a href="#phone">{needs}</a>' in error_summary_of(page), "the summary leads to the number"
    assert f'id="phone-error"><span class="visually-hidden">Fel:</span> {needs}' in page

    landline = post_form(anna, "/my-data/contact", {**sent, "phone": "09 123 4567", "notify_by": "both"})
    assert landline.status_code == 422
    html = landline.get_data(as_text=True)
    assert "Textmeddelanden kan bara skickas till en mobiltelefon." in error_summary_of(html)
    assert '<a href="#email">Om du vill få e-post, skriv din e-postadress.</a>' in error_summary_of(html)
    assert 'value="09 123 4567"' in html
    db.expire_all()
    assert db.get(Client, demo["client_sv"].id).phone is None

    landline_for_calls = {**sent, "phone": "09 123 4567", "notify_by": "none"}
    assert post_form(anna, "/my-data/contact", landline_for_calls).status_code == 302, (
        "a landline is fine when no text messages are wanted"
    )
    assert post_form(anna, "/my-data/contact", {**sent, "phone": "050 123 4567"}).status_code == 302
    db.expire_all()
    assert db.get(Client, demo["client_sv"].id).phone == "+358501234567"


def test_the_client_sees_who_opened_their_page(app, db, demo):
    with app.app_context():
        assign(db, SYSTEM, demo["client_fi"], demo["adviser"])
    adviser = signed_in(app, demo["adviser"])
    assert adviser.get(f"/staff/clients/{demo['client_fi'].id}").status_code == 200
    page = signed_in(app, demo["client_fi"]).get("/my-data/access-log").get_data(as_text=True)
    assert "Riikka Rantanen" in page
    assert "Katsottu: Perustietosi" in page
    assert "Kela" in page
    # Another client sees nothing of it.
    other = signed_in(app, demo["client_sv"]).get("/my-data/access-log").get_data(as_text=True)
    assert "Riikka Rantanen" not in other


def test_a_page_past_the_last_leads_to_the_last_instead_of_saying_nobody_used_the_data(app, db, demo):
    with app.app_context():
        assign(db, SYSTEM, demo["client_fi"], demo["adviser"])
    adviser = signed_in(app, demo["adviser"])
    for _ in range(12):  # an entry for each part of the client's page: more than one page of 20
        assert adviser.get(f"/staff/clients/{demo['client_fi'].id}").status_code == 200
    maija = signed_in(app, demo["client_fi"])
    response = maija.get("/my-data/access-log", query_string={"page": "999"})
    assert response.status_code == 302
    last = int(response.headers["Location"].removeprefix("/my-data/access-log?page="))
    assert last > 1
    assert maija.get(f"/my-data/access-log?page={last + 1}").headers["Location"].endswith(f"page={last}")
    last = maija.get(f"/my-data/access-log?page={last}").get_data(as_text=True)
    assert 'class="log-list__item"' in last
    assert "ei ole käyttänyt tietojasi" not in last
    assert "ei ole käyttänyt tietojasi" not in last


def test_names_can_be_left_out_by_configuration(app, db, demo):
    app.config["ACCESS_LOG_SHOW_NAMES"] = False
    with app.app_context():
        assign(db, SYSTEM, demo["client_fi"], demo["adviser"])
    signed_in(app, demo["adviser"]).get(f"/staff/clients/{demo['client_fi'].id}")
    page = signed_in(app, demo["client_fi"]).get("/my-data/access-log").get_data(as_text=True)
    assert "Riikka Rantanen" not in page
    assert "Neuvoja" in page


def test_the_download_holds_everything_in_json_and_a_readable_summary_and_is_logged(app, db, demo):
    maija = signed_in(app, demo["client_fi"])
    token = csrf_token_from(maija.get("/my-data").get_data(as_text=True))
    response = maija.post("/my-data/download", data={"csrf_token": token})
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == ["polku-tiedot.html", "polku-tiedot.json"]
    data = json.loads(archive.read("polku-tiedot.json"))
    assert data["profile"]["personal_identity_code"] == "150385-9013"
    assert data["profile"]["name"] == "Maija Meikäläinen"
    assert "020792-902S" not in archive.read("polku-tiedot.json").decode()
    summary = archive.read("polku-tiedot.html").decode()
    assert '<html lang="fi">' in summary
    assert "Perustietosi" in summary
    logged = db.scalars(
        select(AccessLogEntry.action).where(AccessLogEntry.client_id == demo["client_fi"].id)
    ).all()
    assert "export" in logged


def test_a_client_on_a_list_sees_that_day_s_first_view_and_nothing_of_the_others(app, db, demo):
    maija, sofia = demo["client_fi"], demo["client_sv"]
    with app.app_context():
        assign(db, SYSTEM, maija, demo["adviser"])
        assign(db, SYSTEM, sofia, demo["adviser"])
    for day in (20, 21):
        with time_machine.travel(datetime(2026, 11, day, 7, 0, tzinfo=UTC), tick=False):
            adviser = signed_in(app, demo["adviser"])
            for _ in range(3):  # reloads of the same list on the same day
                assert adviser.get("/staff/clients").status_code == 200

    for client, line in ((maija, "Katsottu: Perustietosi (nimesi listassa)"),
                         (sofia, "Öppnat: Dina grunduppgifter (ditt namn på en lista)")):  # fmt: skip
        browser = signed_in(app, client)
        browser.set_cookie("polku_lang", client.locale)
        page = browser.get("/my-data/access-log").get_data(as_text=True)
        assert page.count(line) == 2, page
        assert "Riikka Rantanen" in page
        token = csrf_token_from(browser.get("/my-data").get_data(as_text=True))
        archive = zipfile.ZipFile(
            io.BytesIO(browser.post("/my-data/download", data={"csrf_token": token}).data)
        )
        (data_file,) = [name for name in archive.namelist() if name.endswith(".json")]
        exported = json.loads(archive.read(data_file))["access_log"]
        on_lists = [entry for entry in exported if entry["on_a_list"]]
        assert [entry["object_type"] for entry in on_lists] == ["client_list", "client_list"]
        other = sofia if client is maija else maija
        assert other.full_name not in archive.read(data_file).decode()
        assert all("client_ids" not in entry for entry in exported)  # who else was on the list
    with app.app_context():
        assert verify_chain(db, audit_key()).ok


def test_the_download_needs_a_csrf_token(app, demo):
    assert signed_in(app, demo["client_fi"]).post("/my-data/download").status_code == 400


def test_the_menu_shows_which_section_a_page_within_it_belongs_to(app, db, demo):
    maija = signed_in(app, demo["client_fi"])
    overview = maija.get("/my-data").get_data(as_text=True)
    assert '<a href="/my-data" aria-current="page">Omat tiedot</a>' in overview
    contact = maija.get("/my-data/contact").get_data(as_text=True)
    assert '<a href="/my-data" aria-current="true">Omat tiedot</a>' in contact
    assert contact.count("aria-current=") == 1
    assert 'aria-current="true"' not in maija.get("/home").get_data(as_text=True)


def test_an_assignment_is_told_as_such_not_as_a_change_to_basic_information(app, db, demo):
    with app.app_context():
        assignment = assign(db, Actor(id=demo["staff"].id, role="staff"), demo["client_fi"], demo["adviser"])
        end_assignment(db, Actor(id=demo["staff"].id, role="staff"), assignment)
    page = signed_in(app, demo["client_fi"]).get("/my-data/access-log").get_data(as_text=True)
    assert "Ammattilainen aloitti työskentelyn kanssasi" in page
    assert "Ammattilaisen työskentely kanssasi päättyi" in page
    assert "Perustietosi" not in page


@pytest.mark.parametrize("show_names", [True, False])
def test_the_download_says_who_used_the_data_as_the_page_does(app, db, demo, show_names):
    app.config["ACCESS_LOG_SHOW_NAMES"] = show_names
    with app.app_context():
        assign(db, SYSTEM, demo["client_fi"], demo["adviser"])
    assert signed_in(app, demo["adviser"]).get(f"/staff/clients/{demo['client_fi'].id}").status_code == 200
    maija = signed_in(app, demo["client_fi"])
    token = csrf_token_from(maija.get("/my-data").get_data(as_text=True))
    archive = zipfile.ZipFile(io.BytesIO(maija.post("/my-data/download", data={"csrf_token": token}).data))
    entries = json.loads(archive.read("polku-tiedot.json"))["access_log"]
    by_riikka = [entry for entry in entries if entry["actor_role"] == "adviser"]
    assert by_riikka
    assert {entry["name"] for entry in by_riikka} == ({"Riikka Rantanen"} if show_names else {None})
    summary = archive.read("polku-tiedot.html").decode()
    assert ("Riikka Rantanen, Neuvoja, Kela" in summary) is show_names


def test_a_change_and_a_download_are_logged_with_the_address_and_request_they_came_from(app, db, demo):
    maija = signed_in(app, demo["client_fi"])
    token = csrf_token_from(maija.get("/my-data/contact").get_data(as_text=True))
    fields = {
        "csrf_token": token,
        "email": "maija@example.fi",
        "phone": "",
        "notify_by": "email",
        "locale": "fi",
    }
    changed = maija.post("/my-data/contact", data=fields, headers={"X-Request-Id": "req-change-1"})
    assert changed.status_code == 302
    download = maija.post(
        "/my-data/download", data={"csrf_token": token}, headers={"X-Request-Id": "req-export-1"}
    )
    # A ZIP's times have no zone: they are written as Finnish time, which the client's computer shows.
    written = datetime(*zipfile.ZipFile(io.BytesIO(download.data)).infolist()[0].date_time, tzinfo=HELSINKI)
    assert abs(written - datetime.now(HELSINKI)) < timedelta(minutes=2)
    entries = db.scalars(
        select(AccessLogEntry)
        .where(AccessLogEntry.action.in_(("change", "export")))
        .order_by(AccessLogEntry.seq)
    ).all()
    assert [(e.action, e.object_type, e.request_id, e.ip) for e in entries] == [
        ("change", "contact_details", "req-change-1", "127.0.0.1"),
        ("export", "data_export", "req-export-1", "127.0.0.1"),
    ]


def test_a_revoked_consent_reads_as_revoked_in_the_download_with_its_date_and_no_end_date_to_come(
    app, db, demo
):
    from tests.integration.consent_helpers import issue, sign

    maija = signed_in(app, demo["client_fi"])
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    sign(maija, request_id)
    post_form(maija, f"/consents/{request_id}/revoke", {})
    token = csrf_token_from(maija.get("/my-data").get_data(as_text=True))
    archive = zipfile.ZipFile(io.BytesIO(maija.post("/my-data/download", data={"csrf_token": token}).data))
    summary = archive.read("polku-tiedot.html").decode()
    assert "Suostumus peruttiin" in summary
    assert "Suostumus peruttu: Suostumuksesi" not in summary
    # The consent itself says when it ended, not the date it was signed to last until.
    assert re.search(r"<dt>Peruttu</dt>\s*<dd>\d+\. \w+ \d{4} klo \d", summary)
    assert "Voimassa saakka" not in summary
    (consent,) = json.loads(archive.read("polku-tiedot.json"))["consents"]
    assert consent["status"] == "revoked"
    assert consent["revoked_at"]
    assert consent["signature"]["valid_until"], "the evidence keeps the date signed for"
