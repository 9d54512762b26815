"""The accessibility feedback channel."""

import pytest

from portal.models import Feedback
from tests.conftest import post_form

URL = "/accessibility/feedback"


def test_feedback_is_stored_and_thanked(client, db):
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
    stored = db.query(Feedback).one()
    assert stored.topic == "accessibility"
    assert stored.message == "Painike jää näytön ulkopuolelle."
    assert stored.reply_to == "a@b.fi"
    assert stored.locale == "fi"
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
    assert "Palautteesi voi olla enintään 4 000 merkkiä pitkä." in response.get_data(as_text=True)
    assert db.query(Feedback).count() == 0


@pytest.mark.parametrize("app_config", [{"RATELIMIT_FEEDBACK": "2 per minute"}], indirect=True)
def test_feedback_is_rate_limited(client, db):
    for _ in range(2):
        assert post_form(client, URL, {"topic": "other", "message": "Hei"}).status_code == 302
    response = post_form(client, URL, {"topic": "other", "message": "Hei"})
    assert response.status_code == 429
    assert "Liian monta yritystä" in response.get_data(as_text=True)
    assert db.query(Feedback).count() == 2
