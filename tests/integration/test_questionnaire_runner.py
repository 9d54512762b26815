"""The client answers the pre-interview questionnaire: pages, errors, saving, concurrency, submitting."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from portal.i18n import today
from portal.models import OutboxMessage, QuestionnaireResponse
from portal.services import questionnaire as service
from tests.conftest import csrf_token_from, login_as
from tests.integration.questionnaire_helpers import (
    ALL_PAGES,
    assign,
    at,
    put_answers,
    stored,
    submitted,
)


@pytest.fixture
def response(app, db, demo):
    return assign(app, db, demo["client_fi"], demo["adviser"], interview_at=at(2026, 12, 10))


@pytest.fixture
def maija(app, demo, client):
    login_as(app, client, demo["client_fi"])
    return client


def page_url(response, page_id, **query):
    suffix = "?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else ""
    return f"/questionnaires/{response.id}/pages/{page_id}{suffix}"


def version_of(db, response):
    db.expire_all()
    return db.get(QuestionnaireResponse, response.id).version


VERSION = re.compile(r'name="answers_version" type="hidden" value="(\d+)"')


def test_a_saved_page_leaves_the_response_as_it_was_stored(app, db, response):
    """The save writes past the ORM (one statement with the version check): the response handed in
    must not go on showing the version and answers from before it."""
    before = response.version
    with app.app_context():
        destination = service.save_page(
            db, response, "now", {"current_situation": ["unemployed"]}, expected_version=before
        )
        assert response.version == before + 1
        assert service.read_draft(response).answers == {"current_situation": ["unemployed"]}
    assert destination == "services"


def post_page(browser, response, page_id, data, **query):
    """Load the page as a browser would and post it with its token and the version it shows."""
    url = page_url(response, page_id, **query)
    shown = browser.get(url).get_data(as_text=True)
    match = VERSION.search(shown)
    hidden = {"answers_version": match[1]} if match else {}
    return browser.post(url, data={"csrf_token": csrf_token_from(shown), **hidden, **data})


# --- Starting and moving through pages ---------------------------------------------------------


def test_the_client_finds_the_questionnaire_and_starts_it(maija, response):
    listing = maija.get("/questionnaires").get_data(as_text=True)
    assert "Esitiedot Kelan kuntoutushaastatteluun" in listing
    assert "Aloita vastaaminen" in listing
    start = maija.get(f"/questionnaires/{response.id}").get_data(as_text=True)
    assert "Vastaa niin kuin osaat." in start
    assert f'href="/questionnaires/{response.id}/pages/now"' in start
    first = maija.get(page_url(response, "now"))
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "Osa 1/8" in page
    assert "Mikä kuvaa tilannettasi tällä hetkellä?" in page
    assert 'type="checkbox"' in page


def test_continue_saves_the_page_and_skips_pages_the_answers_do_not_call_for(app, db, maija, response):
    answer = post_page(maija, response, "now", {"current_situation": ["unemployed", "studying"]})
    assert answer.status_code == 302
    assert answer.headers["Location"] == page_url(response, "services")
    services = post_page(maija, response, "services", {"current_services": "social_work"})
    # No rehabilitative work: the page about it is skipped.
    assert services.headers["Location"] == page_url(response, "coping")
    draft = stored(app, db, response)
    assert draft.answers == {
        "current_situation": ["unemployed", "studying"],
        "current_services": ["social_work"],
    }
    assert draft.page == "coping"
    assert draft.seen == ("now", "services")
    # Studying opened a page of follow-up questions; the count of parts stays as it was.
    assert "Osa 1/8" in maija.get(page_url(response, "coping")).get_data(as_text=True)


def test_a_required_answer_missing_is_shown_in_finnish_next_to_the_field_and_in_the_summary(maija, response):
    reply = post_page(maija, response, "coping", {})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "<title>Virhe: " in page
    assert "Sivulla on 1 virhe" in page
    assert 'href="#everyday_coping-0"' in page
    assert page.count("Valitse jokin vaihtoehdoista.") == 2


def test_errors_are_in_swedish_for_a_swedish_client_and_what_was_typed_is_kept(app, db, demo, client):
    response = assign(app, db, demo["client_sv"], demo["adviser"])
    put_answers(app, db, response, {"current_services": ["rehabilitative_work"]})
    login_as(app, client, demo["client_sv"])
    client.set_cookie("polku_lang", "sv")
    reply = post_page(
        client,
        response,
        "work_activity",
        {"work_activity_tasks": "Snickeri <b>och</b> kafé", "work_activity_days": "9"},
    )
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "<title>Fel: " in page
    assert page.count("Skriv ett tal mellan 1 och 5.") == 2
    assert 'value="9"' in page
    assert "Snickeri &lt;b&gt;och&lt;/b&gt; kafé</textarea>" in page


@pytest.mark.parametrize(
    ("page_id", "answers", "data", "message", "kept"),
    [
        (
            "work_activity",
            {"current_services": ["rehabilitative_work"]},
            {"work_activity_days": "kolme"},
            "Kirjoita kokonaisluku numeroilla, esimerkiksi 3.",
            'value="kolme"',
        ),
        (
            "statement_details",
            {"b_statement": "written"},
            {"b_statement_date-day": "31", "b_statement_date-month": "2", "b_statement_date-year": "2026"},
            "Päivämäärää ei ole olemassa. Tarkista päivä ja kuukausi.",
            'name="b_statement_date-day" type="text" inputmode="numeric" value="31"',
        ),
        (
            "statement_details",
            {"b_statement": "written"},
            {"b_statement_date-day": "15", "b_statement_date-month": "3", "b_statement_date-year": "2099"},
            "Päivämäärä ei voi olla tulevaisuudessa. Kirjoita tämä päivä tai aiempi päivä.",
            'name="b_statement_date-year" type="text" inputmode="numeric" value="2099"',
        ),
        (
            "statement_details",
            {"b_statement": "written"},
            {"b_statement_date-day": "15", "b_statement_date-month": "3", "b_statement_date-year": "26"},
            "Kirjoita vuosi neljällä numerolla, esimerkiksi 2026.",
            'name="b_statement_date-year" type="text" inputmode="numeric" value="26"',
        ),
        (
            "treatment_place",
            {"treatment_contact": "yes"},
            {"treatment_where": "ä" * 301},
            "Vastaus voi olla enintään 300 merkkiä pitkä, ja siinä on nyt 301 merkkiä. Lyhennä sitä.",
            'value="' + "ä" * 301 + '"',
        ),
        (
            "services",
            {},
            {"current_services": ["none", "social_work"]},
            "Valitse joko ”Ei mikään näistä” tai yksi tai useampi muista vaihtoehdoista, ei molempia.",
            'value="social_work" checked',
        ),
    ],
)
def test_bad_answers_are_refused_with_a_message_and_what_was_typed_kept(
    app, db, maija, response, page_id, answers, data, message, kept
):
    put_answers(app, db, response, answers)
    before = version_of(db, response)
    reply = post_page(maija, response, page_id, data)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert page.count(message) == 2
    assert kept in page
    assert version_of(db, response) == before


def test_a_written_answer_says_its_limit_before_it_is_reached(app, db, maija, response):
    put_answers(app, db, response, {"treatment_contact": "yes"})
    page = maija.get(page_url(response, "treatment_place")).get_data(as_text=True)
    assert "Enintään 300 merkkiä." in page


def test_back_and_forward_keep_every_answer(app, db, maija, response):
    post_page(maija, response, "now", {"current_situation": "caring"})
    # On the second page the client ticks something, then goes back: that is saved too.
    back = post_page(maija, response, "services", {"current_services": "social_work", "action": "back"})
    assert back.headers["Location"] == page_url(response, "now")
    first = maija.get(page_url(response, "now")).get_data(as_text=True)
    assert 'value="caring" checked' in first
    post_page(maija, response, "now", {"current_situation": "caring"})
    second = maija.get(page_url(response, "services")).get_data(as_text=True)
    assert 'value="social_work" checked' in second
    # Back from the first page leads to the start page, keeping the answers.
    assert (
        post_page(maija, response, "now", {"current_situation": "caring", "action": "back"}).headers[
            "Location"
        ]
        == f"/questionnaires/{response.id}"
    )
    assert stored(app, db, response).answers["current_services"] == ["social_work"]


def test_back_saves_without_requiring_answers_but_still_checks_them(app, db, maija, response):
    put_answers(app, db, response, {"current_services": ["rehabilitative_work"]})
    assert post_page(maija, response, "work_activity", {"action": "back"}).status_code == 302
    refused = post_page(maija, response, "work_activity", {"action": "back", "work_activity_days": "8"})
    assert refused.status_code == 422
    assert "Kirjoita luku väliltä 1–5." in refused.get_data(as_text=True)


@pytest.mark.parametrize("action", ["back", "save_later"])
def test_back_or_later_with_a_wrong_answer_saves_the_others_and_keeps_what_was_typed(
    app, db, maija, response, action
):
    put_answers(
        app,
        db,
        response,
        {"b_statement": "written", "b_statement_date": "2026-01-10", "b_statement_by": "Tk"},
    )
    typed = {"b_statement_date-day": "31", "b_statement_date-month": "2", "b_statement_date-year": "2026"}
    sent = post_page(
        maija, response, "statement_details", {**typed, "b_statement_by": "Dr. Uusi", "action": action}
    )
    assert sent.status_code == 422
    page = sent.get_data(as_text=True)
    assert "Muut vastauksesi tällä sivulla on tallennettu" in page
    assert "Päivämäärää ei ole olemassa" in page
    assert 'value="31"' in page, "what was typed stays in the field to be corrected"
    answers = stored(app, db, response).answers
    assert answers["b_statement_by"] == "Dr. Uusi"
    assert answers["b_statement_date"] == "2026-01-10", "the wrong date did not replace the saved one"
    # Pressed again on the same page (its version is the saved one), with the date emptied: it goes.
    again = maija.post(
        page_url(response, "statement_details"),
        data={
            "csrf_token": csrf_token_from(page),
            "answers_version": VERSION.search(page)[1],
            "b_statement_by": "Dr. Uusi",
            "action": action,
        },
    )
    assert again.status_code == 302
    assert "b_statement_date" not in stored(app, db, response).answers


def test_save_and_continue_later_then_continue_on_another_device_at_the_same_page(
    app, db, demo, maija, response
):
    for page_id, data in (
        ("now", {"current_situation": "unemployed"}),
        ("services", {"current_services": "none"}),
        ("coping", {"everyday_coping": "mostly"}),
    ):
        assert post_page(maija, response, page_id, data).status_code == 302
    later = post_page(maija, response, "work_ability_rating", {"action": "save_later"})
    assert later.headers["Location"] == f"/questionnaires/{response.id}/saved"
    assert "Vastauksesi on tallennettu" in maija.get(later.headers["Location"]).get_data(as_text=True)
    maija.post(
        "/sign-out", data={"csrf_token": csrf_token_from(maija.get("/questionnaires").get_data(as_text=True))}
    )

    other_device = app.test_client()
    login_as(app, other_device, demo["client_fi"])
    start = other_device.get(f"/questionnaires/{response.id}").get_data(as_text=True)
    assert "Jatka vastaamista" in start
    assert f'href="{page_url(response, "work_ability_rating")}"' in start
    assert "Olet vastannut 1 osaan 8 osasta." in start, "the first part's pages all answered"


def test_a_draft_survives_a_server_restart(app, app_config, db, demo, maija, response):
    from portal import create_app

    assert post_page(maija, response, "now", {"current_situation": "caring"}).status_code == 302
    restarted = create_app(app_config)
    try:
        browser = restarted.test_client()
        login_as(restarted, browser, demo["client_fi"])
        page = browser.get(page_url(response, "now")).get_data(as_text=True)
        assert 'value="caring" checked' in page
    finally:
        restarted.extensions["polku.engine"].dispose()


def test_a_page_the_answers_hide_is_refused_and_nothing_changes(app, db, maija, response):
    put_answers(app, db, response, {"current_services": ["social_work"]})
    before = version_of(db, response)
    token = csrf_token_from(maija.get("/questionnaires").get_data(as_text=True))
    reply = maija.post(
        page_url(response, "work_activity"),
        data={"csrf_token": token, "answers_version": str(before), "work_activity_tasks": "Puutöitä"},
    )
    assert reply.status_code == 409
    assert version_of(db, response) == before
    assert "work_activity_tasks" not in stored(app, db, response).answers
    # Asked for by address, the hidden page sends the client back to where they were.
    assert maija.get(page_url(response, "work_activity")).status_code == 302


def test_an_item_that_does_not_exist_or_is_not_on_the_page_is_refused(app, db, maija, response):
    before = version_of(db, response)
    for extra in ({"no_such_item": "x"}, {"everyday_coping": "well"}):
        reply = post_page(maija, response, "now", {"current_situation": "unemployed", **extra})
        assert reply.status_code == 400
    assert version_of(db, response) == before
    assert stored(app, db, response).answers == {}
    assert maija.get(page_url(response, "no_such_page")).status_code == 404


def test_a_page_posted_from_an_older_copy_shows_the_current_answers_and_keeps_what_was_typed(
    app, db, demo, maija, response
):
    tab_a = maija.get(page_url(response, "now")).get_data(as_text=True)
    tab_b = app.test_client()
    login_as(app, tab_b, demo["client_fi"])
    assert post_page(tab_b, response, "now", {"current_situation": "pension"}).status_code == 302

    stale = maija.post(
        page_url(response, "now"),
        data={
            "csrf_token": csrf_token_from(tab_a),
            "answers_version": re.search(r'name="answers_version" type="hidden" value="(\d+)"', tab_a)[1],
            "current_situation": "studying",
        },
    )
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Vastauksiasi muutettiin toisessa ikkunassa" in page
    assert "Saan kuntoutustukea tai eläkettä" in page  # saved meanwhile, shown
    assert 'value="studying" checked' in page  # typed here, kept
    assert stored(app, db, response).answers == {"current_situation": ["pension"]}
    # Saving again from the conflict page goes through: it carries the current version.
    again = maija.post(
        page_url(response, "now"),
        data={
            "csrf_token": csrf_token_from(page),
            "answers_version": re.search(r'name="answers_version" type="hidden" value="(\d+)"', page)[1],
            "current_situation": "studying",
        },
    )
    assert again.status_code == 302
    assert stored(app, db, response).answers == {"current_situation": ["studying"]}


# --- Checking and submitting -----------------------------------------------------------------


def submit_from_check(browser, response):
    check = browser.get(f"/questionnaires/{response.id}/check").get_data(as_text=True)
    return browser.post(
        f"/questionnaires/{response.id}/submit",
        data={"csrf_token": csrf_token_from(check), "answers_version": VERSION.search(check)[1]},
    )


def test_change_links_on_the_check_page_return_to_it(app, db, maija, response):
    put_answers(app, db, response, ALL_PAGES, page="_check")
    check = maija.get(f"/questionnaires/{response.id}/check").get_data(as_text=True)
    assert "Tarkista vastauksesi" in check
    change = page_url(response, "interview_format", **{"return": "check"})
    assert f'href="{change}"' in check
    reply = post_page(
        maija, response, "interview_format", {"interview_modality": "video"}, **{"return": "check"}
    )
    assert reply.headers["Location"] == f"/questionnaires/{response.id}/check"
    assert "Videoyhteydellä" in maija.get(reply.headers["Location"]).get_data(as_text=True)


def test_a_changed_answer_that_opens_a_new_page_asks_it_before_returning(app, db, maija, response):
    before = {**ALL_PAGES, "treatment_contact": "no", "health_affects_work": "somewhat"}
    put_answers(app, db, response, before, page="_check")
    reply = post_page(
        maija, response, "health_and_work", {"health_affects_work": "a_lot"}, **{"return": "check"}
    )
    # A lot, and no treatment contact: the page about getting treatment is new to the client.
    assert reply.headers["Location"] == page_url(response, "getting_treatment", **{"return": "check"})
    reply = post_page(maija, response, "getting_treatment", {"treatment_help": "yes"}, **{"return": "check"})
    assert reply.headers["Location"] == f"/questionnaires/{response.id}/check"


def test_answers_hidden_by_a_later_change_are_dropped_at_submit(app, db, maija, response):
    put_answers(app, db, response, {**ALL_PAGES, "treatment_where": "Terveysasema"}, page="_check")
    post_page(maija, response, "treatment", {"treatment_contact": "no"}, **{"return": "check"})
    post_page(maija, response, "getting_treatment", {"treatment_help": "booked"}, **{"return": "check"})
    # Still in the draft while the client might change back.
    assert stored(app, db, response).answers["treatment_where"] == "Terveysasema"
    sent = submit_from_check(maija, response)
    assert sent.status_code == 302
    assert sent.headers["Location"] == f"/questionnaires/{response.id}/done"
    answers = stored(app, db, response).answers
    assert "treatment_where" not in answers
    assert answers["treatment_help"] == "booked"
    done = maija.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Vastauksesi on lähetetty" in done
    urgent = "Jos tarvitset kiireellistä apua, soita Päivystysapuun 116\u00a0117."
    assert f"{urgent} Hätätilanteessa soita 112." in done
    assert "Haastattelusi on 10. joulukuuta 2026 klo" in done, "the interview's time, known already"
    view = maija.get(f"/questionnaires/{response.id}/view").get_data(as_text=True)
    assert "Terveysasema" not in view
    assert "Puhelimessa" in view


def test_an_incomplete_questionnaire_is_not_sent(app, db, maija, response):
    put_answers(app, db, response, {"current_situation": ["unemployed"]})
    check = maija.get(f"/questionnaires/{response.id}/check").get_data(as_text=True)
    assert "Lähetä vastaukset" not in check
    reply = maija.post(
        f"/questionnaires/{response.id}/submit",
        data={"csrf_token": csrf_token_from(check), "answers_version": str(version_of(db, response))},
    )
    assert reply.status_code == 422
    assert "Arjessa jaksaminen" in reply.get_data(as_text=True)
    db.expire_all()
    assert db.get(QuestionnaireResponse, response.id).status == "draft"


def test_a_submitted_response_is_immutable(app, db, demo, maija):
    response = submitted(app, db, demo["client_fi"], demo["adviser"], ALL_PAGES)
    before = stored(app, db, response)
    check = maija.get(f"/questionnaires/{response.id}/view").get_data(as_text=True)
    token = csrf_token_from(check)
    page = maija.post(
        page_url(response, "now"),
        data={"csrf_token": token, "answers_version": "99", "current_situation": "studying"},
    )
    assert page.status_code == 409
    assert "Vastauksesi on jo lähetetty" in page.get_data(as_text=True)
    again = maija.post(f"/questionnaires/{response.id}/submit", data={"csrf_token": token})
    assert again.status_code == 409
    assert maija.get(page_url(response, "now")).headers["Location"] == f"/questionnaires/{response.id}/view"
    assert stored(app, db, response) == before
    # The database refuses it too.
    with pytest.raises(DBAPIError):
        db.execute(
            text("UPDATE questionnaire_response SET content_encrypted = :c WHERE id = :id"),
            {"c": b"x", "id": response.id},
        )
    db.rollback()


def test_another_clients_response_is_not_found_and_nothing_changes(app, db, demo, client, response):
    login_as(app, client, demo["client_sv"])
    token = csrf_token_from(client.get("/questionnaires").get_data(as_text=True))
    before = version_of(db, response)
    for path in ("", "/pages/now", "/saved", "/check", "/done", "/view"):
        assert client.get(f"/questionnaires/{response.id}{path}").status_code == 404, path
    for path, data in (
        ("/pages/now", {"current_situation": "unemployed", "answers_version": str(before)}),
        ("/submit", {"answers_version": str(before)}),
    ):
        assert (
            client.post(
                f"/questionnaires/{response.id}{path}", data={"csrf_token": token, **data}
            ).status_code
            == 404
        )
    assert version_of(db, response) == before
    assert stored(app, db, response).answers == {}


def test_assigning_notifies_the_client_once(app, db, demo, response):
    again = assign(app, db, demo["client_fi"], demo["adviser"])
    assert again.id == response.id
    messages = db.scalars(
        select(OutboxMessage).where(OutboxMessage.template_key == "questionnaire_assigned")
    ).all()
    assert len(messages) == 1
    assert messages[0].params == {"path": "/questionnaires"}
    assert messages[0].recipient == demo["client_fi"].email


def test_a_statement_written_today_is_taken(app, db, maija, response):
    assert response.questionnaire_version >= 3  # past = true on the statement date since version 3
    put_answers(app, db, response, {"b_statement": "written"})
    on = today()
    typed = {
        "b_statement_date-day": str(on.day),
        "b_statement_date-month": str(on.month),
        "b_statement_date-year": str(on.year),
    }
    assert post_page(maija, response, "statement_details", typed).status_code == 302
    assert stored(app, db, response).answers["b_statement_date"] == on.isoformat()


def test_an_optional_question_written_as_a_sentence_ends_with_the_optional_mark_not_after_a_full_stop(
    app, db, maija, response
):
    put_answers(app, db, response, {"health_affects_work": "a_lot"})
    page = maija.get(page_url(response, "health_details")).get_data(as_text=True)
    assert "Kerro omin sanoin, mikä vaikuttaa työ- tai opiskelukykyysi (vapaaehtoinen)" in page
    assert "opiskelukykyysi. (vapaaehtoinen)" not in page


def test_the_done_page_asks_to_book_the_interview_when_its_time_is_not_known(app, db, demo, maija):
    sent = submitted(app, db, demo["client_fi"], demo["adviser"], ALL_PAGES)
    done = maija.get(f"/questionnaires/{sent.id}/done").get_data(as_text=True)
    assert "Varaa seuraavaksi aika haastatteluun." in done
    assert 'href="/appointments"' in done
    assert "Sinun ei tarvitse nyt tehdä mitään" not in done


def test_an_answer_at_the_end_of_a_scale_says_what_that_end_means(app, db, maija, response):
    put_answers(app, db, response, {**ALL_PAGES, "work_ability": 0})
    check = maija.get(f"/questionnaires/{response.id}/check").get_data(as_text=True)
    assert "0 asteikolla 0–10 (en pysty tekemään työtä lainkaan)" in check
