"""A professional's clients: finding one by hetu, searching, and assigning an adviser."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.i18n import today
from portal.models import AccessLogEntry, Client, ClientAssignment, UserSession
from portal.services.audit import SYSTEM
from portal.services.clients import assign
from tests.conftest import error_summary_of, lists_logged, post_form, searched, signed_in
from tests.factories import make_client
from tests.integration.questionnaire_helpers import ALL_PAGES, submitted


def test_finding_a_new_client_by_hetu_creates_and_assigns_them_and_is_logged(app, db, demo):
    sami = signed_in(app, demo["staff"])
    response = post_form(sami, "/staff/clients/find", {"hetu": "010203-9002"})
    assert response.status_code == 302
    client_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert (
        db.scalar(
            select(func.count())
            .select_from(ClientAssignment)
            .where(
                ClientAssignment.client_id == client_id, ClientAssignment.staff_user_id == demo["staff"].id
            )
        )
        == 1
    )
    actions = db.execute(
        select(AccessLogEntry.action, AccessLogEntry.object_type).where(AccessLogEntry.client_id == client_id)
    ).all()
    assert ("create", "client") in actions
    overview = sami.get(response.headers["Location"]).get_data(as_text=True)
    assert "010203-****" in overview
    assert "010203-9002" not in overview


def test_finding_an_existing_client_does_not_duplicate_them(app, db, demo):
    sami = signed_in(app, demo["staff"])
    response = post_form(sami, "/staff/clients/find", {"hetu": "150385-9013"})
    assert response.headers["Location"] == f"/staff/clients/{demo['client_fi'].id}"
    assert db.scalar(select(func.count()).select_from(Client)) == 4


def test_a_pasted_hetu_with_spaces_around_it_finds_the_client(app, db, demo):
    sami = signed_in(app, demo["staff"])
    response = post_form(sami, "/staff/clients/find", {"hetu": " 240600a903e "})
    assert response.headers["Location"] == f"/staff/clients/{demo['client_young'].id}"
    assert db.scalar(select(func.count()).select_from(Client)) == 4


def test_a_code_typed_with_an_en_dash_or_full_width_digits_finds_the_client_everywhere(app, db, demo):
    # An en dash failed these pages (500); full-width digits made a second, unnamed Maija.
    sami = signed_in(app, demo["staff"])
    maija = f"/staff/clients/{demo['client_fi'].id}"
    due = today() + timedelta(days=14)
    for typed in ("150385\u20139013", "１５０３８５-９０１３"):
        assert post_form(sami, "/staff/clients/find", {"hetu": typed}).headers["Location"] == maija
        listed = searched(sami, "/staff/clients", typed)
        assert listed.status_code == 200
        assert "Meikäläinen" in listed.get_data(as_text=True)
        fields = {"hetu": typed, "template": "tym_data_exchange", "due_on-day": str(due.day)}
        fields |= {"due_on-month": str(due.month), "due_on-year": str(due.year)}
        check = post_form(sami, "/staff/consents/new", fields)
        assert check.status_code == 200, "the page that shows whom the request goes to"
        assert "Meikäläinen" in check.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Client)) == 4


def test_a_wrong_hetu_is_explained_next_to_the_field(app, db, demo):
    sami = signed_in(app, demo["staff"])
    response = post_form(sami, "/staff/clients/find", {"hetu": "150385-9014"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # Only the check character is wrong: said so, not blamed on the form of the code.
    assert page.count("Tarkista henkilötunnus: sen viimeinen merkki ei sovi yhteen muiden merkkien") == 2
    assert 'value="150385-9014"' in page
    malformed = post_form(sami, "/staff/clients/find", {"hetu": "1503859013"}).get_data(as_text=True)
    assert malformed.count("Tarkista henkilötunnus. Sen muoto on 010190-999W") == 2
    # A lower-case a for the hyphen passes the check character: a client born in 2085 is refused.
    century = post_form(sami, "/staff/clients/find", {"hetu": "150385a9013"}).get_data(as_text=True)
    assert century.count("sen mukainen syntymäaika on tämän päivän jälkeen") == 2
    assert db.scalar(select(func.count()).select_from(Client)) == 4


def test_test_codes_are_refused_in_production_style_configuration(app, db, demo):
    app.config["ENV"] = "production"  # only the hetu check reads ENV per request
    sami = signed_in(app, demo["staff"])
    response = post_form(sami, "/staff/clients/find", {"hetu": "010203-9002"})
    assert response.status_code == 422
    assert "Tämä on testitunnus (sen kolme numeroa ovat 900–999)" in response.get_data(as_text=True)


def test_search_finds_by_name_and_by_hetu_among_own_clients_only(app, db, demo):
    with app.app_context():
        for key in ("client_fi", "client_sv"):
            assign(db, SYSTEM, demo[key], demo["adviser"])
    stranger = make_client(app, db, given_name="Maija", family_name="Muukalainen")
    riikka = signed_in(app, demo["adviser"])
    by_name = searched(riikka, "/staff/clients", "maija").get_data(as_text=True)
    assert "Maija Meikäläinen" in by_name
    assert "Muukalainen" not in by_name
    assert stranger.id
    sent = post_form(riikka, "/staff/clients", {"q": "020792-902s"})
    assert sent.headers["Location"] == "/staff/clients?search=1", "no identity code in an address"
    by_hetu = riikka.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Anna-Lena Björkqvist" in by_hetu
    assert "Maija" not in by_hetu.split("<main")[1]


# The name search is the same on the client list and the review queue: each test runs on both.
NAME_SEARCHES = pytest.mark.parametrize(
    ("url", "logged_as"),
    [("/staff/clients", "client_list"), ("/staff/questionnaires", "questionnaire_queue")],
)
SHOWN_NAME = re.compile(r'<th scope="row"><a href="[^"]+">([^<]+)</a>')


def searchable(app, db, demo):
    """The demo clients and a few more, each assigned to the adviser with sent answers: found by
    a search on either list. The adviser's test client is returned."""
    people = [demo[key] for key in ("client_fi", "client_sv", "client_young", "client_new_sign")]
    for given_name, family_name in (("Åsa", "Öberg"), ("Testi", "Ala_Aho"), ("Testi", "Alanaho")):
        people.append(make_client(app, db, given_name=given_name, family_name=family_name))
    for person in people:
        submitted(app, db, person, demo["adviser"], ALL_PAGES)
    return signed_in(app, demo["adviser"])


