"""Advisers move a client's pathway; the client sees where they are, what to do and what happened."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.i18n import today
from portal.models import AccessLogEntry, OutboxMessage, Pathway, PathwayEvent
from portal.services.audit import SYSTEM
from portal.services.clients import assign
from tests.conftest import csrf_token_from, lands_in_swedish, login_as, switch_to_swedish_on


@pytest.fixture
def people(app, db, demo):
    with app.app_context():
        demo["client_fi"].email = "maija.meikalainen@example.fi"
        db.commit()
        assign(db, SYSTEM, demo["client_fi"], demo["adviser"])
    adviser, maija = app.test_client(), app.test_client()
    login_as(app, adviser, demo["adviser"])
    login_as(app, maija, demo["client_fi"])
    return {"adviser": adviser, "maija": maija, "client": demo["client_fi"], "demo": demo}


def manage_url(client) -> str:
    return f"/staff/clients/{client.id}/pathway"


def post(browser, url, page_url, data):
    token = csrf_token_from(browser.get(page_url).get_data(as_text=True))
    return browser.post(url, data={"csrf_token": token, **data})


def today_parts(prefix: str) -> dict[str, str]:
    now = today()
    return {
        f"{prefix}-effective_on-day": str(now.day),
        f"{prefix}-effective_on-month": str(now.month),
        f"{prefix}-effective_on-year": str(now.year),
    }


def start(people, template="kela_vocational_rehabilitation"):
    url = manage_url(people["client"])
    return post(people["adviser"], url + "/start", url, {"start-template": template, **today_parts("start")})


def current_version(db, client) -> str:
    db.expire_all()
    return str(db.scalar(select(Pathway.version).where(Pathway.client_id == client.id)))


def test_the_client_sees_that_no_pathway_has_started(people):
    page = people["maija"].get("/pathway").get_data(as_text=True)
    assert "Polkusi ei ole vielä alkanut" in page


def test_an_adviser_starts_and_moves_the_pathway_and_the_client_sees_it(people, db):
    assert start(people).status_code == 302
    url = manage_url(people["client"])
    response = post(
        people["adviser"],
        url + "/move",
        url,
        {
            "move-step": "pre_interview_questionnaire",
            "move-note": "Vastaa kyselyyn ennen haastattelua, kiitos!",
            "move-note_for_client": "y",
            "move-version": current_version(db, people["client"]),
            **today_parts("move"),
        },
    )
    assert response.status_code == 302
    page = people["maija"].get("/pathway").get_data(as_text=True)
    assert "Esitietokysely" in page
    assert 'aria-current="step"' in page
    assert "Vastaa kyselyyn ennen haastattelua, kiitos!" in page
    assert page.count("Tehty") >= 2  # referral and consent are behind her now
    home = people["maija"].get("/home").get_data(as_text=True)
    assert "Esitietokysely" in home
    messages = db.scalars(select(OutboxMessage).where(OutboxMessage.template_key == "pathway_updated")).all()
    assert {m.recipient for m in messages} == {"maija.meikalainen@example.fi"}
    assert all("kysely" not in str(m.params) for m in messages)


def test_an_internal_note_stays_with_the_professionals(people, db):
    start(people)
    url = manage_url(people["client"])
    post(
        people["adviser"],
        url + "/note",
        url,
        {
            "note-note": "Asiakas vaikutti väsyneeltä.",
            "note-version": current_version(db, people["client"]),
            **today_parts("note"),
        },
    )
    assert "Asiakas vaikutti väsyneeltä." not in people["maija"].get("/pathway").get_data(as_text=True)
    assert "Asiakas vaikutti väsyneeltä." in people["adviser"].get(url).get_data(as_text=True)
    stored = db.scalars(select(PathwayEvent.note_encrypted).where(PathwayEvent.kind == "note")).one()
    assert "väsyneeltä".encode() not in stored


def test_the_client_reads_their_contacts_organisation_in_their_own_language(app, db, demo):
    with app.app_context():
        assign(db, SYSTEM, demo["client_sv"], demo["adviser"])
    anna_lena = app.test_client()
    anna_lena.set_cookie("polku_lang", "sv")
    login_as(app, anna_lena, demo["client_sv"])
    page = anna_lena.get("/pathway").get_data(as_text=True)
    assert demo["adviser"].organisation == "Kela"
    assert "Riikka Rantanen, TYM-arbetsförmågerådgivare (FPA)" in page


def test_a_step_is_skipped_for_a_young_client(people, db):
    start(people)
    url = manage_url(people["client"])
    response = post(
        people["adviser"],
        url + "/skip",
        url,
        {
            "skip-step": "health_check_b_statement",
            "skip-version": current_version(db, people["client"]),
            **today_parts("skip"),
        },
    )
    assert response.status_code == 302
    assert "Ei tarvita" in people["maija"].get("/pathway").get_data(as_text=True)


def test_the_page_seen_before_a_change_shows_the_change(people, db):
    """The current step and the timeline are kept rendered: each change must still show at once."""
    start(people)
    before = people["maija"].get("/pathway").get_data(as_text=True)
    assert "Ei tarvita" not in before
    url = manage_url(people["client"])
    post(
        people["adviser"],
        url + "/skip",
        url,
        {
            "skip-step": "health_check_b_statement",
            "skip-version": current_version(db, people["client"]),
            **today_parts("skip"),
        },
    )
    skipped = people["maija"].get("/pathway").get_data(as_text=True)
    assert "Ei tarvita" in skipped
    assert skipped.count('aria-current="step"') == 1
    post(
        people["adviser"],
        url + "/move",
        url,
        {
            # Like the first step, a step with nothing for the client to open (the same action link).
            "move-step": "kela_processing",
            "move-version": current_version(db, people["client"]),
            **today_parts("move"),
        },
    )
    moved = people["maija"].get("/pathway").get_data(as_text=True)
    now = "Missä olet nyt: Kela käsittelee hakemuksen"
    assert now in moved
    assert now not in skipped
    assert moved.count("Tehty") > skipped.count("Tehty")
    assert "Ei tarvita" in moved


def test_moving_to_an_unknown_step_changes_nothing(people, db):
    start(people)
    url = manage_url(people["client"])
    version = current_version(db, people["client"])
    response = post(
        people["adviser"],
        url + "/move",
        url,
        {
            "move-step": "no_such_step",
            "move-version": version,
            **today_parts("move"),
        },
    )
    assert response.status_code == 422
    assert current_version(db, people["client"]) == version


def test_a_closed_pathway_cannot_be_moved(people, db):
    start(people)
    url = manage_url(people["client"])
    post(
        people["adviser"],
        url + "/close",
        url,
        {
            "close-outcome": "other_service",
            "close-version": current_version(db, people["client"]),
            **today_parts("close"),
        },
    )
    events_before = db.scalar(select(func.count()).select_from(PathwayEvent))
    response = post(
        people["adviser"],
        url + "/move",
        url,
        {
            "move-step": "decision",
            "move-version": current_version(db, people["client"]),
            **today_parts("move"),
        },
    )
    assert response.status_code == 422
    assert db.scalar(select(func.count()).select_from(PathwayEvent)) == events_before
    assert "Tämä polku päättyi" in people["maija"].get("/pathway").get_data(as_text=True)


def test_a_stale_page_cannot_overwrite_another_advisers_change(people, db):
    start(people)
    url = manage_url(people["client"])
    stale = current_version(db, people["client"])
    post(
        people["adviser"],
        url + "/move",
        url,
        {"move-step": "consent", "move-version": stale, **today_parts("move")},
    )
    response = post(
        people["adviser"],
        url + "/move",
        url,
        {
            "move-step": "decision",
            "move-version": stale,
            **today_parts("move"),
        },
    )
    assert response.status_code == 409
    assert "Joku muu muutti tätä polkua" in response.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(Pathway.current_step)) == "consent"


@pytest.mark.parametrize("version", ["99999999999999999999999", "-1", "1e3", "²", ""])
def test_a_tampered_version_is_refused_as_a_changed_page_not_a_server_error(people, db, version):
    start(people)
    url = manage_url(people["client"])
    typed = {"move-step": "consent", "move-version": version, **today_parts("move")}
    response = post(people["adviser"], url + "/move", url, typed)
    assert response.status_code == 409
    assert "Joku muu muutti tätä polkua" in response.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(Pathway.current_step)) != "consent"


def test_an_adviser_cannot_touch_a_client_not_assigned_to_them(app, db, demo):
    adviser = app.test_client()
    login_as(app, adviser, demo["adviser"])
    other = demo["client_sv"]
    url = manage_url(other)
    assert adviser.get(url).status_code == 404
    token = (
        csrf_token_from(adviser.get("/staff/clients").get_data(as_text=True).replace("", ""))
        if False
        else None
    )
    assert token is None
    response = adviser.post(url + "/start", data={"start-template": "kela_vocational_rehabilitation"})
    assert response.status_code in (400, 404)
    assert db.scalar(select(func.count()).select_from(Pathway)) == 0


def test_every_professional_view_is_logged(people, db):
    start(people)
    people["adviser"].get(manage_url(people["client"]))
    people["adviser"].get(f"/staff/clients/{people['client'].id}")
    actions = db.execute(
        select(AccessLogEntry.action, AccessLogEntry.object_type).where(
            AccessLogEntry.client_id == people["client"].id
        )
    ).all()
    assert ("view", "pathway") in actions
    assert ("view", "client_overview") in actions
    assert ("create", "pathway") in actions


def test_a_note_with_errors_is_shown_in_its_open_box(people, db):
    start(people)
    url = manage_url(people["client"])
    response = post(
        people["adviser"],
        url + "/note",
        url,
        {"note-note": "", "note-version": current_version(db, people["client"]), **today_parts("note")},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # The summary's link leads to a field the adviser can see, not one inside a closed box.
    assert re.search(r'<details class="action-box" open>\s*<summary><h2>Lisää muistiinpano</h2>', page)
    assert not re.search(r'<details class="action-box" open>\s*<summary><h2>Päätä polku</h2>', page)


def test_the_client_finds_how_to_reach_their_adviser(people):
    page = people["maija"].get("/pathway").get_data(as_text=True)
    assert "Riikka Rantanen" in page
    assert '<a href="mailto:riikka.rantanen@kela.example">riikka.rantanen@kela.example</a>' in page
    assert "Sähköposti ei ole salattu: älä kirjoita siihen terveydestäsi." in page


def test_the_language_switch_on_a_move_sent_wrong_leads_to_the_pathway_page(people, db):
    start(people)
    url = manage_url(people["client"])
    sent = post(
        people["adviser"],
        url + "/move",
        url,
        {
            "move-step": "no_such_step",
            "move-version": current_version(db, people["client"]),
            **today_parts("move"),
        },
    )
    assert sent.status_code == 422
    # The page stands at the address the form was posted to, which answers POST only.
    switch = switch_to_swedish_on(sent.get_data(as_text=True))
    assert switch == f"/language/sv?next={url}"
    assert people["adviser"].get(switch).headers["Location"] == url
    assert lands_in_swedish(people["adviser"], url)
