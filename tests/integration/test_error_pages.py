"""Error pages speak the user's language and never show internals."""

import logging

import pytest
from flask import Flask

from portal.models import Feedback


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    # A route that fails like a bug would; registered only in this test's app.
    @app.get("/_boom")
    def boom() -> str:
        raise RuntimeError("secret internals: /srv/polku/db.py line 42")

    boom.is_public = True  # type: ignore[attr-defined]
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_a_forced_exception_gives_a_generic_page_with_an_error_id(failing_app, caplog):
    client = failing_app.test_client()
    client.set_cookie("polku_lang", "sv")
    with caplog.at_level(logging.ERROR, logger="portal.errors"):
        response = client.get("/_boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Vi beklagar, det uppstod ett fel i vår tjänst" in page
    assert "secret internals" not in page
    assert "Traceback" not in page
    error_id = page.split("felkoden: ")[1].split(".")[0]
    assert len(error_id) == 8
    assert any(error_id in record.getMessage() for record in caplog.records)


def test_not_found_is_in_finnish_by_default(client):
    response = client.get("/ei-ole")
    assert response.status_code == 404
    assert "Sivua ei löytynyt" in response.get_data(as_text=True)


def test_a_malformed_url_is_a_calm_not_found(client):
    response = client.get("/%ff%fe/..%c0%af")
    assert response.status_code == 404
    assert "Sivua ei löytynyt" in response.get_data(as_text=True)


def test_a_wrong_method_is_explained(client):
    response = client.post("/contact")
    assert response.status_code in (400, 405)
    response = client.delete("/contact")
    assert response.status_code == 405
    assert "Tämä toiminto ei ole mahdollinen tässä" in response.get_data(as_text=True)
    # The answer says which methods the address takes (RFC 9110), and is still the HTML page.
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert response.mimetype == "text/html"


def test_an_oversized_body_is_refused_and_nothing_is_written(client, db):
    response = client.post("/accessibility/feedback", data={"message": "x" * 400_000, "topic": "other"})
    assert response.status_code == 413
    assert "Lähettämäsi tieto on liian suuri" in response.get_data(as_text=True)
    assert db.query(Feedback).count() == 0


def test_a_post_without_csrf_token_is_refused_and_nothing_is_written(client, db):
    response = client.post("/accessibility/feedback", data={"message": "Hei", "topic": "other"})
    assert response.status_code == 400
    assert "Sivu oli vanhentunut" in response.get_data(as_text=True)
    assert db.query(Feedback).count() == 0


def test_a_refused_form_says_why_without_blaming_time_the_token_does_not_have(client, db):
    # CSRF tokens have no time limit (WTF_CSRF_TIME_LIMIT None); the session they belong to ends.
    for code, heading, reason in (
        ("fi", "Sivu oli vanhentunut", "kun palvelua ei ole käytetty vähään aikaan"),
        ("sv", "Sidan har gått ut", "när tjänsten inte har använts på en stund"),
    ):
        client.set_cookie("polku_lang", code)
        page = client.post("/accessibility/feedback", data={"message": "Hei", "topic": "other"})
        text = page.get_data(as_text=True)
        assert heading in text
        assert reason in text
        assert "liian kauan" not in text
        assert "för länge" not in text


def test_a_post_with_a_stale_token_is_refused(client, app, db):
    other = app.test_client()
    other.get("/accessibility/feedback")
    from tests.conftest import csrf_token_from

    token = csrf_token_from(other.get("/accessibility/feedback").get_data(as_text=True))
    client.get("/accessibility/feedback")
    response = client.post(
        "/accessibility/feedback", data={"csrf_token": token, "message": "Hei", "topic": "other"}
    )
    assert response.status_code == 400
    assert db.query(Feedback).count() == 0