def names_found(browser, url, typed):
    response = searched(browser, url, typed)
    assert response.status_code == 200, typed
    return SHOWN_NAME.findall(response.get_data(as_text=True))


@NAME_SEARCHES
def test_percent_and_underscore_in_a_name_search_match_only_themselves(app, db, demo, url, logged_as):
    riikka = searchable(app, db, demo)
    assert len(names_found(riikka, url, "")) == 7
    assert names_found(riikka, url, "%") == []
    assert names_found(riikka, url, "a%o") == []
    assert names_found(riikka, url, "_") == ["Testi Ala_Aho"]
    assert names_found(riikka, url, "la_a") == ["Testi Ala_Aho"]  # not Alanaho


@NAME_SEARCHES
def test_a_name_search_ignores_case_and_accents_in_every_alphabet(app, db, demo, url, logged_as):
    riikka = searchable(app, db, demo)
    for typed, name in (
        ("Veeti Šalin", "Veeti Šalin"),
        ("šalin", "Veeti Šalin"),
        ("ŠALIN", "Veeti Šalin"),
        ("ÅSA", "Åsa Öberg"),
        ("åsa öberg", "Åsa Öberg"),
        ("ÖBERG", "Åsa Öberg"),
        ("YLÖNEN", "Aino Ylönen"),
        ("ylönen", "Aino Ylönen"),
        ("BJÖRKQVIST", "Anna-Lena Björkqvist"),
        ("meikäläinen", "Maija Meikäläinen"),
        # As a keyboard without š or ö allows, and family name first.
        ("salin", "Veeti Šalin"),
        ("Šalin Veeti", "Veeti Šalin"),
        ("bjorkqvist", "Anna-Lena Björkqvist"),
        ("oberg  asa", "Åsa Öberg"),
        ("anna lena", "Anna-Lena Björkqvist"),
    ):
        assert names_found(riikka, url, typed) == [name], typed
    assert names_found(riikka, url, "salin veeti salin") == [], "the two orders are not one text"


@NAME_SEARCHES
def test_a_search_too_long_is_explained_in_the_error_summary_and_lists_no_one(app, db, demo, url, logged_as):
    riikka = searchable(app, db, demo)
    response = searched(riikka, url, "Meikäläinen" * 500)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = error_summary_of(html)
    assert 'href="#q">Haku voi olla enintään 100 merkkiä pitkä.</a>' in summary
    assert '<p class="field-error" id="q-error">' in html
    assert "<title>Virhe: " in html
    # Not the whole list under the error, as if it were what the search found; nobody shown, nobody logged.
    assert SHOWN_NAME.findall(html) == []
    assert lists_logged(db, logged_as) == []
    riikka.set_cookie("polku_lang", "sv")
    swedish = searched(riikka, url, "x" * 101).get_data(as_text=True)
    assert 'href="#q">Sökningen får vara högst 100 tecken lång.</a>' in error_summary_of(swedish)
    assert "<title>Fel: " in swedish
    assert searched(riikka, url, "x" * 100).status_code == 200


def test_staff_assign_an_adviser_and_advisers_cannot(app, db, demo):
    with app.app_context():
        assign(db, SYSTEM, demo["client_fi"], demo["staff"])
        assign(db, SYSTEM, demo["client_fi"], demo["adviser"])
        other = make_client(app, db, given_name="Toinen", family_name="Asiakas")
        assign(db, SYSTEM, other, demo["staff"])
    sami = signed_in(app, demo["staff"])
    url = f"/staff/clients/{other.id}"
    response = post_form(sami, url, {"staff_user_id": str(demo["adviser"].id)}, action=url + "/assign")
    assert response.status_code == 302
    assert "Toinen Asiakas" in signed_in(app, demo["adviser"]).get("/staff/clients").get_data(as_text=True)
    riikka = signed_in(app, demo["adviser"])
    url = f"/staff/clients/{demo['client_fi'].id}"
    refused = post_form(riikka, url, {"staff_user_id": str(demo["adviser"].id)}, action=url + "/assign")
    assert refused.status_code == 403


