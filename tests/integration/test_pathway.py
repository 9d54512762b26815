"""Advisers move a client's pathway; the client sees where they are, what to do and what happened."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.i18n import local_date, today
from portal.models import AccessLogEntry, OutboxMessage, Pathway, PathwayEvent
from portal.services.audit import SYSTEM
from portal.services.clients import assign
from tests.conftest import csrf_token_from, error_summary_of, lands_in_swedish, login_as, switch_to_swedish_on


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


def date_parts(prefix: str, day: date) -> dict[str, str]:
    return {
        f"{prefix}-effective_on-day": str(day.day),
        f"{prefix}-effective_on-month": str(day.month),
        f"{prefix}-effective_on-year": str(day.year),
    }


def today_parts(prefix: str) -> dict[str, str]:
    return date_parts(prefix, today())


def start(people, template="kela_vocational_rehabilitation", on=None):
    url = manage_url(people["client"])
    dated = date_parts("start", on or today())
    return post(people["adviser"], url + "/start", url, {"start-template": template, **dated})


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
    told = people["adviser"].get(response.headers["Location"]).get_data(as_text=True)
    assert "Polku on siirretty uuteen vaiheeseen." in told, "the adviser is told it was done"
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
            "close-confirmed": "y",
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
    refused = response.get_data(as_text=True)
    assert "Joku muu muutti tätä polkua" in refused
    db.expire_all()
    assert db.scalar(select(Pathway.current_step)) == "consent"
    # Having seen the pathway as it is now, the adviser sends the same form again: it applies.
    shown = re.search(r'name="move-version" value="(\d+)"', refused)
    assert shown is not None
    assert shown.group(1) == current_version(db, people["client"])
    again = {"move-step": "decision", "move-version": shown.group(1), **today_parts("move")}
    assert post(people["adviser"], url + "/move", url, again).status_code == 302
    db.expire_all()
    assert db.scalar(select(Pathway.current_step)) == "decision"


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


def field_error(page: str, field_id: str) -> str:
    """The message shown next to a field."""
    found = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', page, re.S)
    assert found, f"no error next to {field_id}"
    return re.sub(r"<[^>]+>", "", found.group(1)).replace("Virhe:", "").replace("Fel:", "").strip()


def move_on(people, db, day, **extra):
    url = manage_url(people["client"])
    typed = {"move-step": "consent", "move-version": current_version(db, people["client"])}
    return post(people["adviser"], url + "/move", url, {**typed, **date_parts("move", day), **extra})


@pytest.mark.parametrize("when", ["year 3000", "tomorrow"])
def test_a_move_cannot_be_dated_in_the_future(people, db, when):
    start(people)
    version = current_version(db, people["client"])
    response = move_on(people, db, date(3000, 1, 1) if when == "year 3000" else today() + timedelta(days=1))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = "Päivämäärä ei voi olla tulevaisuudessa. Kirjoita tämä päivä tai aiempi päivä."
    assert field_error(page, "move-effective_on") == message
    assert f'href="#move-effective_on-day">{message}</a>' in error_summary_of(page)
    assert current_version(db, people["client"]) == version
    assert "3000" not in people["maija"].get("/pathway").get_data(as_text=True)


def test_a_move_cannot_be_dated_before_the_pathway_began(people, db):
    began = today() - timedelta(days=40)
    start(people, on=began)
    version = current_version(db, people["client"])
    response = move_on(people, db, date(1900, 1, 1))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = (
        f"Päivämäärä ei voi olla aiempi kuin polun alkamispäivä {began.day}.{began.month}.{began.year}. "
        "Kirjoita se päivä tai myöhempi päivä."
    )
    assert field_error(page, "move-effective_on") == message
    assert f'href="#move-effective_on-day">{message}</a>' in error_summary_of(page)
    assert current_version(db, people["client"]) == version
    # The day it began, and any day after it, will do.
    assert move_on(people, db, began).status_code == 302


def test_the_swedish_adviser_reads_why_a_date_is_refused_in_swedish(people, db):
    began = today() - timedelta(days=3)
    start(people, on=began)
    people["adviser"].set_cookie("polku_lang", "sv")
    early = move_on(people, db, began - timedelta(days=1)).get_data(as_text=True)
    assert field_error(early, "move-effective_on") == (
        f"Datumet kan inte vara tidigare än den dag stigen började, {began.day}.{began.month}.{began.year}. "
        "Skriv den dagen eller en senare dag."
    )
    late = move_on(people, db, date(3000, 1, 1)).get_data(as_text=True)
    assert field_error(late, "move-effective_on") == (
        "Datumet kan inte vara i framtiden. Skriv dagens datum eller ett tidigare datum."
    )
    assert "<p>I delen ”Flytta till ett steg”:</p>" in error_summary_of(late)


@pytest.mark.parametrize("name", ["skip", "note", "close"])
def test_every_change_is_dated_between_the_start_and_today(people, db, name):
    start(people)
    fields = {
        "skip": {"skip-step": "health_check_b_statement"},
        "note": {"note-note": "Soitettu asiakkaalle."},
        "close": {"close-outcome": "other_service", "close-confirmed": "y"},
    }[name]
    url = manage_url(people["client"])
    version = current_version(db, people["client"])
    for day in (date(1900, 1, 1), date(3000, 1, 1)):
        typed = {**fields, f"{name}-version": version, **date_parts(name, day)}
        response = post(people["adviser"], url + f"/{name}", url, typed)
        assert response.status_code == 422
        assert f'id="{name}-effective_on-error"' in response.get_data(as_text=True)
        part = {"skip": "Ohita vaihe", "note": "Lisää muistiinpano", "close": "Päätä polku"}[name]
        assert f"<p>Kohdassa ”{part}”:</p>" in error_summary_of(response.get_data(as_text=True))
    assert current_version(db, people["client"]) == version


def test_a_pathway_is_started_at_most_two_years_back_and_not_in_the_future(people, db):
    for day in (date(1900, 1, 1), today() - timedelta(days=732), date(3000, 1, 1)):
        response = start(people, on=day)
        assert response.status_code == 422
        assert 'id="start-effective_on-error"' in response.get_data(as_text=True)
    page = start(people, on=date(1900, 1, 1)).get_data(as_text=True)
    message = "Polun alkamispäivä voi olla enintään kaksi vuotta sitten."
    assert field_error(page, "start-effective_on") == message
    assert f'href="#start-effective_on-day">{message}</a>' in error_summary_of(page)
    assert db.scalar(select(func.count()).select_from(Pathway)) == 0
    assert start(people, on=today() - timedelta(days=700)).status_code == 302


@pytest.mark.parametrize("note", ["   ", " \t\r\n "])
def test_a_note_of_only_spaces_is_asked_for_like_an_empty_one(people, db, note):
    start(people)
    url = manage_url(people["client"])
    version = current_version(db, people["client"])
    typed = {"note-note": note, "note-version": version, **today_parts("note")}
    response = post(people["adviser"], url + "/note", url, typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "note-note") == "Kirjoita muistiinpano."
    assert 'href="#note-note">Kirjoita muistiinpano.</a>' in error_summary_of(page)
    assert "<p>Kohdassa ”Lisää muistiinpano”:</p>" in error_summary_of(page), "the page has five forms"
    assert "Muutosta ei voitu tehdä" not in page
    assert db.scalar(select(func.count()).select_from(PathwayEvent).where(PathwayEvent.kind == "note")) == 0


def test_the_other_forms_on_the_page_keep_their_values_when_one_is_sent_wrong(people, db):
    start(people)
    url = manage_url(people["client"])
    version = current_version(db, people["client"])
    typed = {"note-note": "   ", "note-version": version, **today_parts("note")}
    page = post(people["adviser"], url + "/note", url, typed).get_data(as_text=True)
    now = today()
    for name in ("move", "skip", "close"):
        assert f'name="{name}-version" value="{version}"' in page
        for part, value in (("day", now.day), ("month", now.month), ("year", now.year)):
            assert re.search(rf'name="{name}-effective_on-{part}"[^>]* value="{value}"', page)


def test_the_step_the_client_is_on_is_not_offered_as_a_move(people, db):
    start(people)
    url = manage_url(people["client"])
    page = people["adviser"].get(url).get_data(as_text=True)
    assert 'id="move-step-0" name="move-step" type="radio" value="consent"' in page, "the next step first"
    assert 'name="move-step" type="radio" value="referral"' not in page
    again = post(
        people["adviser"],
        url + "/move",
        url,
        {
            "move-step": "referral",
            "move-version": current_version(db, people["client"]),
            **today_parts("move"),
        },
    )
    assert again.status_code == 422
    assert "Valitse vaihe." in error_summary_of(again.get_data(as_text=True))
    assert db.scalar(select(func.count()).select_from(PathwayEvent)) == 1, "only the start"


def test_the_summary_lists_a_moves_errors_in_the_order_of_the_page(people, db):
    start(people)
    url = manage_url(people["client"])
    sent = post(
        people["adviser"],
        url + "/move",
        url,
        {
            "move-note": "x" * 2001,
            "move-version": current_version(db, people["client"]),
            **today_parts("move"),
        },
    )
    assert sent.status_code == 422
    links = re.findall(r'<li><a href="#([^"]+)">', error_summary_of(sent.get_data(as_text=True)))
    assert links == ["move-step-0", "move-note"], "the step is above the note on the page"


def test_a_change_of_step_is_not_dated_before_the_last_one_but_a_note_may_be(people, db):
    start(people, on=today() - timedelta(days=40))
    assert move_on(people, db, today() - timedelta(days=10)).status_code == 302
    version = current_version(db, people["client"])
    url = manage_url(people["client"])
    earlier = today() - timedelta(days=20)
    last = today() - timedelta(days=10)
    message = (
        f"Päivämäärä ei voi olla aiempi kuin viimeisin vaiheen muutos {last.day}.{last.month}.{last.year}. "
        "Kirjoita se päivä tai myöhempi päivä."
    )
    typed = {"move-step": "rehabilitation_interview", "move-version": version, **date_parts("move", earlier)}
    moved = post(people["adviser"], url + "/move", url, typed)
    assert moved.status_code == 422
    assert field_error(moved.get_data(as_text=True), "move-effective_on") == message
    typed = {"skip-step": "health_check_b_statement", "skip-version": version, **date_parts("skip", earlier)}
    assert post(people["adviser"], url + "/skip", url, typed).status_code == 422
    typed = {
        "close-outcome": "other_service",
        "close-confirmed": "y",
        "close-version": version,
        **date_parts("close", earlier),
    }
    assert post(people["adviser"], url + "/close", url, typed).status_code == 422
    assert current_version(db, people["client"]) == version
    typed = {"note-note": "Soitettu asiakkaalle.", "note-version": version, **date_parts("note", earlier)}
    assert post(people["adviser"], url + "/note", url, typed).status_code == 302, "a note of an earlier call"


def test_the_history_says_what_happened_and_a_closed_pathway_stays_readable(people, db):
    start(people)
    url = manage_url(people["client"])
    version = current_version(db, people["client"])
    typed = {"skip-step": "health_check_b_statement", "skip-version": version, **today_parts("skip")}
    assert post(people["adviser"], url + "/skip", url, typed).status_code == 302
    page = people["adviser"].get(url).get_data(as_text=True)
    assert "Vaihe ohitettiin: Terveystarkastus ja B-lausunto." in page
    assert "Polku alkoi vaiheesta: " in page
    version = current_version(db, people["client"])
    typed = {"note-note": "Soitettu asiakkaalle.", "note-version": version, **today_parts("note")}
    assert post(people["adviser"], url + "/note", url, typed).status_code == 302
    # A note's text is isolated from the label after it: a right-to-left mark typed in it moved
    # the label in front of the note.
    noted = people["adviser"].get(url).get_data(as_text=True)
    assert (
        '<p class="history__note"><bdi>Soitettu asiakkaalle.</bdi> <span class="tag">Sisäinen</span>' in noted
    )
    version = current_version(db, people["client"])
    typed = {
        "close-outcome": "moved_away",
        "close-confirmed": "y",
        "close-version": version,
        **today_parts("close"),
    }
    assert post(people["adviser"], url + "/close", url, typed).status_code == 302
    after = people["adviser"].get(url).get_data(as_text=True)
    earlier = after.split("Aiemmat polut")[1]
    assert "Lopputulos: Muutti pois alueelta" in earlier
    assert "Polku päätettiin: Muutti pois alueelta." in earlier
    assert "Muistiinpano vaiheessa: " in earlier
    assert "Soitettu asiakkaalle." in earlier
    assert "Aloita polku" in after, "a new pathway can be started beside it"
    # Each pathway is offered once (both of its published versions were listed, the same name twice).
    offered = re.findall(r'name="start-template" type="radio" value="([a-z_]+)"', after)
    assert sorted(offered) == ["kela_rehabilitation_assessment", "kela_vocational_rehabilitation"]


def test_the_history_is_in_date_order_and_the_dates_shown_are_those_given(people, db):
    def on(days_ago):
        day = today() - timedelta(days=days_ago)
        return day, f"{day.day}.{day.month}.{day.year}"

    start(people, on=on(40)[0])
    url = manage_url(people["client"])
    assert move_on(people, db, on(10)[0]).status_code == 302
    typed = {"note-note": "Soitettu.", "note-version": current_version(db, people["client"])}
    assert (
        post(people["adviser"], url + "/note", url, {**typed, **date_parts("note", on(20)[0])}).status_code
        == 302
    )
    history = people["adviser"].get(url).get_data(as_text=True).split('<ul class="history">')[1]
    moved, noted, started = (
        history.index("Siirryttiin vaiheeseen"),
        history.index("Muistiinpano"),
        history.index("Polku alkoi"),
    )
    assert moved < noted < started, "newest first by the dates given, not by when they were written"
    assert "Muistiinpano vaiheessa: Ohjaus TYM-palveluun." in history, "the step on the note's date"
    typed = {
        "close-outcome": "moved_away",
        "close-confirmed": "y",
        "close-version": current_version(db, people["client"]),
    }
    assert (
        post(people["adviser"], url + "/close", url, {**typed, **date_parts("close", on(5)[0])}).status_code
        == 302
    )
    closed_day = local_date(on(5)[0])
    assert f"päätetty {closed_day}" in people["adviser"].get(url).get_data(as_text=True)
    client_page = people["maija"].get("/pathway").get_data(as_text=True)
    assert f"Tämä polku päättyi {closed_day}. Lopputulos: Muutti pois alueelta." in client_page
    assert "Ei toteutunut" in client_page, "the steps after the last were not reached"
    assert "Tulossa" not in client_page
    early = start(people, on=on(6)[0])
    assert early.status_code == 422
    message = f"Päivämäärä ei voi olla aiempi kuin edellisen polun päättymispäivä {on(5)[1]}."
    assert message in early.get_data(as_text=True)
    assert start(people, on=on(5)[0]).status_code == 302
    earlier = people["maija"].get("/pathway").get_data(as_text=True).split("Aiemmat polut")[1]
    assert f"{local_date(on(40)[0])} – {closed_day}. Lopputulos: Muutti pois alueelta" in earlier


def test_a_note_with_a_personal_identity_code_is_refused_and_nothing_is_saved(people, db):
    start(people)
    url = manage_url(people["client"])
    sent = post(
        people["adviser"],
        url + "/note",
        url,
        {
            "note-note": "Asiakkaan tunnus 150385-9013 tarkistettu.",
            "note-note_for_client": "y",
            "note-version": current_version(db, people["client"]),
            **today_parts("note"),
        },
    )
    assert sent.status_code == 422
    assert "Poista henkilötunnus tekstistä." in sent.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(PathwayEvent).where(PathwayEvent.kind == "note")) == 0


def test_closing_asks_for_the_box_that_says_it_is_final(people, db):
    start(people)
    url = manage_url(people["client"])
    typed = {
        "close-outcome": "moved_away",
        "close-version": current_version(db, people["client"]),
        **today_parts("close"),
    }
    refused = post(people["adviser"], url + "/close", url, typed)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert page.count("Vahvista polun päättäminen rastittamalla ruutu.") == 2
    # The message is tied to the box, read out when a screen reader lands on it.
    box = re.search(r'<input[^>]* id="close-confirmed"[^>]*>', page)
    assert box is not None
    assert 'aria-describedby="close-confirmed-error"' in box.group(0)
    assert 'aria-invalid="true"' in box.group(0)
    assert 'value="moved_away" checked' in page, "the outcome chosen stays chosen"
    assert db.scalar(select(Pathway.status).where(Pathway.client_id == people["client"].id)) == "active"
    closed = post(people["adviser"], url + "/close", url, {**typed, "close-confirmed": "y"})
    assert closed.status_code == 302
    db.expire_all()
    assert db.scalar(select(Pathway.status).where(Pathway.client_id == people["client"].id)) == "closed"
