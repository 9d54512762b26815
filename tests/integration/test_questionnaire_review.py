"""Professionals assign questionnaires and review the answers: queue, response, notes, reviewed, log."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import time_machine
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import event, select

from portal.models import (
    AccessLogEntry,
    Client,
    ClientAssignment,
    OutboxMessage,
    QuestionnaireResponse,
    ReviewNote,
)
from portal.services import clients as client_service
from tests.conftest import (
    csrf_token_from,
    lands_in_swedish,
    lists_logged,
    login_as,
    post_form,
    searched,
    switch_to_swedish_on,
)
from tests.integration.questionnaire_helpers import (
    ALL_PAGES,
    NO_TREATMENT,
    actor_for,
    another_adviser,
    at,
    submitted,
)

REVIEW_VERSION = re.compile(r'name="review_version" type="hidden" value="(\d+)"')


@pytest.fixture
def adviser(app, demo, client):
    login_as(app, client, demo["adviser"])
    return client


def log_rows(db, object_type):
    db.expire_all()
    return db.scalars(select(AccessLogEntry).where(AccessLogEntry.object_type == object_type)).all()


def new_client(app, db, name):
    from portal.identity import hetu

    with app.app_context():
        number = 900 + len(db.scalars(select(Client.id)).all())
        code = next(
            candidate
            for candidate in (f"010190-{number}{check}" for check in "0123456789ABCDEFHJKLMNPRSTUVWXY")
            if hetu.is_valid(candidate, allow_test_codes=True)
        )
        given, family = name.split(" ")
        client = Client(
            hetu_hash=hetu.lookup(code),
            hetu_encrypted=hetu.encrypt(code),
            given_name=given,
            family_name=family,
        )
        db.add(client)
        db.commit()
        return client


# --- Queue ---------------------------------------------------------------------------------------


def test_the_queue_lists_unreviewed_first_then_by_interview_time(app, db, demo, adviser):
    later = submitted(app, db, demo["client_fi"], demo["adviser"], ALL_PAGES, interview_at=at(2026, 12, 20))
    sooner = submitted(app, db, demo["client_sv"], demo["adviser"], ALL_PAGES, interview_at=at(2026, 12, 5))
    no_date = submitted(app, db, demo["client_young"], demo["adviser"], ALL_PAGES)
    reviewed = submitted(
        app, db, demo["client_new_sign"], demo["adviser"], ALL_PAGES, interview_at=at(2026, 12, 1)
    )
    with app.app_context():
        from portal.services import questionnaire as service

        service.set_reviewed(
            db, actor_for(demo["adviser"]), reviewed, True, expected_review_version=reviewed.review_version
        )
    page = adviser.get("/staff/questionnaires").get_data(as_text=True)
    order = [int(found) for found in re.findall(r'href="/staff/questionnaires/(\d+)"', page)]
    assert order == [sooner.id, later.id, no_date.id, reviewed.id]
    assert "Tarkistettavat vastaukset" in page
    # Each client shown is a view of that client's data.
    assert [set(ids) for ids in lists_logged(db, "questionnaire_queue")] == [
        {demo[key].id for key in ("client_fi", "client_sv", "client_young", "client_new_sign")}
    ]


def test_the_queue_filters_and_shows_only_the_advisers_own_clients(app, db, demo, adviser):
    mine = submitted(app, db, demo["client_fi"], demo["adviser"], ALL_PAGES)
    colleague = another_adviser(db)
    theirs = submitted(app, db, demo["client_sv"], colleague, ALL_PAGES)
    page = adviser.get("/staff/questionnaires").get_data(as_text=True)
    assert f"/staff/questionnaires/{mine.id}" in page
    assert f"/staff/questionnaires/{theirs.id}" not in page
    assert adviser.get(f"/staff/questionnaires/{theirs.id}").status_code == 404
    assert f"/staff/questionnaires/{mine.id}" not in adviser.get(
        "/staff/questionnaires?show=reviewed"
    ).get_data(as_text=True)
    assert f"/staff/questionnaires/{mine.id}" in searched(adviser, "/staff/questionnaires", "meik").text
    assert (
        f"/staff/questionnaires/{mine.id}" not in searched(adviser, "/staff/questionnaires", "virtanen").text
    )


def test_the_queue_counts_only_sent_answers_of_the_advisers_clients_now(app, db, demo, adviser):
    submitted(app, db, demo["client_fi"], demo["adviser"], ALL_PAGES)
    reviewed = submitted(app, db, demo["client_young"], demo["adviser"], ALL_PAGES)
    colleague = another_adviser(db)
    # The colleague's client, and a client the colleague also works with: counted once.
    submitted(app, db, demo["client_sv"], colleague, ALL_PAGES)
    shared = submitted(app, db, demo["client_new_sign"], demo["adviser"], ALL_PAGES)
    ended = submitted(app, db, new_client(app, db, "Entinen Asiakas"), demo["adviser"], ALL_PAGES)
    with app.app_context():
        from portal.services import questionnaire as service

        client_service.assign(db, actor_for(colleague), db.get(Client, shared.client_id), colleague)
        service.assign_questionnaire(
            db, actor_for(demo["adviser"]), demo["client_fi"]
        )  # a draft: not counted
        service.set_reviewed(
            db, actor_for(demo["adviser"]), reviewed, True, expected_review_version=reviewed.review_version
        )
        assignment = db.scalar(
            select(ClientAssignment).where(
                ClientAssignment.client_id == ended.client_id,
                ClientAssignment.staff_user_id == demo["adviser"].id,
            )
        )
        client_service.end_assignment(db, actor_for(demo["adviser"]), assignment)

    def count(url):
        found = re.search(r"<p>(\d+) vastaus", adviser.get(url).get_data(as_text=True))
        return int(found.group(1)) if found else None

    assert count("/staff/questionnaires") == 3
    assert count("/staff/questionnaires?show=unreviewed") == 2
    assert count("/staff/questionnaires?show=reviewed") == 1


def test_the_queue_is_paginated(app, db, demo, adviser):
    for number in range(27):
        person = new_client(app, db, f"Asiakas Numero{number:02d}")
        submitted(
            app, db, person, demo["adviser"], ALL_PAGES, interview_at=at(2026, 12, 1, 8) if number else None
        )
    first = adviser.get("/staff/questionnaires").get_data(as_text=True)
    assert len(re.findall(r'href="/staff/questionnaires/\d+"', first)) == 25
    assert "Sivu 1 / 2" in first
    second = adviser.get("/staff/questionnaires?show=all&page=2").get_data(as_text=True)
    assert len(re.findall(r'href="/staff/questionnaires/\d+"', second)) == 2
    assert "Numero00" in second  # the one without an interview date comes last


@pytest.mark.parametrize("app_config", [{"LIST_COUNT_LIMIT": 10}], indirect=True)
def test_beyond_the_count_limit_the_queue_says_more_than_and_pages_on_while_there_are_answers(
    app, db, demo, adviser
):
    for number in range(27):
        submitted(app, db, new_client(app, db, f"Asiakas Raja{number:02d}"), demo["adviser"], ALL_PAGES)
    first = adviser.get("/staff/questionnaires").get_data(as_text=True)
    assert "Yli 10 vastausta" in first
    assert len(re.findall(r'href="/staff/questionnaires/\d+"', first)) == 25
    assert "<span>Sivu 1</span>" in first  # no "of": the answers were not all counted
    assert "page=2" in first
    assert "Edellinen sivu" not in first
    second = adviser.get("/staff/questionnaires?show=all&page=2").get_data(as_text=True)
    assert len(re.findall(r'href="/staff/questionnaires/\d+"', second)) == 2
    assert "<span>Sivu 2</span>" in second
    assert "Edellinen sivu" in second
    assert "Seuraava sivu" not in second  # the last answers: no next page
    # A filter with fewer answers than the limit is counted exactly.
    few = searched(adviser, "/staff/questionnaires", "Raja0", show="all").get_data(as_text=True)
    assert "10 vastausta" in few
    assert "Yli" not in few
    assert "Sivu" not in few
    adviser.set_cookie("polku_lang", "sv")
    swedish = adviser.get("/staff/questionnaires").get_data(as_text=True)
    assert "Över 10 svar" in swedish
    assert "<span>Sida 1</span>" in swedish


def count_queries(app, browser, url):
    statements = []

    def count(*_args):
        statements.append(1)

    browser.get(url)  # the session is refreshed on the first request after signing in; not this page's cost
    engine = app.extensions["polku.engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert browser.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_queue_runs_the_same_number_of_queries_at_two_data_sizes(app, db, demo, adviser):
    def add(count):
        for _ in range(count):
            person = new_client(app, db, f"Kokeilu Asiakas{len(db.scalars(select(Client.id)).all())}")
            submitted(app, db, person, demo["adviser"], ALL_PAGES, interview_at=at(2026, 12, 3))

    add(PAGE := 25)
    small = count_queries(app, adviser, "/staff/questionnaires")
    add(2 * PAGE)
    large = count_queries(app, adviser, "/staff/questionnaires")
    assert small == large


# --- One response ----------------------------------------------------------------------------------


def test_the_response_shows_flagged_answers_first_and_is_logged(app, db, demo, adviser):
    answers = {
        **NO_TREATMENT,
        "work_ability": 2,
        "treatment_help": "yes",
        "participation_barriers": ["housing"],
    }
    response = submitted(app, db, demo["client_fi"], demo["adviser"], answers)
    page = adviser.get(f"/staff/questionnaires/{response.id}").get_data(as_text=True)
    flagged_at = page.index("Huomiota vaativat vastaukset")
    first_section = page.index("Nykyinen tilanteesi")
    assert flagged_at < first_section
    flagged = page[flagged_at:first_section]
    for shown in (
        "2 asteikolla 0–10",
        "Kyllä, haluaisin apua",
        "Asuminen:",
        "Tarvitsetko haastattelussa tulkin?",
    ):
        assert shown in flagged
    assert "Ei vaikuta" not in flagged
    rows = log_rows(db, "questionnaire_response")
    assert [(row.action, row.client_id, row.object_id) for row in rows if row.action == "view"] == [
        ("view", demo["client_fi"].id, str(response.id))
    ]


def test_the_previous_submission_is_shown_beside_the_new_one(app, db, demo, adviser):
    first = submitted(
        app, db, demo["client_fi"], demo["adviser"], {**ALL_PAGES, "interview_modality": "phone"}
    )
    second = submitted(
        app, db, demo["client_fi"], demo["adviser"], {**ALL_PAGES, "interview_modality": "video"}
    )
    assert first.id != second.id
    page = adviser.get(f"/staff/questionnaires/{second.id}").get_data(as_text=True)
    assert "Edellinen vastaus, lähetetty" in page
    row = re.search(r"Miten haluaisit, että haastattelu järjestetään\?</th>(.*?)</tr>", page, re.S)[1]
    assert row.index("Videoyhteydellä") < row.index("Puhelimessa")
    assert "Edellinen vastaus" not in adviser.get(f"/staff/questionnaires/{first.id}").get_data(as_text=True)


def test_notes_are_private_encrypted_and_logged(app, db, demo, adviser, client):
    response = submitted(app, db, demo["client_fi"], demo["adviser"], ALL_PAGES)
    url = f"/staff/questionnaires/{response.id}"
    empty = post_form(adviser, url, {"text": "  "}, action=f"{url}/notes")
    assert empty.status_code == 422
    assert "Kirjoita muistiinpano." in empty.get_data(as_text=True)
    saved = post_form(adviser, url, {"text": "Kysy haastattelussa asumisesta. Åäö"}, action=f"{url}/notes")
    assert saved.status_code == 302
    assert "Kysy haastattelussa asumisesta. Åäö" in adviser.get(url).get_data(as_text=True)
    told = adviser.get(saved.headers["Location"]).get_data(as_text=True)
    assert "data-announce><p>Muistiinpano on tallennettu." in told
    note = db.scalars(select(ReviewNote)).one()
    assert b"asumisesta" not in note.text_encrypted
    assert [row.action for row in log_rows(db, "questionnaire_note")] == ["create"]
    # The client never sees the notes.
    login_as(app, client, demo["client_fi"])
    assert "asumisesta" not in client.get(f"/questionnaires/{response.id}/view").get_data(as_text=True)


def test_the_language_switch_on_a_note_sent_wrong_leads_to_the_answers(app, db, demo, adviser):
    response = submitted(app, db, demo["client_fi"], demo["adviser"], ALL_PAGES)
    url = f"/staff/questionnaires/{response.id}"
    empty = post_form(adviser, url, {"text": "  "}, action=f"{url}/notes")
    assert empty.status_code == 422
    switch = switch_to_swedish_on(empty.get_data(as_text=True))
    assert adviser.get(switch).headers["Location"] == url
    assert lands_in_swedish(adviser, url)


def test_two_advisers_marking_reviewed_from_stale_pages_the_second_is_told_the_first_is_kept(
    app, db, demo, adviser
):
    response = submitted(app, db, demo["client_fi"], demo["adviser"], ALL_PAGES)
    colleague = another_adviser(db)
    with app.app_context():
        client_service.assign(db, actor_for(colleague), demo["client_fi"], colleague)
    other = app.test_client()
    login_as(app, other, colleague)
    url = f"/staff/questionnaires/{response.id}"
    mine, theirs = adviser.get(url).get_data(as_text=True), other.get(url).get_data(as_text=True)

    def decide(browser, page, decision):
        return browser.post(
            f"{url}/reviewed",
            data={
                "csrf_token": csrf_token_from(page),
                "review_version": REVIEW_VERSION.search(page)[1],
                "decision": decision,
            },
        )

    marked = decide(adviser, mine, "reviewed")
    assert marked.status_code == 302
    assert "Vastaukset on merkitty tarkistetuiksi." in adviser.get(marked.headers["Location"]).text
    told = decide(other, theirs, "reviewed")
    assert told.status_code == 409
    assert "Tarkistuksen tilaa muutettiin sillä aikaa, kun sivu oli auki" in told.text
    assert "Tarkistanut Riikka Rantanen" in told.get_data(as_text=True)
    db.expire_all()
    kept = db.get(QuestionnaireResponse, response.id)
    assert kept.reviewed_by_id == demo["adviser"].id
    assert kept.review_version == 1
    # From the page it was told on, the second adviser can act on the current state.
    assert decide(other, told.get_data(as_text=True), "not_reviewed").status_code == 302
    db.expire_all()
    assert db.get(QuestionnaireResponse, response.id).reviewed_at is None
    assert [row.purpose for row in log_rows(db, "questionnaire_review")] == ["reviewed", "review reopened"]


def test_print_view_and_fhir_download_are_logged_and_the_download_validates(app, db, demo, adviser):
    response = submitted(app, db, demo["client_fi"], demo["adviser"], NO_TREATMENT)
    printed = adviser.get(f"/staff/questionnaires/{response.id}/print")
    assert printed.status_code == 200
    assert "<form" not in printed.get_data(as_text=True).split("<main")[1].split("</main>")[0]
    assert "Ei vielä tarkistettu" in printed.get_data(as_text=True), "a printout says where review stands"
    url = f"/staff/questionnaires/{response.id}"
    page = adviser.get(url).get_data(as_text=True)
    token, version = csrf_token_from(page), REVIEW_VERSION.search(page)[1]
    adviser.post(
        f"{url}/reviewed", data={"csrf_token": token, "review_version": version, "decision": "reviewed"}
    )
    assert "Tarkistanut Riikka Rantanen" in adviser.get(f"{url}/print").get_data(as_text=True)
    download = adviser.get(f"/staff/questionnaires/{response.id}/fhir")
    assert download.status_code == 200
    assert download.mimetype == "application/fhir+json"
    assert "attachment" in download.headers["Content-Disposition"]
    bundle = Bundle.model_validate(json.loads(download.get_data(as_text=True)))
    questionnaire, answers = (entry.resource for entry in bundle.entry)
    assert questionnaire.get_resource_type() == "Questionnaire"
    assert answers.get_resource_type() == "QuestionnaireResponse"
    assert answers.status == "completed"
    assert [row.action for row in log_rows(db, "questionnaire_response_print")] == ["view", "view"]
    exports = [row for row in log_rows(db, "questionnaire_response") if row.action == "export"]
    assert len(exports) == 1
    assert exports[0].client_id == demo["client_fi"].id


def test_a_draft_is_not_shown_to_professionals(app, db, demo, adviser):
    from tests.integration.questionnaire_helpers import assign

    draft = assign(app, db, demo["client_fi"], demo["adviser"])
    for path in ("", "/print", "/fhir"):
        assert adviser.get(f"/staff/questionnaires/{draft.id}{path}").status_code == 404


def test_another_advisers_client_answers_404_on_every_route_and_nothing_changes(app, db, demo, adviser):
    colleague = another_adviser(db)
    theirs = submitted(app, db, demo["client_sv"], colleague, ALL_PAGES)
    token = csrf_token_from(adviser.get("/staff/questionnaires").get_data(as_text=True))
    for path in ("", "/print", "/fhir"):
        assert adviser.get(f"/staff/questionnaires/{theirs.id}{path}").status_code == 404
    for path, data in (("/notes", {"text": "Ei kuulu minulle"}), ("/reviewed", {"decision": "reviewed"})):
        reply = adviser.post(
            f"/staff/questionnaires/{theirs.id}{path}",
            data={"csrf_token": token, "review_version": "0", **data},
        )
        assert reply.status_code == 404
    assert adviser.get(f"/staff/questionnaires/assign/{demo['client_sv'].id}").status_code == 404
    db.expire_all()
    assert db.get(QuestionnaireResponse, theirs.id).reviewed_at is None
    assert db.scalars(select(ReviewNote)).all() == []


def test_staff_follow_a_clients_questionnaire_but_the_answers_are_the_advisers(app, db, demo):
    veeti = demo["client_young"]
    sent = submitted(app, db, veeti, demo["adviser"], ALL_PAGES)
    with app.app_context():
        client_service.assign(db, actor_for(demo["staff"]), veeti, demo["staff"])
        db.commit()
    sami = app.test_client()
    login_as(app, sami, demo["staff"])
    for path in ("", "/print", "/fhir"):
        assert sami.get(f"/staff/questionnaires/{sent.id}{path}").status_code == 403
    assert sami.get("/staff/questionnaires").status_code == 403
    overview = sami.get(f"/staff/clients/{veeti.id}").get_data(as_text=True)
    assert "Lähetetty" in overview, "staff see that the answers were sent"
    assert f'href="/staff/questionnaires/{sent.id}"' not in overview
    assert 'href="/staff/questionnaires"' not in overview, "no menu entry to a queue they cannot open"
    assert sami.get(f"/staff/questionnaires/assign/{veeti.id}").status_code == 200, "they may open one"
    riikka = app.test_client()
    login_as(app, riikka, demo["adviser"])
    overview = riikka.get(f"/staff/clients/{veeti.id}").get_data(as_text=True)
    assert f'href="/staff/questionnaires/{sent.id}"' in overview
    assert 'href="/staff/questionnaires"' in overview


# --- Assigning -------------------------------------------------------------------------------------


# The dates below are written as an adviser types them: the test runs on a day they are to come.
@time_machine.travel(datetime(2026, 12, 1, 8, tzinfo=UTC), tick=True)
def test_an_adviser_assigns_a_questionnaire_with_the_interview_time(app, db, demo, adviser):
    with app.app_context():
        client_service.assign(db, actor_for(demo["adviser"]), demo["client_fi"], demo["adviser"])
    url = f"/staff/questionnaires/assign/{demo['client_fi'].id}"
    form = adviser.get(url).get_data(as_text=True)
    assert "Anna asiakkaalle kysely" in form
    assert "Asiakas saa viestin, että Polussa odottaa kysely." in form
    maija = db.get(Client, demo["client_fi"].id)
    address, maija.email = maija.email, None
    db.commit()
    assert "Kerro hänelle, että Polussa odottaa kysely." in adviser.get(url).get_data(as_text=True)
    maija.email = address
    db.commit()
    assert [row.client_id for row in log_rows(db, "questionnaire_assign")] == [demo["client_fi"].id] * 2
    bad = post_form(
        adviser,
        url,
        {
            "questionnaire": "kela_pre_interview",
            "interview_date-day": "31",
            "interview_date-month": "2",
            "interview_date-year": "2027",
            "interview_time": "25.00",
        },
    )
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "Päivämäärää ei ole olemassa." in page
    assert "Kirjoita kellonaika tunteina ja minuutteina, esimerkiksi 14.30." in page
    assert 'value="25.00"' in page
    for year, message in (("2025", "Haastattelun päivä on jo mennyt."), ("2099", "enintään vuoden päässä")):
        wrong = post_form(
            adviser,
            url,
            {
                "questionnaire": "kela_pre_interview",
                "interview_date-day": "15",
                "interview_date-month": "1",
                "interview_date-year": year,
            },
        )
        assert wrong.status_code == 422
        assert message in wrong.get_data(as_text=True)
    good = post_form(
        adviser,
        url,
        {
            "questionnaire": "kela_pre_interview",
            "interview_date-day": "15",
            "interview_date-month": "1",
            "interview_date-year": "2027",
            "interview_time": "13.30",
        },
    )
    assert good.status_code == 302
    after = f"/staff/clients/{demo['client_fi'].id}?done=questionnaire#questionnaire-assigned"
    assert good.headers["Location"] == after
    shown = adviser.get(after.split("#")[0]).get_data(as_text=True)
    assert (
        '<div class="notice-box" id="questionnaire-assigned" role="status" tabindex="-1" data-announce>'
        "<p>Kysely on nyt asiakkaan vastattavana.</p>" in shown
    ), "said where focus goes after the action"
    response = db.scalars(select(QuestionnaireResponse)).one()
    assert response.interview_at == at(2027, 1, 15, 11).replace(minute=30)  # 13.30 in Helsinki in winter
    assert response.assigned_by_id == demo["adviser"].id
    message = db.scalars(select(OutboxMessage)).one()
    assert message.template_key == "questionnaire_assigned"
    assert message.idempotency_key == f"questionnaire-assigned:{response.id}:email"
    overview = adviser.get(f"/staff/clients/{demo['client_fi'].id}").get_data(as_text=True)
    assert "Esitiedot Kelan kuntoutushaastatteluun" in overview
    assert "Ei aloitettu" in overview
    listing = adviser.get("/staff/clients").get_data(as_text=True)
    assert '<th scope="col">Kysely</th>' in listing
    assert "Ei aloitettu" in listing


def test_the_client_home_page_offers_to_continue_answering(app, db, demo, client):
    from tests.integration.questionnaire_helpers import assign, put_answers

    response = assign(app, db, demo["client_fi"], demo["adviser"], interview_at=at(2026, 12, 10))
    login_as(app, client, demo["client_fi"])
    assert "Aloita vastaaminen" in client.get("/home").get_data(as_text=True)
    put_answers(app, db, response, {"current_situation": ["unemployed"]}, page="services", seen=("now",))
    home = client.get("/home").get_data(as_text=True)
    assert "Kysely odottaa vastauksiasi" in home
    assert "Vastaa ennen haastatteluasi, joka on 10. joulukuuta 2026 klo" in home
    assert "Jatka vastaamista" in home
    assert f'href="/questionnaires/{response.id}/pages/services"' in home
    assert "Olet vastannut 0 osaan 8 osasta." in home, "started, no part done yet"
    # Saved again (from another device, say): the page seen before shows the new place and count.
    first_part = {
        "current_situation": ["unemployed"],
        "current_services": ["none"],
        "everyday_coping": "mostly",
    }
    put_answers(app, db, response, first_part, page="now", seen=("now", "services", "coping"))
    home = client.get("/home").get_data(as_text=True)
    assert f'href="/questionnaires/{response.id}/pages/now"' in home
    assert "Olet vastannut 1 osaan 8 osasta." in home