def test_assigning_without_a_valid_choice_says_so_on_the_overview_and_assigns_nobody(app, db, demo):
    with app.app_context():
        other = make_client(app, db, given_name="Toinen", family_name="Asiakas")
        assign(db, SYSTEM, other, demo["staff"])
    sami = signed_in(app, demo["staff"])
    url = f"/staff/clients/{other.id}"
    for sent in ({}, {"staff_user_id": "abc"}, {"staff_user_id": "999999"}):
        response = post_form(sami, url, sent, action=url + "/assign")
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        summary = error_summary_of(html)
        assert 'href="#staff_user_id-0">Valitse ammattilainen.</a>' in summary
        assert '<p class="field-error" id="staff_user_id-error">' in html
        assert "<title>Virhe: Toinen Asiakas" in html
        assert f">{demo['adviser'].name}</label>" in html
    sami.get(f"/language/sv?next={url}")
    swedish = post_form(sami, url, {}, action=url + "/assign").get_data(as_text=True)
    assert 'href="#staff_user_id-0">Välj yrkespersonen.</a>' in swedish
    assert "<title>Fel: Toinen Asiakas" in swedish
    assigned = db.scalar(
        select(func.count()).select_from(ClientAssignment).where(ClientAssignment.client_id == other.id)
    )
    assert assigned == 1  # only the staff member who added the client


def assign_many(app, db, adviser, given_name, family_name, count=30):
    with app.app_context():
        for index in range(count):
            client = make_client(app, db, given_name=f"{given_name}{index:02d}", family_name=family_name)
            assign(db, SYSTEM, client, adviser)


def test_the_client_list_pages_through_many_clients(app, db, demo):
    assign_many(app, db, demo["adviser"], "Henkilö", "Sivutus")
    riikka = signed_in(app, demo["adviser"])
    first = riikka.get("/staff/clients").get_data(as_text=True)
    assert "Sivu 1 / 2" in first
    second = riikka.get("/staff/clients?page=2").get_data(as_text=True)
    assert second.count("Sivutus") == 5
    assert riikka.get("/staff/clients?page=x").status_code == 200


@pytest.mark.parametrize("app_config", [{"LIST_COUNT_LIMIT": 10}], indirect=True)
def test_beyond_the_count_limit_the_client_list_says_more_than_and_pages_on(app, db, demo):
    assign_many(app, db, demo["adviser"], "Raja", "Laskuri")
    riikka = signed_in(app, demo["adviser"])
    first = riikka.get("/staff/clients").get_data(as_text=True)
    assert "Yli 10 asiakasta" in first
    assert "<span>Sivu 1</span>" in first
    assert "Seuraava sivu" in first
    last = riikka.get("/staff/clients?page=2").get_data(as_text=True)
    assert "<span>Sivu 2</span>" in last
    assert "Seuraava sivu" not in last
    found = searched(riikka, "/staff/clients", "Laskuri").get_data(
        as_text=True
    )  # a search counts the same way
    assert "Yli 10 asiakasta" in found
    assert 'href="/staff/clients?page=2&amp;search=1"' in found, "the next page keeps the search"
    assert "Laskuri" in riikka.get("/staff/clients?page=2&search=1").get_data(as_text=True)
    assert searched(riikka, "/staff/clients", "Raja01").get_data(as_text=True).count("Laskuri") == 1


def test_a_search_by_identity_code_finds_the_client_and_keeps_the_code_only_encrypted(app, db, demo):
    riikka = searchable(app, db, demo)
    page = searched(riikka, "/staff/clients", "150385-9013").get_data(as_text=True)
    assert SHOWN_NAME.findall(page) == ["Maija Meikäläinen"]
    assert 'value="150385-9013"' in page, "the search box shows what was searched"
    db.expire_all()
    kept = json.dumps(list(db.scalars(select(UserSession.data))))
    assert "150385" not in kept
    assert "search:" in kept, "the search is kept, sealed"


def test_clients_whose_names_are_not_known_yet_are_told_apart_by_their_date_of_birth(app, db, demo):
    sami = signed_in(app, demo["staff"])
    found = [
        post_form(sami, "/staff/clients/find", {"hetu": code}) for code in ("010203-9002", "150790-901L")
    ]
    assert [response.status_code for response in found] == [302, 302]
    overview = sami.get(found[1].headers["Location"]).get_data(as_text=True)
    assert "<h1>Nimi ei vielä tiedossa, syntynyt 15.7.1990</h1>" in overview, "on the client's pages too"
    listing = sami.get("/staff/clients").get_data(as_text=True)
    assert "Nimi ei vielä tiedossa, syntynyt 1.2.1903" in listing
    assert "Nimi ei vielä tiedossa, syntynyt 15.7.1990" in listing
    assert "010203" not in listing, "the date, not the identity code"
