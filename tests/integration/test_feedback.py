"""The accessibility feedback channel: sent by anyone, stored sealed, read and handled by main users."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from portal.models import AccessLogEntry, Feedback, OutboxMessage, StaffRole, StaffUser
from portal.models.base import utcnow
from portal.notifications import delivery_from_config
from portal.services import feedback as feedback_service
from portal.services.outbox import send_due
from tests.conftest import csrf_token_from, post_form, signed_in
from tests.integration.test_outbox import Mailbox, SmtpServer, free_port

URL = "/accessibility/feedback"
RECEIVED = "/staff/feedback"
SENT = {
    "topic": "accessibility",
    "page": "Ajanvaraus",
    "message": "Masennuksen takia en jaksa lukea pitkiä sivuja. Painike jää näytön ulkopuolelle.",
    "reply_to": "antaja@example.fi",
}


def test_feedback_is_stored_and_thanked(client, db, app_context):
    response = post_form(
        client,
        URL,
        {
            "topic": "accessibility",
            "page": "Etusivu",
            "message": "Painike jää näytön ulkopuolelle.",
            "reply_to": "a@b.fi",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/accessibility/feedback/thanks"
    (stored,) = feedback_service.received(db, handled=False)
    assert (stored.topic, stored.page, stored.message, stored.reply_to, stored.locale) == (
        "accessibility",
        "Etusivu",
        "Painike jää näytön ulkopuolelle.",
        "a@b.fi",
        "fi",
    )
    assert stored.created_at.tzinfo is not None
    assert "14 päivän" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_errors_are_shown_in_a_summary_and_next_to_each_field_keeping_what_was_typed(client, db):
    response = post_form(
        client, URL, {"topic": "", "message": "", "reply_to": "ei-osoite", "page": "Sivu <b>"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<title>Virhe: Anna palautetta – Polku</title>" in page
    assert "Sivulla on 3 virhettä" in page
    assert 'href="#topic-0"' in page
    assert 'href="#message"' in page
    assert 'href="#reply_to"' in page
    assert page.count("Valitse, mitä palautteesi koskee.") == 2
    assert page.count("Kirjoita palautteesi.") == 2
    assert page.count("Kirjoita sähköpostiosoite muodossa nimi@esimerkki.fi.") == 2
    assert 'value="ei-osoite"' in page
    assert 'value="Sivu &lt;b&gt;"' in page
    assert 'aria-invalid="true"' in page
    assert db.query(Feedback).count() == 0


def test_errors_are_in_swedish_for_a_swedish_user(client):
    client.set_cookie("polku_lang", "sv")
    page = post_form(client, URL, {"topic": "other", "message": ""}).get_data(as_text=True)
    assert "<title>Fel: Ge respons – Polku</title>" in page
    assert "Det finns 1 fel" in page
    assert "Skriv din respons." in page


def test_an_overlong_message_is_refused_with_the_limit(client, db):
    response = post_form(client, URL, {"topic": "other", "message": "ä" * 4001})
    assert response.status_code == 422
    assert "Palautteesi voi olla enintään 4\u00a0000 merkkiä pitkä." in response.get_data(as_text=True)
    assert db.query(Feedback).count() == 0


@pytest.mark.parametrize("app_config", [{"RATELIMIT_FEEDBACK": "2 per minute"}], indirect=True)
def test_feedback_is_rate_limited(client, db):
    for _ in range(2):
        assert post_form(client, URL, {"topic": "other", "message": "Hei"}).status_code == 302
    response = post_form(client, URL, {"topic": "other", "message": "Hei"})
    assert response.status_code == 429
    assert "Liian monta yritystä" in response.get_data(as_text=True)
    assert db.query(Feedback).count() == 2


def test_what_people_write_is_sealed_in_the_database(client, db):
    post_form(client, URL, SENT)
    raw = repr(db.execute(text("SELECT * FROM feedback")).all())
    for written in ("Masennuksen", "Ajanvaraus", "antaja@example.fi"):
        assert written not in raw
    assert db.scalars(select(Feedback.topic)).one() == "accessibility"


def main_user(db, email="paakayttaja@example.fi", locale="fi", *, active=True, roles=("admin",)):
    staff = StaffUser(
        name="Pia Pääkäyttäjä", email=email, organisation="Keusote", locale=locale, active=active
    )
    staff.roles = [StaffRole(role=role) for role in roles]
    db.add(staff)
    db.commit()
    return staff


@pytest.fixture
def mailbox(app):
    box = Mailbox()
    server = SmtpServer(box, free_port())
    app.config.update(SMTP_PORT=server.port, SMTP_TIMEOUT=5)
    server.start()
    yield box
    server.stop()


def test_each_main_user_is_told_by_email_in_their_language_without_the_feedback(app, client, db, mailbox):
    main_user(db, "pia@example.fi", "fi")
    main_user(db, "stina@example.fi", "sv")
    main_user(db, "former@example.fi", active=False)
    main_user(db, "adviser@example.fi", roles=("adviser",))

    post_form(client, URL, SENT)
    with app.app_context():
        sent = send_due(app.extensions["polku.sessionmaker"], "worker", delivery_from_config(app.config))

    assert sent.sent == 2
    mails = {to[0]: message for to, message in mailbox.messages}
    assert sorted(mails) == ["pia@example.fi", "stina@example.fi"]
    assert mails["pia@example.fi"]["Subject"] == "Polkuun on tullut palautetta saavutettavuudesta"
    assert mails["stina@example.fi"]["Subject"] == "Polku har fått respons om tillgängligheten"
    for message in mails.values():
        parts = message.walk()
        whole = "\n".join(part.get_content() for part in parts if part.get_content_maintype() == "text")
        assert "http://127.0.0.1:5000/staff/feedback" in whole
        for written in ("Masennuksen", "Ajanvaraus", "antaja@example.fi"):
            assert written not in whole
    assert all(row.params == {"path": RECEIVED} for row in db.scalars(select(OutboxMessage)))


def read_received(app, db, staff, **query):
    browser = signed_in(app, staff)
    return browser, browser.get(RECEIVED, query_string=query)


def test_a_main_user_reads_the_feedback_and_marks_it_handled(app, client, db):
    staff = main_user(db)
    post_form(client, URL, SENT)
    post_form(client, URL, {"topic": "other", "message": "Ei osoitetta."})
    old, no_address = db.scalars(select(Feedback).order_by(Feedback.id)).all()
    old.created_at = no_address.created_at = utcnow() - timedelta(days=15)
    db.commit()

    browser, response = read_received(app, db, staff)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Odottaa käsittelyä (2)" in page
    assert "Masennuksen takia en jaksa lukea pitkiä sivuja." in page
    assert 'href="mailto:antaja@example.fi"' in page
    assert "Palautteen antaja ei pyytänyt vastausta." in page
    assert page.count("Myöhässä") == 1, "the one with an address: the other has no one to answer"
    assert page.count("Viimeinen vastauspäivä") == 1
    assert "Ei osoitetta." in page
    assert "Palautteita ei ole vielä käsitelty." in page

    done = browser.post(f"{RECEIVED}/{old.id}/handled", data={"csrf_token": csrf_token_from(page)})
    assert done.status_code == 303
    after = browser.get(done.headers["Location"]).get_data(as_text=True)
    assert "Palaute on merkitty käsitellyksi." in after
    assert "Odottaa käsittelyä (1)" in after
    assert "käsittelijä Pia Pääkäyttäjä" in after
    again = browser.post(f"{RECEIVED}/{old.id}/handled", data={"csrf_token": csrf_token_from(page)})
    assert "Tämä palaute oli jo merkitty käsitellyksi." in browser.get(again.headers["Location"]).text
    db.expire_all()
    assert db.get(Feedback, old.id).handled_by_id == staff.id
    logged = db.execute(
        select(AccessLogEntry.action, AccessLogEntry.object_id, AccessLogEntry.actor_id).where(
            AccessLogEntry.object_type == "feedback"
        )
    ).all()
    assert [(action, actor) for action, _id, actor in logged] == [
        ("view", staff.id),
        ("change", staff.id),
        ("view", staff.id),
        ("view", staff.id),  # after the second, refused mark
    ]
    assert logged[1][1] == str(old.id)


def test_the_list_is_in_swedish_for_a_swedish_main_user(app, client, db):
    staff = main_user(db)
    post_form(client, URL, SENT)
    browser = signed_in(app, staff)
    browser.set_cookie("polku_lang", "sv")
    page = browser.get(RECEIVED).get_data(as_text=True)
    assert "<title>Respons om tillgängligheten – Polku</title>" in page
    assert "Väntar på behandling (1)" in page
    assert "Markera som behandlad" in page
    # Written on a Finnish page, the feedback is marked Finnish on the Swedish list.
    assert '<pre class="message-text" lang="fi">' in page


def test_marking_needs_the_forms_token(app, client, db):
    staff = main_user(db)
    post_form(client, URL, SENT)
    browser = signed_in(app, staff)
    feedback_id = db.scalars(select(Feedback.id)).one()
    assert browser.post(f"{RECEIVED}/{feedback_id}/handled").status_code == 400
    db.expire_all()
    assert db.scalars(select(Feedback.handled_at)).one() is None


def test_the_main_users_menu_and_front_page_lead_to_the_feedback(app, client, db):
    staff = main_user(db)
    post_form(client, URL, SENT)
    page = signed_in(app, staff).get("/staff").get_data(as_text=True)
    assert f'href="{RECEIVED}"' in page
    assert "1 palaute odottaa käsittelyä." in page
    # The commands' placeholders are in the main user's language too.
    assert "users grant <var>sähköpostiosoite</var> <var>rooli</var>" in page
    assert "EMAIL" not in page


def test_spaces_and_line_breaks_alone_are_no_feedback(client, db):
    response = post_form(client, URL, {"topic": "other", "message": "   \r\n  \n "})
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("Kirjoita palautteesi.") == 2
    assert db.query(Feedback).count() == 0


@pytest.mark.parametrize("app_config", [{"RATELIMIT_FEEDBACK": "2 per minute"}], indirect=True)
def test_forms_refused_for_a_mistake_do_not_count_towards_the_limit(client, db):
    for _ in range(4):
        assert post_form(client, URL, {"topic": "other", "message": ""}).status_code == 422
    response = post_form(client, URL, {"topic": "other", "message": "Korjattu viesti."})
    assert response.status_code == 302
    assert db.query(Feedback).count() == 1


def test_a_main_user_refused_a_clients_page_is_told_why_not_to_ask_themselves(app, db, demo):
    refused = signed_in(app, demo["admin"]).get("/staff/clients")
    assert refused.status_code == 403
    assert "Pääkäyttäjän rooli ei anna pääsyä asiakkaiden tietoihin." in refused.get_data(as_text=True)
    adviser = signed_in(app, demo["adviser"]).get(RECEIVED)
    assert adviser.status_code == 403
    assert "ota yhteyttä organisaatiosi pääkäyttäjään" in adviser.get_data(as_text=True)


def test_feedback_handled_over_a_year_ago_is_purged_and_waiting_feedback_never(app, client, db):
    staff = main_user(db)
    for message in ("Vanha käsitelty.", "Tuore käsitelty.", "Vanha odottava."):
        post_form(client, URL, {"topic": "other", "message": message})
    old, recent, waiting = db.scalars(select(Feedback).order_by(Feedback.id)).all()
    old.handled_at, old.handled_by_id = utcnow() - timedelta(days=366), staff.id
    recent.handled_at, recent.handled_by_id = utcnow() - timedelta(days=364), staff.id
    waiting.created_at = utcnow() - timedelta(days=800)
    db.commit()
    result = app.test_cli_runner().invoke(args=["feedback", "purge"])
    assert result.exit_code == 0
    assert result.output == "Deleted feedback handled more than 365 days ago: 1.\n"
    db.expire_all()
    assert [row.id for row in db.scalars(select(Feedback).order_by(Feedback.id))] == [recent.id, waiting.id]


def test_a_personal_identity_code_in_the_feedback_is_asked_to_be_removed(client, db):
    response = post_form(client, URL, {"topic": "other", "message": "Tunnukseni on 150385-9013, auttakaa"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("Poista henkilötunnus tekstistä. Sitä ei tarvita tässä, ja muut näkisivät sen.") == 2
    assert "Tunnukseni on 150385-9013, auttakaa" in page, "what was typed stays to be corrected"
    # Nor in the page field, nor written with an en dash (both reached the main user before).
    for fields in ({"page": "150385-9013 etusivu"}, {"message": "Tunnukseni on 150385\u20139013"}):
        again = post_form(client, URL, {"topic": "other", "message": "Sivu ei toimi.", **fields})
        assert again.status_code == 422
        assert "Poista henkilötunnus tekstistä." in again.get_data(as_text=True)
    assert db.query(Feedback).count() == 0
