"""The route rule: every endpoint needs sign-in unless it is on this short public list."""

import re

import pytest
from flask import Flask

from portal.identity.access import is_public_endpoint
from portal.services.audit import SYSTEM
from portal.services.clients import assign
from tests.conftest import login_as, signed_in

PUBLIC_ENDPOINTS = {
    "static",
    "pages.start",
    "pages.accessibility",
    "pages.privacy",
    "pages.contact",
    "feedback.give",
    "feedback.thanks",
    "language.switch",
    "health.health",
    "auth.sign_in",
    "auth.start",
    "auth.callback",
    "auth.signed_out",
    "identity.jwks",
    # The development identity provider (never registered in production).
    "devidp.discovery",
    "devidp.jwks",
    "devidp.authorize",
    "devidp.token",
    "devidp.end_session",
    "devtools.outbox",
    "consent.verify_public",
}


def public_endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if is_public_endpoint(app, rule.endpoint)}


def test_the_public_endpoints_are_exactly_the_allowlist(app):
    assert public_endpoints(app) == PUBLIC_ENDPOINTS


def test_every_other_get_route_sends_an_anonymous_visitor_to_sign_in(app, client):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or "GET" not in rule.methods:
            continue
        url = rule.build(dict.fromkeys(rule.arguments, "1"))[1]
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/sign-in?next="), url


@pytest.mark.parametrize("number", ["2147483647", "2147483648", "99999999999999999999999"])
def test_a_number_in_a_path_that_is_no_row_id_is_a_page_not_found(app, db, demo, number):
    """Every path with an id, up to the largest id and past it: never a database error."""
    client, adviser = app.test_client(), app.test_client()
    login_as(app, client, demo["client_fi"])
    login_as(app, adviser, demo["adviser"])
    checked = []
    for rule in app.url_map.iter_rules():
        ids = re.findall(r"<int:(\w+)>", rule.rule)
        if not ids or "GET" not in rule.methods:
            continue
        values = {name: number if name in ids else "kela_interview" for name in rule.arguments}
        url = rule.build(values)[1]
        browser = adviser if url.startswith("/staff/") else client
        assert browser.get(url).status_code == 404, url
        checked.append(url)
    assert len(checked) > 20


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.parametrize("page", ["99999999999999999999999", "100001", "0", "-3", "abc", ""])
def test_a_page_number_that_is_no_page_shows_the_first_page(app, db, demo, page):
    with app.app_context():
        assign(db, SYSTEM, demo["client_fi"], demo["adviser"])  # a row on each list
    client, adviser = app.test_client(), app.test_client()
    login_as(app, client, demo["client_fi"])
    login_as(app, adviser, demo["adviser"])
    for browser, url, seen in [
        (adviser, "/staff/questionnaires", "Tarkistettavat vastaukset"),
        (adviser, "/staff/clients", "Meikäläinen"),
        (client, "/my-data/access-log", "Polku"),
    ]:
        first = main_of(browser.get(f"{url}?page=1").get_data(as_text=True))
        response = browser.get(f"{url}?page={page}")
        assert response.status_code == 200, url
        assert main_of(response.get_data(as_text=True)) == first, url
        assert seen in first, url


def test_the_start_page_leads_a_signed_in_person_to_their_front_page_not_to_sign_in(app, client, db, demo):
    assert 'href="/sign-in">Kirjaudu sisään</a>' in client.get("/").get_data(as_text=True)
    for person, front in (("client_fi", "/home"), ("staff", "/staff")):
        page = signed_in(app, demo[person]).get("/").get_data(as_text=True)
        assert f'href="{front}">Siirry etusivullesi</a>' in page
        assert 'href="/sign-in"' not in page
