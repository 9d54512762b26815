"""Finnish by default, Swedish on request; the choice is remembered and the page stays the same."""

import pytest


def test_finnish_is_the_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="fi">' in page
    assert "Kuntoutuspolkusi verkossa" in page


def test_the_browser_language_is_honoured_when_nothing_is_chosen(client):
    page = client.get("/", headers={"Accept-Language": "sv-FI,sv;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "Din rehabiliteringsstig på nätet" in page


def test_an_unsupported_browser_language_falls_back_to_finnish(client):
    page = client.get("/", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert '<html lang="fi">' in page


def test_the_switch_remembers_the_choice_and_returns_to_the_same_page(client):
    contact = client.get("/contact").get_data(as_text=True)
    assert 'href="/language/sv?next=/contact" lang="sv" hreflang="sv"' in contact

    response = client.get("/language/sv?next=/contact")
    assert response.status_code == 302
    assert response.headers["Location"] == "/contact"
    cookie = response.headers["Set-Cookie"]
    assert "polku_lang=sv" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie

    page = client.get("/contact", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "Kontakta oss" in page
    assert 'href="/language/fi?next=/contact" lang="fi"' in page


def test_the_switch_keeps_the_query_string(client):
    response = client.get("/language/sv?next=/accessibility/feedback%3Fx%3D1")
    assert response.headers["Location"] == "/accessibility/feedback?x=1"


def test_the_switch_never_leads_to_another_site(client):
    response = client.get("/language/sv?next=//evil.example/")
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("code", ["en", "xx", "FI", "../sv"])
def test_an_unknown_language_code_gives_a_not_found_page_in_the_users_language(client, code):
    client.get("/language/sv")
    response = client.get(f"/language/{code}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Sidan hittades inte" in page
    assert "Set-Cookie" not in response.headers


def test_dates_are_formatted_in_helsinki_time_in_the_users_language(app):
    from datetime import UTC, datetime

    from portal.i18n import local_datetime

    # 22:30 UTC on the last Sunday of October 2026 is already Monday 00:30 in Helsinki (UTC+2).
    moment = datetime(2026, 10, 25, 22, 30, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "fi"}):
        assert local_datetime(moment) == "26. lokakuuta 2026 klo 0.30"
    with app.test_request_context(headers={"Accept-Language": "sv"}):
        assert local_datetime(moment) == "26 oktober 2026 kl. 0.30"
